/**
 * A port of PostgreSQL's `hashtextextended` (hash_bytes_extended, Bob Jenkins' lookup3) on UTF-8
 * bytes, so SQLite rows hash exactly as the server would hash the same canonical text.
 */


export function rot(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

/** State of lookup3: a, b, c as unsigned 32-bit numbers. */
export function mix(s: Uint32Array) {
  s[0] -= s[2]; s[0] ^= rot(s[2], 4); s[2] += s[1];
  s[1] -= s[0]; s[1] ^= rot(s[0], 6); s[0] += s[2];
  s[2] -= s[1]; s[2] ^= rot(s[1], 8); s[1] += s[0];
  s[0] -= s[2]; s[0] ^= rot(s[2], 16); s[2] += s[1];
  s[1] -= s[0]; s[1] ^= rot(s[0], 19); s[0] += s[2];
  s[2] -= s[1]; s[2] ^= rot(s[1], 4); s[1] += s[0];
}

export function final(s: Uint32Array) {
  s[2] ^= s[1]; s[2] -= rot(s[1], 14);
  s[0] ^= s[2]; s[0] -= rot(s[2], 11);
  s[1] ^= s[0]; s[1] -= rot(s[0], 25);
  s[2] ^= s[1]; s[2] -= rot(s[1], 16);
  s[0] ^= s[2]; s[0] -= rot(s[2], 4);
  s[1] ^= s[0]; s[1] -= rot(s[0], 14);
  s[2] ^= s[1]; s[2] -= rot(s[1], 24);
}

export const hashState = new Uint32Array(3);

/**
 * `hash_bytes_extended(k[0..len), seed)` as PostgreSQL computes it on little-endian machines, the
 * 64-bit seed and result as two unsigned 32-bit halves (no BigInt in the hot loop): the result is
 * left in hashState[1] (high half) and hashState[2] (low half).
 */
export function hashBytes(k: Uint8Array, length: number, seedHigh: number, seedLow: number): void {
  const s = hashState;
  let len = length;
  s[0] = 0x9e3779b9 + len + 3923095;
  s[1] = s[0];
  s[2] = s[0];
  if (seedHigh !== 0 || seedLow !== 0) {
    s[0] += seedHigh;
    s[1] += seedLow;
    mix(s);
  }
  let i = 0;
  while (len >= 12) {
    s[0] += k[i] | (k[i + 1] << 8) | (k[i + 2] << 16) | (k[i + 3] << 24);
    s[1] += k[i + 4] | (k[i + 5] << 8) | (k[i + 6] << 16) | (k[i + 7] << 24);
    s[2] += k[i + 8] | (k[i + 9] << 8) | (k[i + 10] << 16) | (k[i + 11] << 24);
    mix(s);
    i += 12;
    len -= 12;
  }
  // The last 11 bytes; the lowest byte of c is reserved (for the length, folded in above).
  if (len >= 11) s[2] += k[i + 10] << 24;
  if (len >= 10) s[2] += k[i + 9] << 16;
  if (len >= 9) s[2] += k[i + 8] << 8;
  if (len >= 8) s[1] += k[i + 7] << 24;
  if (len >= 7) s[1] += k[i + 6] << 16;
  if (len >= 6) s[1] += k[i + 5] << 8;
  if (len >= 5) s[1] += k[i + 4];
  if (len >= 4) s[0] += k[i + 3] << 24;
  if (len >= 3) s[0] += k[i + 2] << 16;
  if (len >= 2) s[0] += k[i + 1] << 8;
  if (len >= 1) s[0] += k[i];
  final(s);
}

export const utf8 = new TextEncoder();
let utf8Buffer = new Uint8Array(256);

/**
 * One step of a hash chain: `hash_bytes_extended(utf8(text), seed)` with the seed and the result as
 * unsigned 32-bit halves; the result is left in hashState[1] (high) and hashState[2] (low).
 */
export function hashTextStep(text: string, seedHigh: number, seedLow: number): void {
  const length = text ? encodeUtf8(text) : 0; // may replace the buffer: encode first
  hashBytes(utf8Buffer, length, seedHigh, seedLow);
}

/** UTF-8 bytes of `text` in a reused buffer; returns their length. */
function encodeUtf8(text: string): number {
  if (text.length * 3 > utf8Buffer.length) utf8Buffer = new Uint8Array(text.length * 3 + 64);
  return utf8.encodeInto(text, utf8Buffer).written;
}

/** `hash_bytes_extended(k, len, seed)` as PostgreSQL computes it on little-endian machines. */
export function pgHashBytesExtended(k: Uint8Array, seed: bigint): bigint {
  const useed = BigInt.asUintN(64, seed);
  hashBytes(k, k.length, Number(useed >> 32n), Number(useed & 0xffffffffn));
  return BigInt.asIntN(64, (BigInt(hashState[1]) << 32n) | BigInt(hashState[2]));
}

/** `hashtextextended(text, seed)` for a UTF8 database. */
export function pgHashTextExtended(text: string, seed: bigint): bigint {
  return pgHashBytesExtended(Buffer.from(text, 'utf8'), seed);
}

/** XOR-ed into a step's seed when the column is NULL (any constant would do; this one is pi's). */
export const NULL_SEED = 0x243f6a8885a308d3n;
