/**
 * Canonical text of values (the JavaScript side, run inside SQLite; the SQL side is
 * `pgCanonical` in pgSql.ts), and the canonical row hash chain over them. See KnexReconciler.ts.
 */
import { hashState, hashTextStep, NULL_SEED } from './pgHash';

/**
 * Canonical forms. Numbers: `n` exact, `f15`/`f6` rounded to 15/6 significant digits. `b` boolean,
 * `d` date, `ts` timestamp, `t` text, `u` uuid, `x` bytes (hex), `a` any (SQLite without a type).
 */
export type Code = 'n' | 'f15' | 'f6' | 'b' | 'd' | 'ts' | 't' | 'u' | 'x' | 'a';
export const CODES: ReadonlySet<string> = new Set(['n', 'f15', 'f6', 'b', 'd', 'ts', 't', 'u', 'x', 'a']);

/** Prefix of values that cannot be read as their column's type; no canonical form starts so. */
export const TAG = String.fromCharCode(1);

export function tagged(kind: string, text: string): string {
  return `${TAG}${kind}:${text}`;
}

export function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

/** Plain decimal of `digits` x 10^-scale: no exponent, no leading or trailing zeros. */
export function plainDecimal(digitsIn: string, scaleIn: number, negative: boolean): string {
  let digits = digitsIn.replace(/^0+/, '');
  let scale = scaleIn;
  if (!digits) return '0';
  if (scale > 0) {
    const zeros = digits.length - digits.replace(/0+$/, '').length;
    const strip = Math.min(zeros, scale);
    digits = digits.slice(0, digits.length - strip);
    scale -= strip;
  }
  const sign = negative ? '-' : '';
  if (scale <= 0) return `${sign}${digits}${'0'.repeat(-scale)}`;
  const padded = digits.length <= scale ? `${'0'.repeat(scale - digits.length + 1)}${digits}` : digits;
  return `${sign}${padded.slice(0, padded.length - scale)}.${padded.slice(padded.length - scale)}`;
}

export const DECIMAL = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d{1,4}))?$/;

/** Exact canonical decimal of a decimal string, or undefined if it is not one. */
export function decimalText(text: string): string | undefined {
  const m = DECIMAL.exec(text.trim());
  if (!m || !`${m[2]}${m[3] ?? ''}`) return undefined;
  const frac = m[3] ?? '';
  return plainDecimal(`${m[2]}${frac}`, frac.length - Number(m[4] ?? 0), m[1] === '-');
}

export function specialNumber(text: string): string | undefined {
  const word = text.trim().toLowerCase();
  if (word === 'nan') return 'NaN';
  if (word === 'infinity' || word === '+infinity' || word === 'inf' || word === '+inf') return 'Infinity';
  if (word === '-infinity' || word === '-inf') return '-Infinity';
  return undefined;
}

export const float64 = new DataView(new ArrayBuffer(8));

/** The exact value of a positive finite double, as digits x 10^-scale. */
export function exactDouble(x: number): { digits: string; scale: number } {
  float64.setFloat64(0, x);
  const hi = float64.getUint32(0);
  const lo = float64.getUint32(4);
  const biased = (hi >>> 20) & 0x7ff;
  let mantissa = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  let exponent = -1074;
  if (biased !== 0) {
    mantissa |= 1n << 52n;
    exponent = biased - 1075;
  }
  if (exponent >= 0) return { digits: (mantissa << BigInt(exponent)).toString(), scale: 0 };
  // m / 2^k = m * 5^k / 10^k
  return { digits: (mantissa * 5n ** BigInt(-exponent)).toString(), scale: -exponent };
}

