/**
 * Adds a user to the store (REDIS_URL, REDIS_PREFIX), for deployments before an admin console
 * exists. The password is the first line of standard input, so it stays out of the shell history
 * and the process list:
 *
 *   read -rs P && printf '%s\n' "$P" | docker compose exec -T hotline \
 *     node_modules/.bin/tsx scripts/user-add.ts agent1001 --name "话务员 李娜" --roles agent --extension 1001
 *
 * Options: --name <display name> (default: the user name), --roles <role,role> (agent, supervisor,
 * admin, department; required), --extension <4–8 digits> (the seat), --unit <unit> (department users).
 * A user with an extension is a seat: run `npm run asterisk:render -- --reload` afterwards.
 */
import { loadConfig } from '../src/config/config.ts';
import { systemClock } from '../src/clock.ts';
import { createLogger } from '../src/log.ts';
import { isRole, type Role } from '../src/auth/roles.ts';
import { createUserService } from '../src/auth/user-service.ts';
import { createStore } from '../src/store/create-store.ts';
import { SEAT_EXTENSION } from './asterisk/render.ts';

const [username, ...rest] = process.argv.slice(2);
const option = (name: string): string | undefined => {
  const i = rest.indexOf(name);
  return i >= 0 ? rest[i + 1] : undefined;
};

async function readPassword(): Promise<string> {
  let text = '';
  for await (const chunk of process.stdin) text += String(chunk);
  return text.split(/\r?\n/)[0] ?? '';
}

async function main(): Promise<void> {
  if (!username || username.startsWith('--')) throw new Error('usage: user-add.ts <username> --roles agent[,supervisor] [--name <name>] [--extension <ext>] [--unit <unit>] < password');
  const roles = (option('--roles') ?? '').split(',').filter(Boolean);
  if (roles.length === 0 || !roles.every(isRole)) throw new Error('--roles must list agent, supervisor, admin or department');
  const extension = option('--extension');
  if (extension !== undefined && !SEAT_EXTENSION.test(extension)) throw new Error('--extension must be 4–8 digits, not starting with 0');
  const config = loadConfig(process.env);
  if (config.REDIS_URL === undefined) throw new Error('REDIS_URL is not set: the user would vanish with this process');
  const password = await readPassword();
  const store = createStore(config, createLogger('warn'));
  try {
    await store.ping();
    const unit = option('--unit');
    const user = await createUserService({ store, clock: systemClock }).createUser({
      username, displayName: option('--name') ?? username, roles: roles as Role[], password,
      ...(extension !== undefined && { extension }), ...(unit !== undefined && { unit }),
    });
    console.log(`created ${user.username} (${user.roles.join(', ')})${user.extension ? `, seat ${user.extension}: now run npm run asterisk:render -- --reload` : ''}`);
  } finally {
    await store.close();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
