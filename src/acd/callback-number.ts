/**
 * Which caller numbers the hotline may call back: a mainland mobile (1[3-9] + 9 digits), a fixed
 * line with its area code (0 + 9–11 digits) or a local fixed line (7–8 digits), with an optional
 * +86/0086 prefix. Anything else — anonymous, foreign, short codes, text — is not called back,
 * so a caller id never reaches a dial string unchecked.
 */
export function callableNumber(callerNumber: string): string | null {
  const digits = callerNumber.trim().replace(/^(\+|00)86/, '').replace(/[\s-]/g, '');
  return /^(1[3-9]\d{9}|0\d{9,11}|[2-9]\d{6,7})$/.test(digits) ? digits : null;
}