/** `x` rounded to `precision` significant digits, half to even on its exact value (C's %.*g). */
export function roundedDecimal(x: number, precision: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (!Number.isFinite(x)) return x > 0 ? 'Infinity' : '-Infinity';
  if (x === 0) return '0';
  // The shortest text that reads back as x, when it has at most `precision` digits, is also x
  // rounded to `precision` digits (x is within half an ulp of it, far less than half a step of
  // the coarser grid). That covers the usual values, like 12.5.
  const shortest = String(x);
  if (!shortest.includes('e') && shortest.replace(/^-?0*\.?0*/, '').replace('.', '').length <= precision) {
    return shortest;
  }
  // toPrecision rounds the exact value to nearest too, and differs only on exact ties (which it
  // rounds away from zero): a tie needs x to be exactly a decimal of precision + 1 digits ending
  // in 5, so only then is the exact (BigInt) path needed.
  const longer = x.toPrecision(precision + 1);
  const mantissaEnd = longer.search(/e|$/);
  if (longer[mantissaEnd - 1] !== '5' || Number(longer) !== x) {
    return decimalText(x.toPrecision(precision))!;
  }
  const { digits, scale } = exactDouble(Math.abs(x));
  if (digits.length <= precision) return plainDecimal(digits, scale, x < 0);
  const kept = digits.slice(0, precision);
  const rest = digits.slice(precision);
  let up = rest[0] > '5';
  if (rest[0] === '5') up = /[1-9]/.test(rest.slice(1)) || Number(kept[kept.length - 1]) % 2 === 1;
  const rounded = up ? (BigInt(kept) + 1n).toString() : kept;
  return plainDecimal(rounded, scale - rest.length, x < 0);
}

export function exactNumber(v: unknown): string {
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) return roundedDecimal(v, 15);
    return decimalText(String(v)) ?? String(v);
  }
  if (typeof v === 'string') return decimalText(v) ?? specialNumber(v) ?? tagged('t', v);
  if (v instanceof Uint8Array) return tagged('x', hex(v));
  return tagged('?', String(v));
}

export function floatNumber(v: unknown, precision: number): string {
  let x: number;
  if (typeof v === 'number') x = v;
  else if (typeof v === 'bigint') x = Number(v);
  else if (typeof v === 'string') {
    const special = specialNumber(v);
    if (special) return special;
    if (decimalText(v) === undefined) return tagged('t', v);
    x = Number(v.trim());
  } else if (v instanceof Uint8Array) return tagged('x', hex(v));
  else return tagged('?', String(v));
  return roundedDecimal(precision === 6 ? Math.fround(x) : x, precision);
}

export const TRUE_WORDS = new Set(['t', 'true', 'y', 'yes', 'on', '1']);
export const FALSE_WORDS = new Set(['f', 'false', 'n', 'no', 'off', '0']);

export function booleanText(v: unknown): string {
  if (typeof v === 'bigint') return v === 0n ? 'false' : 'true';
  if (typeof v === 'number') return v === 0 ? 'false' : 'true';
  if (typeof v === 'string') {
    const word = v.trim().toLowerCase();
    if (TRUE_WORDS.has(word)) return 'true';
    if (FALSE_WORDS.has(word)) return 'false';
    return tagged('t', v);
  }
  if (v instanceof Uint8Array) return tagged('x', hex(v));
  return tagged('?', String(v));
}

export const MICROS_PER_DAY = 86_400_000_000;

/** A UTC instant without BigInt: days since 1970-01-01 and microseconds into that day. */
export interface Instant {
  days: number;
  micros: number;
}

/** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm). */
export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

export function civilFromDays(days: number): [number, number, number] {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return [yoe + era * 400 + (month <= 2 ? 1 : 0), month, day];
}

export const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** `00` to `99`: two-digit fields without padStart (timestamps are formatted once per value). */
const TWO_DIGITS = Array.from({ length: 100 }, (_, i) => (i < 10 ? `0${i}` : String(i)));

/** PostgreSQL's ISO date: `YYYY-MM-DD`, years before 1 as `YYYY-MM-DD BC`. */
export function dateText(days: number): string {
  const [y, m, d] = civilFromDays(days);
  return y > 0 ? `${pad(y, 4)}-${TWO_DIGITS[m]}-${TWO_DIGITS[d]}` : `${pad(1 - y, 4)}-${TWO_DIGITS[m]}-${TWO_DIGITS[d]} BC`;
}

