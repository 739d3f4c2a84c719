/**
 * First-start users. In embedded mode on a loopback address the demo users below are created so
 * a newcomer can log in at once; anywhere else the only way in is ADMIN_PASSWORD, which creates
 * the user "admin" when the store has no users at all.
 */
import type { Logger } from '../log.ts';
import type { User, UserService } from './user-service.ts';

export const demoPassword = 'hotline-demo';

export const demoUsers: readonly User[] = [
  { username: 'admin', displayName: '管理员', roles: ['admin', 'supervisor'] },
  { username: 'supervisor', displayName: '班长 王敏', roles: ['supervisor'], extension: '3001' },
  { username: 'agent1001', displayName: '话务员 李娜', roles: ['agent'], extension: '1001' },
  { username: 'agent1002', displayName: '话务员 张伟', roles: ['agent'], extension: '1002' },
  { username: 'expert2001', displayName: '海关专席 陈静', roles: ['agent'], extension: '2001' },
  { username: 'dept-transport', displayName: '市交通运输局', roles: ['department'], unit: '市交通运输局' },
];

export interface SeedOptions {
  readonly users: UserService;
  readonly logger: Logger;
  readonly demo: boolean;
  readonly adminPassword?: string | undefined;
}

/** Returns the demo users created (empty when none were). */
export async function seedUsers({ users, logger, demo, adminPassword }: SeedOptions): Promise<readonly User[]> {
  if ((await users.countUsers()) > 0) return [];
  if (adminPassword) {
    await users.createUser({ username: 'admin', displayName: 'admin', roles: ['admin', 'supervisor'], password: adminPassword });
    logger.info('created the user "admin" from ADMIN_PASSWORD');
    return [];
  }
  if (!demo) {
    logger.warn('no users exist: set ADMIN_PASSWORD once to create the user "admin"');
    return [];
  }
  for (const user of demoUsers) await users.createUser({ ...user, password: demoPassword });
  return demoUsers;
}
