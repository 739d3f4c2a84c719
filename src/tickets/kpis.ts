/**
 * Ticket KPIs as pure functions over ticket facts (docs: hotline-domain.md, "Ticket KPIs").
 * Each returns numerator, denominator and the rate (null when the denominator is 0), so reports
 * can sum them across units and periods.
 */

export type CallbackOutcome = 'satisfied' | 'basically_satisfied' | 'dissatisfied' | 'unreachable';

/** What the KPIs need to know about one ticket. */
export interface KpiTicket {
  /** Final or current state (see ticket-states.ts). */
  readonly state: string;
  /** Closed by direct answer on the spot. */
  readonly directAnswered: boolean;
  /** Not accepted (out of scope) or merged into another ticket: not a valid ticket. */
  readonly invalid: boolean;
  /** Handling deadline (ms), if the ticket was dispatched. */
  readonly dueAt: number | null;
  /** When the ticket reached `closed` (ms), if it did. */
  readonly closedAt: number | null;
  /** When the unit replied (ms), if it did — counts as "done" for on-time closure. */
  readonly repliedAt: number | null;
  /** The rated outcome of the (last) successful callback, if any. */
  readonly callbackOutcome: CallbackOutcome | null;
  /** A 不满意 was judged reasonable (ticket sent back for rectification). */
  readonly badRatingReasonable: boolean;
  /** After such a bad rating, the ticket was handled again and closed. */
  readonly rectified: boolean;
}

export interface Ratio {
  readonly numerator: number;
  readonly denominator: number;
  /** numerator ÷ denominator, or null when nothing was counted. */
  readonly rate: number | null;
}

export function ratio(numerator: number, denominator: number): Ratio {
  return { numerator, denominator, rate: denominator === 0 ? null : numerator / denominator };
}

const closedStates = new Set(['closed', 'archived']);

/**
 * On-time closure rate: tickets done (replied) by their deadline ÷ tickets due by `now`
 * (deadline passed, or done early). Tickets without a handling deadline (direct answers) do not count.
 */
export function onTimeClosureRate(tickets: readonly KpiTicket[], now: number): Ratio {
  let due = 0;
  let onTime = 0;
  for (const t of tickets) {
    if (t.dueAt === null || t.invalid) continue;
    const doneAt = t.repliedAt ?? t.closedAt;
    if (t.dueAt > now && doneAt === null) continue;
    due++;
    if (doneAt !== null && doneAt <= t.dueAt) onTime++;
  }
  return ratio(onTime, due);
}

/** Direct-answer rate (当场答复率): tickets closed by direct answer ÷ valid tickets. */
export function directAnswerRate(tickets: readonly KpiTicket[]): Ratio {
  const valid = tickets.filter((t) => !t.invalid);
  return ratio(valid.filter((t) => t.directAnswered).length, valid.length);
}

/** Callback rate: closed tickets that were called back (reached) ÷ closed tickets. */
export function callbackRate(tickets: readonly KpiTicket[]): Ratio {
  const closed = tickets.filter((t) => !t.invalid && closedStates.has(t.state));
  return ratio(closed.filter((t) => t.callbackOutcome !== null && t.callbackOutcome !== 'unreachable').length, closed.length);
}

/** Callback satisfaction: (满意 [+ 基本满意]) ÷ rated callbacks. */
export function callbackSatisfaction(tickets: readonly KpiTicket[], countBasicallySatisfied = true): Ratio {
  const rated = tickets.filter((t) => t.callbackOutcome !== null && t.callbackOutcome !== 'unreachable');
  const happy = rated.filter((t) => t.callbackOutcome === 'satisfied' || (countBasicallySatisfied && t.callbackOutcome === 'basically_satisfied'));
  return ratio(happy.length, rated.length);
}

/** Bad-rating rectification rate: rectified ÷ tickets whose 不满意 was judged reasonable. */
export function badRatingRectificationRate(tickets: readonly KpiTicket[]): Ratio {
  const bad = tickets.filter((t) => t.badRatingReasonable);
  return ratio(bad.filter((t) => t.rectified).length, bad.length);
}

export interface TicketKpis {
  readonly onTimeClosure: Ratio;
  readonly directAnswer: Ratio;
  readonly callback: Ratio;
  readonly callbackSatisfaction: Ratio;
  readonly badRatingRectification: Ratio;
}

/** All five KPIs at once. */
export function ticketKpis(tickets: readonly KpiTicket[], options: { now: number; countBasicallySatisfied?: boolean }): TicketKpis {
  return {
    onTimeClosure: onTimeClosureRate(tickets, options.now),
    directAnswer: directAnswerRate(tickets),
    callback: callbackRate(tickets),
    callbackSatisfaction: callbackSatisfaction(tickets, options.countBasicallySatisfied ?? true),
    badRatingRectification: badRatingRectificationRate(tickets),
  };
}
