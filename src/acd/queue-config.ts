/**
 * The hotline's queues as the router sees them: id, priority, and which skills may answer, widening
 * as the caller waits. Defaults for the merged 12345 hotline: the general queue, the sub-centre
 * queues of 12328 (transport) and 12360 (customs), and the expert seats used for three-way calls.
 * A sub-centre caller who has waited two minutes may also be served by a general agent.
 * The limits and recording below are defaults: admins change them per queue without a deploy
 * (queue-settings.ts); the routing steps are code.
 */
import type { QueueLimits } from './queue-limits.ts';
import type { RoutingQueue } from './routing.ts';

const subCentre = (id: string, skill: string): RoutingQueue => ({
  id,
  priority: 0,
  steps: [{ afterSec: 0, skills: [skill] }, { afterSec: 120, skills: [skill, 'general'] }],
});

const expert = (id: string): RoutingQueue => ({ id, priority: 10, steps: [{ afterSec: 0, skills: [id] }] });

export const defaultQueues: ReadonlyMap<string, RoutingQueue> = new Map(
  [
    { id: 'general', priority: 0, steps: [{ afterSec: 0, skills: ['general'] }] },
    subCentre('transport', 'transport'),
    subCentre('customs', 'customs'),
    expert('expert-customs'),
    expert('expert-transport'),
    expert('expert-social-security'),
    expert('expert-tax'),
  ].map((queue) => [queue.id, queue]),
);

/**
 * Default limits, until an admin saves a queue's settings (queue-settings.ts): a caller waits at
 * most 3 minutes in a sub-centre queue before its flow overflows it (to the general pool in the
 * 12328 flow) and 5 minutes in the general queue before the flow offers a message; at most 200
 * callers wait in one queue. In each, a waiting caller may press 1 to be called back without
 * losing the place (the position announcement says so).
 */
export const defaultLimits: ReadonlyMap<string, QueueLimits> = new Map([
  ['general', { maxWaitSec: 300, maxWaiting: 200, callbackKey: '1' }],
  ['transport', { maxWaitSec: 180, maxWaiting: 200, callbackKey: '1' }],
  ['customs', { maxWaitSec: 180, maxWaiting: 200, callbackKey: '1' }],
]);

/**
 * Default recording, until an admin saves a queue's settings: whether calls answered from a queue
 * are recorded (the mixing bridge of caller and agent, from the moment they are joined until it is
 * destroyed). A queue missing here is recorded.
 */
export const defaultRecording: ReadonlyMap<string, { readonly record: boolean }> = new Map(
  [...defaultQueues.keys()].map((id) => [id, { record: true }]),
);
