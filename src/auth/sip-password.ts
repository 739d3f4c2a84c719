/**
 * Per-seat SIP passwords, derived rather than stored: `base64url(HMAC-SHA256(SIP_SECRET, extension))`
 * cut to 24 characters (144 bits). The server hands an agent its seat's password (GET /api/me/sip);
 * Asterisk's pjsip `auth` sections carry the same values (`npm run asterisk:render` writes them).
 * Rotating SIP_SECRET rotates every seat at once; nothing to migrate.
 */
import { createHmac } from 'node:crypto';

const EXTENSION = /^[0-9A-Za-z_-]{1,32}$/;

export function sipPassword(secret: string, extension: string): string {
  if (!EXTENSION.test(extension)) throw new Error('sipPassword: malformed extension');
  return createHmac('sha256', secret).update(`sip-seat:${extension}`).digest('base64url').slice(0, 24);
}
