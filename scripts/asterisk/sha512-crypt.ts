/**
 * SHA-512 crypt ("$6$", Ulrich Drepper's specification, as crypt(3) of glibc), for ari.conf's
 * `password_format = crypt`. Node ships no crypt(3); this is the specification's algorithm with
 * the default 5,000 rounds, checked against its published test vectors.
 */
import { createHash, randomBytes } from 'node:crypto';

const ALPHABET = './0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** The byte order in which the 64-byte digest is encoded, three bytes at a time. */
const ORDER: ReadonlyArray<readonly [number, number, number]> = [
  [0, 21, 42], [22, 43, 1], [44, 2, 23], [3, 24, 45], [25, 46, 4], [47, 5, 26], [6, 27, 48], [28, 49, 7],
  [50, 8, 29], [9, 30, 51], [31, 52, 10], [53, 11, 32], [12, 33, 54], [34, 55, 13], [56, 14, 35], [15, 36, 57],
  [37, 58, 16], [59, 17, 38], [18, 39, 60], [40, 61, 19], [62, 20, 41],
];

const sha512 = (...parts: Buffer[]): Buffer => {
  const hash = createHash('sha512');
  for (const part of parts) hash.update(part);
  return hash.digest();
};

/** `length` bytes of `digest` repeated. */
function repeated(digest: Buffer, length: number): Buffer {
  const out = Buffer.alloc(length);
  for (let i = 0; i < length; i += digest.length) digest.copy(out, i, 0, Math.min(digest.length, length - i));
  return out;
}

function encode24(b2: number, b1: number, b0: number, chars: number): string {
  let word = (b2 << 16) | (b1 << 8) | b0;
  let out = '';
  for (let i = 0; i < chars; i++) {
    out += ALPHABET[word & 0x3f];
    word >>>= 6;
  }
  return out;
}

/** A random salt of 16 characters from the crypt alphabet. */
export function randomSalt(): string {
  return [...randomBytes(16)].map((byte) => ALPHABET[byte & 0x3f]).join('');
}

/**
 * `$6$<salt>$<hash>` (or `$6$rounds=N$<salt>$<hash>` when `rounds` is given) of `password`.
 * The salt is cut to 16 characters, as crypt(3) does.
 */
export function sha512Crypt(password: string, salt: string = randomSalt(), rounds?: number): string {
  const key = Buffer.from(password, 'utf8');
  const saltText = salt.slice(0, 16);
  const saltBytes = Buffer.from(saltText, 'utf8');
  const loops = rounds === undefined ? 5000 : Math.min(999_999_999, Math.max(1000, rounds));

  const b = sha512(key, saltBytes, key);
  const a = createHash('sha512').update(key).update(saltBytes).update(repeated(b, key.length));
  for (let n = key.length; n > 0; n >>= 1) a.update(n & 1 ? b : key);
  const digestA = a.digest();

  const p = repeated(sha512(...Array.from({ length: key.length }, () => key)), key.length);
  const s = repeated(sha512(...Array.from({ length: 16 + digestA[0]! }, () => saltBytes)), saltBytes.length);

  let c = digestA;
  for (let i = 0; i < loops; i++) {
    const round = createHash('sha512');
    round.update(i & 1 ? p : c);
    if (i % 3) round.update(s);
    if (i % 7) round.update(p);
    round.update(i & 1 ? c : p);
    c = round.digest();
  }

  const body = ORDER.map(([x, y, z]) => encode24(c[x]!, c[y]!, c[z]!, 4)).join('') + encode24(0, 0, c[63]!, 2);
  return `$6$${rounds === undefined ? '' : `rounds=${loops}$`}${saltText}$${body}`;
}
