/**
 * Prints the SIP password of each seat given on the command line, derived from SIP_SECRET (the
 * same value GET /api/me/sip hands the agent), as pjsip.conf auth sections:
 *   SIP_SECRET=… npx tsx scripts/sip-passwords.ts 1001 1002 2001
 */
import { sipPassword } from '../src/auth/sip-password.ts';

const secret = process.env.SIP_SECRET;
if (!secret || secret.length < 16) {
  console.error('set SIP_SECRET (at least 16 characters), as for the server');
  process.exit(1);
}
const extensions = process.argv.slice(2);
if (extensions.length === 0) {
  console.error('usage: SIP_SECRET=… npx tsx scripts/sip-passwords.ts <extension>…');
  process.exit(1);
}
for (const extension of extensions) {
  console.log(`[${extension}-auth]\ntype=auth\nauth_type=userpass\nusername=${extension}\npassword=${sipPassword(secret, extension)}\n`);
}
