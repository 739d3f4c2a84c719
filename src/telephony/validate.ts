/**
 * Guards for everything the port passes into ARI. Ids, endpoints, media URIs, recording names
 * and variable names must match conservative patterns, so caller data can never reach a dial
 * string, a file name or a URL path unfiltered. A mismatch is TELEPHONY_BAD_ARGUMENT.
 */
import { HotlineError } from '../errors.ts';

const patterns = {
  /** Channel, bridge, playback and snoop ids (`;` for the second half of Local channels). */
  id: /^[A-Za-z0-9][A-Za-z0-9._:;-]{0,127}$/,
  /** `TECH/resource`, e.g. PJSIP/1001, Local/answer@hotline-test/n. */
  endpoint: /^[A-Za-z0-9]{1,16}\/[A-Za-z0-9_.@+-][A-Za-z0-9_.@+/-]{0,199}$/,
  /** ARI media URIs. */
  media: /^(sound|recording|number|digits|characters|tone):[A-Za-z0-9_.,:;=#*/-]{1,200}$/,
  /** Stored recording names: no dots, so no `..`. */
  recording: /^[A-Za-z0-9_-][A-Za-z0-9_/-]{0,127}$/,
  /** Channel variables and dialplan functions, e.g. CALLERID(num). */
  variable: /^[A-Za-z_][A-Za-z0-9_.-]{0,63}(\([A-Za-z0-9_,-]{0,64}\))?$/,
  dtmf: /^[0-9A-Da-d*#,]{1,64}$/,
  /** Stasis app args, callerId, context/extension names, MOH classes. */
  word: /^[A-Za-z0-9_.,:@+<> -]{0,128}$/,
} as const;

export type ArgumentKind = keyof typeof patterns;

/** Returns `value` if it matches the pattern of `kind`, else throws TELEPHONY_BAD_ARGUMENT. */
export function checked(kind: ArgumentKind, value: string, what: string = kind): string {
  if (!patterns[kind].test(value)) {
    throw new HotlineError('TELEPHONY_BAD_ARGUMENT', `invalid ${what}`, { kind });
  }
  return value;
}
