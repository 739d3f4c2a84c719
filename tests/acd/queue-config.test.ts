import { describe, expect, it } from 'vitest';
import { defaultQueues } from '../../src/acd/queue-config.ts';
import { defaultCatalogue } from '../../src/ivr/catalogue.ts';

describe('queue configuration', () => {
  it('routes every queue an IVR flow may send callers to', () => {
    const unrouted = Object.keys(defaultCatalogue.queues).filter((id) => !defaultQueues.has(id));
    expect(unrouted).toEqual([]);
  });

  it('lets each queue be answered from the first second by its own skill', () => {
    for (const [id, queue] of defaultQueues) {
      expect(queue.steps[0]?.afterSec, id).toBe(0);
      const skill = defaultCatalogue.queues[id]?.skill;
      if (skill) expect(queue.steps[0]?.skills, id).toContain(skill);
    }
  });
});