/** PostgreSQL's ISO timestamp: `YYYY-MM-DD HH:MM:SS[.ffffff]`, fraction without trailing zeros. */
export function timestampText({ days, micros }: Instant): string {
  const seconds = Math.floor(micros / 1e6);
  const fraction = micros % 1e6;
  const date = dateText(days);
  const bc = date.endsWith(' BC');
  const fractionText = fraction ? `.${pad(fraction, 6).replace(/0+$/, '')}` : '';
  const clock = `${TWO_DIGITS[Math.floor(seconds / 3600)]}:${TWO_DIGITS[Math.floor(seconds / 60) % 60]}:${TWO_DIGITS[seconds % 60]}`;
  return `${bc ? date.slice(0, -3) : date} ${clock}${fractionText}${bc ? ' BC' : ''}`;
}

/** Days and microseconds, the microseconds brought into [0, one day). */
export function instant(days: number, micros: number): Instant {
  const carry = Math.floor(micros / MICROS_PER_DAY);
  return { days: days + carry, micros: micros - carry * MICROS_PER_DAY };
}

export const ISO_DATETIME =
  /^\s*(\d{4,6})-(\d{1,2})-(\d{1,2})(?:(?:[Tt]|\s+)(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?)?\s*(Z|z|UTC|[+-]\d{2}(?::?\d{2})?)?\s*$/;

/** The UTC instant of an ISO 8601 text (no zone: UTC), or undefined. */
export function parseIso(text: string): Instant | undefined {
  const m = ISO_DATETIME.exec(text);
  if (!m) return undefined;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const days = daysFromCivil(year, month, day);
  const [cy, cm, cd] = civilFromDays(days);
  if (cy !== year || cm !== month || cd !== day) return undefined;
  const [hh, mi, ss] = [Number(m[4] ?? 0), Number(m[5] ?? 0), Number(m[6] ?? 0)];
  if (mi > 59 || ss > 60 || hh > 24 || (hh === 24 && (mi || ss || Number(m[7] ?? 0)))) return undefined;
  let fraction = 0;
  if (m[7]) {
    fraction = Number(m[7].slice(0, 6).padEnd(6, '0'));
    if (m[7].length > 6 && m[7][6] >= '5') fraction += 1;
  }
  let offsetMinutes = 0;
  if (m[8] && /^[+-]/.test(m[8])) {
    const digits = m[8].replace(':', '');
    offsetMinutes = (Number(digits.slice(1, 3)) * 60 + Number(digits.slice(3, 5) || 0)) * (digits[0] === '-' ? -1 : 1);
  }
  return instant(days, (hh * 3600 + mi * 60 + ss - offsetMinutes * 60) * 1e6 + fraction);
}

/** Unix epoch seconds (magnitude below 1e11) or milliseconds, as an instant. */
export function epochInstant(v: number | bigint): Instant | undefined {
  if (typeof v === 'bigint') {
    const abs = v < 0n ? -v : v;
    const perDay = abs < 100_000_000_000n ? 86_400n : 86_400_000n;
    let days = v / perDay;
    if (days * perDay > v) days -= 1n;
    const rest = Number(v - days * perDay);
    return { days: Number(days), micros: perDay === 86_400n ? rest * 1e6 : rest * 1e3 };
  }
  if (!Number.isFinite(v)) return undefined;
  const seconds = Math.abs(v) < 1e11;
  const perDay = seconds ? 86_400 : 86_400_000;
  const days = Math.floor(v / perDay);
  const micros = Math.round((v - days * perDay) * (seconds ? 1e6 : 1e3));
  return instant(days, micros);
}

export function temporal(v: unknown): Instant | string | undefined {
  if (typeof v === 'string') {
    const word = v.trim().toLowerCase();
    if (word === 'infinity' || word === '-infinity') return word;
    return parseIso(v);
  }
  if (typeof v === 'number' || typeof v === 'bigint') return epochInstant(v);
  return undefined;
}

export function timestampValue(v: unknown): string {
  const t = temporal(v);
  if (typeof t === 'object') return timestampText(t);
  if (typeof t === 'string') return t;
  if (v instanceof Uint8Array) return tagged('x', hex(v));
  return tagged('t', String(v));
}

export function dateValue(v: unknown): string {
  const t = temporal(v);
  if (typeof t === 'object') return t.micros === 0 ? dateText(t.days) : timestampText(t);
  if (typeof t === 'string') return t;
  if (v instanceof Uint8Array) return tagged('x', hex(v));
  return tagged('t', String(v));
}

export function uuidValue(v: unknown): string {
  let digits: string | undefined;
  if (typeof v === 'string') digits = v.trim().toLowerCase().replace(/[{}-]/g, '');
  else if (v instanceof Uint8Array && v.byteLength === 16) digits = hex(v);
  if (!digits || !/^[0-9a-f]{32}$/.test(digits)) return tagged('t', String(v));
  return `${digits.slice(0, 8)}-${digits.slice(8, 12)}-${digits.slice(12, 16)}-${digits.slice(16, 20)}-${digits.slice(20)}`;
}

export function textValue(v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'bigint' || typeof v === 'number') return String(v);
  if (v instanceof Uint8Array) return tagged('x', hex(v));
  return tagged('?', String(v));
}

