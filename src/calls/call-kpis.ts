/**
 * Call KPIs from call records, with the formulas of ../shared/hotline-domain.md:
 * - human answer rate = answered by an agent ÷ calls that asked for an agent (entered a queue)
 * - N-second answer rate = answered within N s of arrival ÷ answered (15 s: GB/T 33358; 10 s: 12328)
 * - mean wait = mean(arrival → agent answer), IVR time included
 * - abandon rate = hung up while waiting ÷ entered a queue; short abandons (< 5 s waiting) apart
 * Group the records first (by DID, queue, agent, hour) to report per group.
 */
import type { CallRecord } from './call-record.ts';

export interface CallKpis {
  readonly calls: number;
  readonly askedForAgent: number;
  readonly answered: number;
  readonly abandoned: number;
  readonly shortAbandoned: number;
  /** null when nothing to divide by. */
  readonly humanAnswerRate: number | null;
  readonly answeredWithin15sRate: number | null;
  readonly answeredWithin10sRate: number | null;
  readonly meanWaitSec: number | null;
  /** Abandons after waiting at least the short-abandon threshold, ÷ calls that entered a queue. */
  readonly abandonRate: number | null;
  /** Mean talk time (answer → end, holds included), seconds. */
  readonly meanTalkSec: number | null;
}

export interface KpiOptions {
  /** Abandons shorter than this are reported apart and left out of the abandon rate. */
  readonly shortAbandonSec?: number;
}

const ratio = (a: number, b: number): number | null => (b === 0 ? null : a / b);
const mean = (values: number[]): number | null => (values.length === 0 ? null : values.reduce((s, v) => s + v, 0) / values.length);

export function callKpis(records: readonly CallRecord[], options: KpiOptions = {}): CallKpis {
  const shortMs = (options.shortAbandonSec ?? 5) * 1000;
  const asked = records.filter((r) => r.queues.length > 0);
  const answered = records.filter((r) => r.answeredAt !== undefined);
  const waits = answered.map((r) => r.answeredAt! - r.arrivedAt);
  const abandons = asked.flatMap((r) => {
    const visit = r.queues.at(-1)!;
    return visit.outcome === 'abandoned' && visit.leftAt !== undefined ? [visit.leftAt - visit.enqueuedAt] : [];
  });
  const short = abandons.filter((ms) => ms < shortMs).length;
  const talks = answered.filter((r) => r.endedAt !== undefined).map((r) => (r.endedAt! - r.answeredAt!) / 1000);
  return {
    calls: records.length,
    askedForAgent: asked.length,
    answered: answered.length,
    abandoned: abandons.length,
    shortAbandoned: short,
    humanAnswerRate: ratio(answered.length, asked.length),
    answeredWithin15sRate: ratio(waits.filter((ms) => ms <= 15_000).length, answered.length),
    answeredWithin10sRate: ratio(waits.filter((ms) => ms <= 10_000).length, answered.length),
    meanWaitSec: waits.length === 0 ? null : mean(waits)! / 1000,
    abandonRate: ratio(abandons.length - short, asked.length - short),
    meanTalkSec: mean(talks),
  };
}

/** Groups records by a key (e.g. `r => r.did`, `r => hourOf(r.arrivedAt)`), then computes each group. */
export function callKpisBy(records: readonly CallRecord[], key: (record: CallRecord) => string | readonly string[], options: KpiOptions = {}): Map<string, CallKpis> {
  const groups = new Map<string, CallRecord[]>();
  for (const record of records) {
    const keys = key(record);
    for (const k of typeof keys === 'string' ? [keys] : keys) {
      const group = groups.get(k);
      if (group) group.push(record);
      else groups.set(k, [record]);
    }
  }
  return new Map([...groups].map(([k, group]) => [k, callKpis(group, options)]));
}
