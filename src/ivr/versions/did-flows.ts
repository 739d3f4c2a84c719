/**
 * Which flow answers which dialled number (DID), and which alias a caller hears: `staging` for the
 * configured test caller numbers when the flow has a staging version, `live` for everyone else.
 */

export interface DidFlowsOptions {
  /** DID → flow id. Default: 12345, 12328 and 12360 each to the flow of the same id. */
  readonly didFlows?: Readonly<Record<string, string>>;
  /** Flow for a DID not in the map (and for a call without DID). Default `12345`. */
  readonly defaultFlow?: string;
  /** Caller numbers (exact, digits as the trunk sends them) that hear the staging alias. */
  readonly testCallers?: readonly string[];
}

export interface DidFlows {
  /** The flow id for a dialled number. */
  flowFor(did: string | undefined): string;
  /** True when `callerNumber` is a configured test caller. */
  isTestCaller(callerNumber: string): boolean;
}

export const defaultDidFlows: Readonly<Record<string, string>> = { 12345: '12345', 12328: '12328', 12360: '12360' };

export function createDidFlows(options: DidFlowsOptions = {}): DidFlows {
  const map = new Map(Object.entries(options.didFlows ?? defaultDidFlows));
  const fallback = options.defaultFlow ?? '12345';
  const testers = new Set(options.testCallers ?? []);
  return {
    flowFor: (did) => (did !== undefined && map.get(did)) || fallback,
    isTestCaller: (number) => testers.has(number),
  };
}

/**
 * Parses `12345=12345,12328=12328` (env style) into a DID map; entries that are not
 * `digits=flow-id` are returned in `rejected`.
 */
export function parseDidFlows(text: string): { map: Record<string, string>; rejected: string[] } {
  const map: Record<string, string> = {};
  const rejected: string[] = [];
  for (const entry of text.split(',').map((e) => e.trim()).filter(Boolean)) {
    const match = /^(\d{3,20})=([a-z0-9][a-z0-9-]{0,47})$/.exec(entry);
    if (match) map[match[1]!] = match[2]!;
    else rejected.push(entry);
  }
  return { map, rejected };
}