export function bytesValue(v: unknown): string {
  if (v instanceof Uint8Array) return hex(v);
  if (typeof v === 'string') return Buffer.from(v, 'utf8').toString('hex');
  return tagged('n', String(v));
}

export function anyValue(v: unknown): string {
  if (typeof v === 'number') return roundedDecimal(v, 15);
  if (v instanceof Uint8Array) return tagged('x', hex(v));
  return String(v);
}

/** Canonical text of one SQLite value for a column of canonical form `code`; NULL stays null. */
export function canonicalValue(code: string, v: unknown): string | null {
  if (v === null || v === undefined) return null;
  switch (code) {
    case 'n':
      return exactNumber(v);
    case 'f15':
      return floatNumber(v, 15);
    case 'f6':
      return floatNumber(v, 6);
    case 'b':
      return booleanText(v);
    case 'd':
      return dateValue(v);
    case 'ts':
      return timestampValue(v);
    case 'u':
      return uuidValue(v);
    case 'x':
      return bytesValue(v);
    case 't':
      return textValue(v);
    default:
      return anyValue(v);
  }
}

export const NULL_SEED_HIGH = Number(NULL_SEED >> 32n);
export const NULL_SEED_LOW = Number(NULL_SEED & 0xffffffffn);

/** The row hash chain over canonical texts (the JavaScript twin of the PostgreSQL chain). */
/**
 * The row hash chain over canonical texts (the JavaScript twin of the PostgreSQL chain), left in
 * hashState[1] (high half) and hashState[2] (low half), unsigned: no BigInt per row.
 */
export function canonicalRowHashHalves(codes: readonly string[], values: readonly unknown[]): void {
  let high = 0;
  let low = 0;
  for (let i = 0; i < codes.length; i++) {
    const text = canonicalValue(codes[i], values[i]);
    if (text === null) {
      high = (high ^ NULL_SEED_HIGH) >>> 0;
      low = (low ^ NULL_SEED_LOW) >>> 0;
    }
    hashTextStep(text ?? '', high, low);
    high = hashState[1];
    low = hashState[2];
  }
  hashState[1] = high;
  hashState[2] = low;
}

/** The row hash chain over canonical texts, as a signed 64-bit integer. */
export function canonicalRowHash(codes: readonly string[], values: readonly unknown[]): bigint {
  canonicalRowHashHalves(codes, values);
  return BigInt.asIntN(64, (BigInt(hashState[1]) << 32n) | BigInt(hashState[2]));
}

/**
 * A sum of signed 64-bit row hashes without a BigInt per row: the high halves (signed) and the low
 * halves (unsigned) are summed as exact doubles and folded into a BigInt every 2^20 rows.
 */
export class HashSum {
  #total = 0n;
  #high = 0;
  #low = 0;
  #rows = 0;

  /** Adds the hash left in hashState by canonicalRowHashHalves. */
  addHalves() {
    this.#high += hashState[1] | 0;
    this.#low += hashState[2];
    if (++this.#rows === 1 << 20) this.#fold();
  }

  #fold() {
    this.#total += (BigInt(this.#high) << 32n) + BigInt(this.#low);
    this.#high = 0;
    this.#low = 0;
    this.#rows = 0;
  }

  get value(): bigint {
    this.#fold();
    return this.#total;
  }
}
