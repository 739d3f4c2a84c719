/**
 * Which server instances are alive, and what happens to the calls of one that died. Each instance
 * renews `acd:instance:<id>` (expiring after `ttlMs`) every `everyMs` and lists itself in
 * `acd:instances`. Only the instance holding a call's media can ring an agent for it, so while an
 * instance is gone its waiting callers are not routed (they keep their place for its restart) and
 * agents reserved for its callers are given back without penalty (the offer could never be rung or
 * answered here). Any instance may sweep: each withdrawal is one checked commit.
 */
import type { Clock, TimerHandle } from '../clock.ts';
import type { Logger } from '../log.ts';
import type { Store } from '../store/store.ts';
import type { AcdState } from './acd-state.ts';

export interface InstanceLivenessOptions {
  readonly store: Store;
  readonly acd: AcdState;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly instanceId: string;
  /** How often this instance says it is alive and sweeps. */
  readonly everyMs?: number;
  /** How long an instance counts as alive after it last said so (longer than an agent's ring time). */
  readonly ttlMs?: number;
}

const k = {
  instance: (id: string) => `acd:instance:${id}`,
  instances: 'acd:instances',
};

export function createInstanceLiveness(options: InstanceLivenessOptions) {
  const { store, acd, clock, instanceId } = options;
  const logger = options.logger.child({ component: 'liveness' });
  const everyMs = options.everyMs ?? 5000;
  const ttlMs = options.ttlMs ?? 30_000;
  /** Instances found gone at the last sweep. */
  let gone = new Set<string>();
  let timer: TimerHandle | undefined;

  async function beat(): Promise<void> {
    await store.commit([], [
      { op: 'put', key: k.instance(instanceId), value: { at: clock.now() }, ttlMs },
      { op: 'sadd', key: k.instances, member: instanceId },
    ]);
  }

  /** Renews this instance, finds the instances gone and gives back the agents reserved for their callers. */
  async function sweep(): Promise<void> {
    await beat();
    const others = (await store.smembers(k.instances)).filter((id) => id !== instanceId);
    const beats = await store.getMany(others.map(k.instance));
    const found = new Set(others.filter((_, i) => beats[i] === null));
    for (const dead of found) {
      const calls = await acd.callsOf(dead);
      for (const call of calls) {
        if (call.state !== 'offered' || !call.agentId) continue;
        if (await acd.withdrawOffer(call.callId, call.agentId)) {
          logger.warn({ callId: call.callId, agentId: call.agentId, instance: dead }, 'the instance holding the call is gone: agent given back');
        }
      }
      if (calls.length === 0) await store.commit([], [{ op: 'srem', key: k.instances, member: dead }]);
    }
    if (found.size > 0 && [...found].some((id) => !gone.has(id))) logger.warn({ instances: [...found] }, 'server instances gone: their callers wait for their restart');
    gone = found;
  }

  function schedule(): void {
    timer = clock.setTimeout(() => {
      void sweep()
        .catch((error: unknown) => logger.warn({ err: error }, 'liveness sweep failed'))
        .finally(() => timer && schedule());
    }, everyMs);
  }

  return {
    async start(): Promise<void> {
      await sweep();
      schedule();
    },
    /** Runs a sweep now (tests, and after a reconnect). */
    sweep,
    /** Whether the instance holding a call's media was alive at the last sweep (this one always is). */
    alive: (id: string): boolean => id === instanceId || !gone.has(id),
    /** Stops renewing and says this instance is gone at once (a graceful stop). */
    async close(): Promise<void> {
      timer?.cancel();
      timer = undefined;
      await store.commit([], [{ op: 'del', key: k.instance(instanceId) }]).catch(() => undefined);
    },
  };
}

export type InstanceLiveness = ReturnType<typeof createInstanceLiveness>;
