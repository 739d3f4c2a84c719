import { describe, expect, it } from 'vitest';
import {
  badRatingRectificationRate, callbackRate, callbackSatisfaction, directAnswerRate, onTimeClosureRate, ticketKpis, type KpiTicket,
} from '../../src/tickets/kpis.ts';

const base: KpiTicket = {
  state: 'closed', directAnswered: false, invalid: false, dueAt: 100, closedAt: null, repliedAt: null,
  callbackOutcome: null, badRatingReasonable: false, rectified: false,
};
const t = (over: Partial<KpiTicket>): KpiTicket => ({ ...base, ...over });

describe('ticket KPIs', () => {
  describe('when computing on-time closure', () => {
    it('counts done-by-deadline over due, ignoring tickets not yet due', () => {
      const r = onTimeClosureRate([
        t({ repliedAt: 90 }), t({ repliedAt: 110 }), t({ repliedAt: null }), t({ dueAt: 500, repliedAt: null }), t({ dueAt: 500, repliedAt: 150 }), t({ dueAt: null }),
      ], 200);
      expect(r).toEqual({ numerator: 2, denominator: 4, rate: 0.5 });
    });
  });

  describe('when computing the direct-answer rate', () => {
    it('divides direct answers by valid tickets only', () => {
      expect(directAnswerRate([t({ directAnswered: true }), t({}), t({ invalid: true }), t({})]).rate).toBeCloseTo(1 / 3);
    });
  });

  describe('when computing callback figures', () => {
    const tickets = [
      t({ callbackOutcome: 'satisfied' }), t({ callbackOutcome: 'basically_satisfied' }), t({ callbackOutcome: 'dissatisfied' }),
      t({ callbackOutcome: 'unreachable' }), t({ state: 'in_progress', callbackOutcome: null }),
    ];

    it('counts reached callbacks over closed tickets', () => {
      expect(callbackRate(tickets)).toEqual({ numerator: 3, denominator: 4, rate: 0.75 });
    });

    it('counts 基本满意 as satisfied unless configured otherwise', () => {
      expect(callbackSatisfaction(tickets).numerator).toBe(2);
      expect(callbackSatisfaction(tickets, false).numerator).toBe(1);
      expect(callbackSatisfaction(tickets).denominator).toBe(3);
    });
  });

  describe('when computing bad-rating rectification', () => {
    it('divides rectified by reasonable bad ratings', () => {
      expect(badRatingRectificationRate([t({ badRatingReasonable: true, rectified: true }), t({ badRatingReasonable: true }), t({})]).rate).toBe(0.5);
    });
  });

  describe('when nothing counts', () => {
    it('reports null rates rather than 0 or NaN', () => {
      const all = ticketKpis([], { now: 0 });
      expect(Object.values(all).map((r) => r.rate)).toEqual([null, null, null, null, null]);
    });
  });
});
