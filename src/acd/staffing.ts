/**
 * Staffing: the roster in the store and the 7×24 coverage view over the stored call records.
 *
 * The roster is one document, `acd:roster`, replaced whole. It carries its own version (1 after
 * the first save, +1 on each); a save commits against the store version it read, and a supervisor
 * who sends the version they edited gets STORE_CONFLICT instead of overwriting someone else's
 * change. Until the first save the default roster (version 0) applies.
 */
import type { CallRecords } from '../calls/call-records.ts';
import type { Clock } from '../clock.ts';
import { HotlineError } from '../errors.ts';
import type { Store } from '../store/store.ts';
import { callSample, coverage, hotlineTarget, shortHours, type CallSample, type CoverageHour, type ServiceTarget } from './coverage.ts';
import { defaultRoster, parseRoster, staffedByHour, type Roster } from './shifts.ts';

export interface RosterDoc extends Roster {
  readonly version: number;
  readonly updatedAt: number | null;
  readonly updatedBy: string | null;
}

export interface CoverageView {
  /** The window of call records: [from, to), ms since the epoch. */
  readonly from: number;
  readonly to: number;
  readonly weeks: number;
  readonly queueId: string | null;
  readonly target: ServiceTarget;
  readonly rosterVersion: number;
  /** Hours short of agents, most missing first. */
  readonly shortHours: readonly CoverageHour[];
  /** All 168 hours, Monday 00:00 first. */
  readonly hours: ReadonlyArray<CoverageHour & { readonly short: boolean }>;
}

export interface StaffingOptions {
  readonly store: Store;
  readonly clock: Clock;
  readonly records: CallRecords;
  /** Wrap-up added to each call's talk time (the queue service's default is 30 s). */
  readonly wrapUpSec?: number;
  /** The roster until a supervisor saves one (default: `defaultRoster`). */
  readonly initialRoster?: Roster;
}

export type Staffing = ReturnType<typeof createStaffing>;

const ROSTER_KEY = 'acd:roster';
const WEEK_MS = 7 * 86_400_000;
const DAY_MS = 86_400_000;
/** Records read per day of the window (a day of a big city's 12345 is ~70 000 calls). */
const RECORDS_PER_DAY = 100_000;

export function createStaffing({ store, clock, records, wrapUpSec = 30, initialRoster = defaultRoster }: StaffingOptions) {
  async function read(): Promise<{ doc: RosterDoc; storeVersion: number }> {
    const found = await store.get<RosterDoc>(ROSTER_KEY);
    return found
      ? { doc: found.value, storeVersion: found.version }
      : { doc: { ...initialRoster, version: 0, updatedAt: null, updatedBy: null }, storeVersion: 0 };
  }

  async function roster(): Promise<RosterDoc> {
    return (await read()).doc;
  }

  /** Replaces the roster. `expectedVersion`: the version the supervisor edited (409 if it moved on). */
  async function setRoster(input: unknown, by: string, expectedVersion?: number): Promise<RosterDoc> {
    const parsed = parseRoster(input);
    const { doc, storeVersion } = await read();
    if (expectedVersion !== undefined && expectedVersion !== doc.version) {
      throw new HotlineError('STORE_CONFLICT', `the roster is at version ${doc.version}, not ${expectedVersion}; re-read it`);
    }
    const next: RosterDoc = { ...parsed, version: doc.version + 1, updatedAt: clock.now(), updatedBy: by };
    const result = await store.commit([{ key: ROSTER_KEY, version: storeVersion }], [{ op: 'put', key: ROSTER_KEY, value: next }]);
    if (!result.ok) throw new HotlineError('STORE_CONFLICT', 'the roster changed meanwhile; re-read it');
    return next;
  }

  /** Coverage of the roster against the load of the last `weeks` weeks (of `queueId`, or every queue). */
  async function coverageView({ weeks, queueId }: { weeks: number; queueId?: string | undefined }): Promise<CoverageView> {
    const to = clock.now();
    const from = to - weeks * WEEK_MS;
    const [doc, calls] = await Promise.all([roster(), samples(from, to, queueId)]);
    const hours = coverage({ calls, weeks, staffed: staffedByHour(doc, queueId), target: hotlineTarget });
    return {
      from, to, weeks, queueId: queueId ?? null, target: hotlineTarget, rosterVersion: doc.version,
      shortHours: shortHours(hours),
      hours: hours.map((h) => ({ ...h, short: h.missing > 0 })),
    };
  }

  /** Samples of the calls in [from, to), read a day at a time. */
  async function samples(from: number, to: number, queueId: string | undefined): Promise<CallSample[]> {
    const found: CallSample[] = [];
    for (let start = from; start < to; start += DAY_MS) {
      for (const record of await records.between(start, Math.min(start + DAY_MS, to), RECORDS_PER_DAY)) {
        const sample = callSample(record, { queueId, wrapUpSec });
        if (sample) found.push(sample);
      }
    }
    return found;
  }

  return { roster, setRoster, coverage: coverageView };
}
