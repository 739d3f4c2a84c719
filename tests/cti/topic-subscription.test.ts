import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { BusEvent } from '../../src/cti/event-bus.ts';
import type { FeedListener } from '../../src/cti/topic-feeds.ts';
import { createTopicSubscription } from '../../src/cti/topic-subscription.ts';
import { compareStreamIds } from '../../src/store/store.ts';

const event = (n: number): BusEvent => ({ id: `${n}-0`, topic: 'supervisor', name: 'wallboard', data: { n }, at: 0 });

describe('topic subscription', () => {
  describe('when live events and stream reads interleave in any order during a resume', () => {
    it('sends every event after lastEventId exactly once, in order', async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.scheduler(),
          fc.integer({ min: 1, max: 12 }), // events stored before the join
          fc.integer({ min: 0, max: 12 }), // events appended while joining
          fc.nat(), fc.nat(),
          async (s, stored, appended, lastPick, cursorPick) => {
            const last = 1 + (lastPick % stored); // the client saw events 1..last
            const stream: BusEvent[] = Array.from({ length: stored }, (_, i) => event(i + 1));
            let feedCursor = cursorPick % (stored + 1); // the feed has delivered 1..feedCursor
            const listeners = new Set<FeedListener>();
            const sent: string[] = [];
            const subscription = createTopicSubscription({
              topic: 'supervisor',
              bus: {
                watch: async (_topic, listener) => {
                  listeners.add(listener);
                  return { cursor: feedCursor === 0 ? '0' : `${feedCursor}-0`, unwatch: () => listeners.delete(listener) };
                },
                read: (_topic, after, count) =>
                  s.schedule(Promise.resolve()).then(() => stream.filter((e) => compareStreamIds(e.id, after) > 0).slice(0, count)),
                retainedSince: () => -Infinity,
              },
              send: (e) => {
                sent.push(e.id);
                return true;
              },
              sendResync: () => {
                throw new Error('no resync expected');
              },
            });
            const appending = (async () => {
              for (let n = stored + 1; n <= stored + appended; n++) {
                await s.schedule(Promise.resolve());
                stream.push(event(n));
              }
            })();
            const delivering = (async () => {
              while (feedCursor < stored + appended) {
                await s.schedule(Promise.resolve());
                if (feedCursor >= stream.length) continue;
                feedCursor++;
                for (const listener of listeners) listener(event(feedCursor));
              }
            })();
            const joined = subscription.join(`${last}-0`);
            await s.waitFor(Promise.all([joined, appending, delivering]));
            const expected = Array.from({ length: stored + appended - last }, (_, i) => `${last + 1 + i}-0`);
            expect(sent).toEqual(expected);
          },
        ),
        { numRuns: 300 },
      );
    });
  });
});
