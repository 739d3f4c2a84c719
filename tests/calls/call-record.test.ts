import { describe, expect, it } from 'vitest';
import { callKpis, callKpisBy } from '../../src/calls/call-kpis.ts';
import { applyCallEvent, newCallRecord, type CallEvent, type CallRecord } from '../../src/calls/call-record.ts';

const call = (callId: string, did: string, events: CallEvent[], arrivedAt = 0): CallRecord =>
  events.reduce(applyCallEvent, newCallRecord({ callId, did, callerNumber: '13800000000', arrivedAt }));

describe('call record', () => {
  describe('when a caller hangs up while waiting in a queue', () => {
    it('still leaves a complete record: IVR closed, queue visit abandoned, ringing offer withdrawn', () => {
      const record = call('c1', '12345', [
        { type: 'flow', at: 0, flowId: '12345', version: 'abc' },
        { type: 'ivr_node', at: 0, node: 'greeting' },
        { type: 'enqueued', at: 4_000, queueId: 'general' },
        { type: 'offered', at: 9_000, agentId: 'a1' },
        { type: 'ended', at: 12_000, by: 'caller', cause: 16 },
      ]);
      expect(record).toMatchObject({
        ivrEndedAt: 12_000, ivrExit: 'hangup', endedAt: 12_000, endedBy: 'caller', hangupCause: 16,
        queues: [{ queueId: 'general', enqueuedAt: 4_000, leftAt: 12_000, outcome: 'abandoned' }],
        offers: [{ agentId: 'a1', outcome: 'withdrawn', outcomeAt: 12_000 }],
      });
    });
  });

  describe('when an agent does not answer and the next one does', () => {
    it('keeps both offers and the answering agent', () => {
      const record = call('c2', '12328', [
        { type: 'enqueued', at: 1_000, queueId: 'transport' },
        { type: 'offered', at: 2_000, agentId: 'a1' },
        { type: 'rona', at: 17_000, agentId: 'a1' },
        { type: 'offered', at: 17_500, agentId: 'a2' },
        { type: 'answered', at: 20_000, agentId: 'a2' },
      ]);
      expect(record.offers.map((o) => o.outcome)).toEqual(['rona', 'answered']);
      expect(record).toMatchObject({ answeredAt: 20_000, agentIds: ['a2'], queues: [{ outcome: 'answered', leftAt: 20_000 }] });
    });
  });

  describe('when the agent\'s leg drops after the answer, before the caller was joined', () => {
    it('takes the answer back: the caller waits again and counts as answered only when the next agent answers', () => {
      const events: CallEvent[] = [
        { type: 'enqueued', at: 1_000, queueId: 'general' },
        { type: 'offered', at: 2_000, agentId: 'a1' },
        { type: 'answered', at: 3_000, agentId: 'a1' },
        { type: 'dropped', at: 3_100, agentId: 'a1' },
      ];
      const waiting = call('c4', '12345', events);
      expect(waiting.answeredAt).toBeUndefined();
      expect(waiting).toMatchObject({ agentIds: [], queues: [{ queueId: 'general', enqueuedAt: 1_000 }], offers: [{ agentId: 'a1', outcome: 'dropped' }] });
      expect(waiting.queues[0]?.leftAt).toBeUndefined();

      const served = call('c4', '12345', [...events, { type: 'offered', at: 4_000, agentId: 'a2' }, { type: 'answered', at: 9_000, agentId: 'a2' }]);
      expect(served).toMatchObject({ answeredAt: 9_000, agentIds: ['a2'], queues: [{ leftAt: 9_000, outcome: 'answered' }] });
      expect(callKpis([{ ...served, endedAt: 60_000, endedBy: 'caller' }]).meanWaitSec).toBe(9);
    });
  });

  describe('when an event arrives after the call ended', () => {
    it('does not reopen the call', () => {
      const ended = call('c3', '12345', [{ type: 'ended', at: 5, by: 'caller' }]);
      expect(applyCallEvent(ended, { type: 'answered', at: 6, agentId: 'a1' })).toBe(ended);
    });
  });
});

describe('call KPIs', () => {
  const records = [
    call('answered-fast', '12345', [{ type: 'enqueued', at: 3_000, queueId: 'general' }, { type: 'answered', at: 12_000, agentId: 'a' }, { type: 'ended', at: 72_000, by: 'agent' }]),
    call('answered-slow', '12345', [{ type: 'enqueued', at: 3_000, queueId: 'general' }, { type: 'answered', at: 30_000, agentId: 'a' }, { type: 'ended', at: 90_000, by: 'caller' }]),
    call('abandoned', '12328', [{ type: 'enqueued', at: 3_000, queueId: 'transport' }, { type: 'ended', at: 40_000, by: 'caller' }]),
    call('short-abandon', '12328', [{ type: 'enqueued', at: 3_000, queueId: 'transport' }, { type: 'ended', at: 5_000, by: 'caller' }]),
    call('feedback-only', '12345', [{ type: 'ended', at: 60_000, by: 'caller' }]),
  ];

  it('computes the domain formulas: answer rates, mean wait from arrival, abandons without short ones', () => {
    expect(callKpis(records)).toEqual({
      calls: 5, askedForAgent: 4, answered: 2, abandoned: 2, shortAbandoned: 1,
      humanAnswerRate: 0.5,
      answeredWithin15sRate: 0.5,
      answeredWithin10sRate: 0,
      meanWaitSec: 21, // (12 + 30) / 2, counted from arrival, IVR time included
      abandonRate: 1 / 3, // one real abandon ÷ (4 asked − 1 short)
      meanTalkSec: 60,
    });
  });

  it('reports per DID', () => {
    const byDid = callKpisBy(records, (r) => r.did);
    expect(byDid.get('12345')?.humanAnswerRate).toBe(1);
    expect(byDid.get('12328')?.humanAnswerRate).toBe(0);
  });

  it('answers null rather than a made-up rate when nothing can be divided', () => {
    expect(callKpis([]).humanAnswerRate).toBeNull();
  });
});
