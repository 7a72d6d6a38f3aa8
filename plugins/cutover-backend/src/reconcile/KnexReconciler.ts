/**
 * The built-in reconciler (`knex`): compares a dataset's table on the source connection with its
 * table on the destination connection, by key, on PostgreSQL and SQLite in any combination, without
 * bringing the tables into Node.
 *
 * Hash bisection
 * --------------
 * As table-diff tools do (data-diff), the key space is cut into ranges, and each database computes,
 * per range, a row count and an order-independent checksum (the sum, without overflow, of a 64-bit
 * hash of every row). Only ranges whose (count, checksum) differ are looked at again:
 * 1. Root: one aggregate over each whole table (count + checksum), source and destination in
 *    parallel. Equal tables stop here: one hashing scan per side, nothing else.
 * 2. Top level: if the first key column is an integer on both sides, its [min, max] (over both
 *    sides) is cut into up to `maxTopBuckets` equal-width buckets, computed by ONE `GROUP BY
 *    (key - min) / width` pass per side. Otherwise the root range is split like any other range
 *    (step 3) with that many parts.
 * 3. A differing range larger than `leafRows` is split into `fanOut` parts at key quantiles taken
 *    from the side with more rows in it (`row_number() OVER (ORDER BY key)`, keeping every n-th
 *    key), and each side computes all parts' counts and checksums in one `GROUP BY` on a
 *    binary-search `CASE` over the boundaries. All differing ranges of a level are batched into
 *    one statement per side (`UNION ALL` of one branch per range, each using the key index).
 * 4. A differing range with at most `leafRows` rows (or that cannot be split further) is a leaf:
 *    its keys and row hashes are fetched from both sides and classified in Node: key on one side
 *    only (missing in the other) or on both with different hashes (mismatched). A differing range
 *    that is empty on one side is classified from the counts alone: all its rows are missing on
 *    the other side; only as many keys as the sample still needs are fetched.
 * Rows whose key has a NULL part cannot be ordered: they form one extra range, compared as a leaf.
 * With several rows per key, rows are matched by hash within the key (a multiset comparison).
 * Each side runs in one read-only transaction (REPEATABLE READ on PostgreSQL), so all levels see
 * one consistent state of each table.
 *
 * Columns and key order
 * ---------------------
 * Compared columns: the key columns (paired by position in `keyColumns`), then the columns both
 * tables have, matched by name case-insensitively, in a fixed order; the plan's `columnMap` pairs
 * renamed columns (source name -> destination name) and its `ignoreColumns` leaves columns out
 * (both listed in `notes`). Columns present on one side only are ignored and listed in `notes`. Keys are compared by their canonical text (below). Range
 * boundaries are applied identically on both sides, so both must order keys the same way:
 * - integer keys (PostgreSQL int2/int4/int8, SQLite INTEGER affinity): numeric order, bound as
 *   integers;
 * - text keys (PostgreSQL text/varchar, SQLite TEXT affinity): byte order of UTF-8, i.e.
 *   `COLLATE "C"` on PostgreSQL (never a locale collation) and `COLLATE BINARY` on SQLite (never a
 *   column's NOCASE). A PostgreSQL column whose collation already sorts by bytes (C, POSIX,
 *   ucs_basic, or the database default when a probe of sample strings shows it does, as C.UTF-8
 *   does) is compared without the COLLATE clause, so that its index serves the ranges;
 * - any other key type: the byte order of its canonical text, on both sides (no index is used).
 *
 * Normalisation (so that a faithful copy between engines shows zero drift)
 * ------------------------------------------------------------------------
 * Each column pair gets one canonical text form; the SQLite side produces it in JavaScript inside
 * SQLite (registered functions), the PostgreSQL side in SQL from the column's type:
 * - numbers: plain decimal, no exponent, no trailing fractional zeros, `-` only when negative
 *   (`12.50` numeric and `12.5` REAL are both `12.5`; `5` int8, `'5'` and `5.0` are `5`; NaN,
 *   Infinity, -Infinity as words). Exact when both sides are integers or decimals. When either
 *   side is floating point (PostgreSQL float8, SQLite REAL/NUMERIC affinity or no type), both
 *   sides are rounded to 15 significant digits (DBL_DIG, the digits a double always keeps) of the
 *   value as a double, rounding half to even on the exact binary value, as C's `%.15g` does (that
 *   is PostgreSQL's float8 -> numeric cast, which the SQL uses); with a PostgreSQL float4 on
 *   either side, 6 digits (FLT_DIG) of the value as a float4.
 * - booleans: `true`/`false` (SQLite 0/1, or the words PostgreSQL accepts).
 * - dates: `YYYY-MM-DD`; timestamps: `YYYY-MM-DD HH:MM:SS[.ffffff]`, in UTC, fraction to the
 *   microsecond without trailing zeros (PostgreSQL's own ISO output; timestamptz converted to UTC,
 *   timestamp without time zone taken as UTC). SQLite text in ISO 8601 form (space or `T`, optional
 *   fraction, optional `Z` or offset) is parsed; SQLite numbers are Unix epoch seconds when their
 *   magnitude is below 1e11, else milliseconds (what knex writes for a JS Date).
 * - text: exact bytes (PostgreSQL char(n) loses its trailing blanks, as its ::text cast does);
 *   uuid lower-case; bytea/blob as hex. Other types: PostgreSQL's text output with pinned session
 *   settings (DateStyle ISO, TimeZone UTC, IntervalStyle postgres, ...).
 * - NULL is distinct from '' and 0 (see the row hash). A SQLite value that cannot be read as the
 *   column's type (text in a date column, ...) keeps a tagged form that equals nothing else.
 *
 * Row hash
 * --------
 * The row hash chains the columns: `h = H(column_n, ... H(column_2, H(column_1, 0)))`, the seed of
 * each step being the previous hash, XOR-ed with a constant when the column is NULL (its value then
 * taken as '' or 0), so NULL, '' and 0 all differ and values cannot move between columns or rows
 * unnoticed. The table checksum is the sum of the row hashes (PostgreSQL numeric, JavaScript
 * BigInt): order-independent, and a changed row changes it but for a 2^-64 chance (see below for
 * timestamps under the native scheme).
 * - Mixed engines, or SQLite on both sides: `H(text, seed)` is PostgreSQL's `hashtextextended`
 *   (lookup3 over the UTF-8 bytes) of the canonical text; the SQLite functions use a port of it,
 *   checked against the server before use (the server must use UTF8).
 * - PostgreSQL on both sides (14+): no text is produced at all (text output of numerics and
 *   timestamps is what makes hashing slow); each column goes through PostgreSQL's own extended
 *   hash function of its type (`hash_numeric_extended`, `timestamp_hash_extended`, ...), with
 *   which equal values of compatible types hash alike (int2/int4/int8; 12.5 and 12.50;
 *   timestamptz and timestamp, taken as UTC). PostgreSQL's hashes of 64-bit values fold them to
 *   32 bits first (low half XOR high half), so for integers with an int8 side the high half is
 *   XOR-ed into that step's seed (-1 vs 4294967295 would otherwise hash alike). Timestamps keep
 *   the fold: two values collide only when they differ by about 2^32 microseconds (71.6 minutes)
 *   with low bits that compensate exactly; a random change still hides with 2^-32 chance.
 *   What those hashes do not see is carried by flags:
 *   per row, the combination of its NULLs, booleans and numeric classes (numeric hashes ignore
 *   the sign and give the seed for NaN and infinities: negative / +Infinity / NaN / other; just
 *   the sign for numeric(p,s) on both sides, which cannot hold infinities) picks a
 *   constant through nested CASEs (at most 64 combinations per CASE, no function calls), XOR-ed
 *   once into the seed of one step (a hash, never a raw value); NULLs are then hashed as a
 *   constant of their type, and booleans need no hash call at all. Columns whose types differ in
 *   kind (or float4 vs float8) use the canonical text. A leading integer key that is NOT NULL on
 *   both sides is used as the first seed directly. Per column this costs one hash call, which is
 *   what the benchmark measures (test/bench/reconcile.bench.ts).
 *
 * Results
 * -------
 * Counts are by key (by row within a duplicated key). driftRatio = (missingInDestination +
 * missingInSource + mismatched) / max(sourceCount, destinationCount, 1). `sampleKeys` holds up to
 * `sampleLimit` (default 50) differing keys, with key values as canonical text (integers as
 * numbers). Progress goes from 0 to 100 as ranges are settled.
 *
 * Identifiers: table and key names must be plain identifiers (`schema.table` on PostgreSQL);
 * column names come from the catalogs. All names reach SQL through knex `??` bindings and all
 * values through `?` bindings; only constants of this module are written into SQL text.
 *
 * PostgreSQL sessions pin their output settings (TimeZone UTC, DateStyle ISO, ...), turn JIT off
 * (compiling costs more than it saves here) and raise work_mem for the hash aggregates; parallel
 * workers are used as the planner sees fit.
 *
 * Limits: SQLite functions take at most 127 arguments (so at most 126 compared columns with a
 * SQLite side). Keys whose type differs in kind between the sides (integer vs text) are refused.
 * Range statements only use the key's index when its order is the one above: a text key under a
 * locale collation on PostgreSQL (or NOCASE on SQLite), or a key of another type, makes every
 * range branch scan the table, which is fine for the top level (one pass) but slow when many
 * ranges of a large table differ.
 */
import { InputError, NotFoundError } from '@backstage/errors';
import {
  CutoverDatasetTarget,
  ProgressReporter,
  Reconciler,
  ReconciliationFigures,
} from '@switchyard/plugin-cutover-node';
import { Knex } from 'knex';
import { CutoverConnections, SqliteFunctionHost } from '../snapshots/connections';

/** Counters of one run, for tests and benchmarks. */
export interface KnexReconcilerStats {
  /** `native` (PostgreSQL type hashes) or `canonical` (hash of canonical text). */
  hashScheme: 'native' | 'canonical';
  /** Levels below the root that were compared. */
  levels: number;
  /** SQL statements run (both sides). */
  queries: number;
  /** Rows returned into Node by all statements (aggregates, boundaries, leaf rows, samples). */
  rowsFetched: number;
  /** Of those, rows of leaf ranges and samples (keys and row hashes). */
  leafRowsFetched: number;
  /** Ranges whose counts and checksums were compared. */
  rangesCompared: number;
}

/** Options of {@link KnexReconciler}. */
export interface KnexReconcilerOptions {
  /** Most differing keys returned in `sampleKeys`; default 50. `Infinity` returns all of them. */
  sampleLimit?: number;
  /** A differing range with at most this many rows on each side is fetched; default 256. */
  leafRows?: number;
  /** Parts a differing range is split into below the top level; default 16. */
  fanOut?: number;
  /** Most ranges of the top level; default 4096. */
  maxTopBuckets?: number;
  /** PostgreSQL `work_mem` of the comparison transactions (hash aggregates); default `64MB`. */
  workMem?: string;
  /** Receives the counters of every run. */
  onStats?: (stats: KnexReconcilerStats) => void;
}

type Dialect = 'pg' | 'sqlite';

// ---------------------------------------------------------------------------------------------
// SQL fragments: identifiers only ever travel as `??` bindings, values as `?` bindings.

interface Fragment {
  readonly sql: string;
  readonly bindings: readonly unknown[];
}

function sql(strings: TemplateStringsArray, ...parts: Fragment[]): Fragment {
  if (strings.some(s => s.includes('?'))) {
    throw new Error('SQL text must not contain "?"; pass values and identifiers as fragments');
  }
  let text = strings[0];
  const bindings: unknown[] = [];
  parts.forEach((part, i) => {
    text += part.sql + strings[i + 1];
    bindings.push(...part.bindings);
  });
  return { sql: text, bindings };
}

function ident(name: string): Fragment {
  return { sql: '??', bindings: [name] };
}

function val(value: unknown): Fragment {
  return { sql: '?', bindings: [value] };
}

/** An integer constant of this module, written into the SQL text. */
function lit(n: number | bigint): Fragment {
  if (typeof n === 'number' && !Number.isSafeInteger(n)) throw new Error(`Not an integer: ${n}`);
  return { sql: n < 0 ? `(${n})` : String(n), bindings: [] };
}

function join(fragments: Fragment[], separator: string): Fragment {
  return {
    sql: fragments.map(f => f.sql).join(separator),
    bindings: fragments.flatMap(f => [...f.bindings]),
  };
}

// ---------------------------------------------------------------------------------------------
// PostgreSQL's hashtextextended (hash_bytes_extended, Bob Jenkins' lookup3), on UTF-8 bytes.

function rot(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

/** State of lookup3: a, b, c as unsigned 32-bit numbers. */
function mix(s: Uint32Array) {
  s[0] -= s[2]; s[0] ^= rot(s[2], 4); s[2] += s[1];
  s[1] -= s[0]; s[1] ^= rot(s[0], 6); s[0] += s[2];
  s[2] -= s[1]; s[2] ^= rot(s[1], 8); s[1] += s[0];
  s[0] -= s[2]; s[0] ^= rot(s[2], 16); s[2] += s[1];
  s[1] -= s[0]; s[1] ^= rot(s[0], 19); s[0] += s[2];
  s[2] -= s[1]; s[2] ^= rot(s[1], 4); s[1] += s[0];
}

function final(s: Uint32Array) {
  s[2] ^= s[1]; s[2] -= rot(s[1], 14);
  s[0] ^= s[2]; s[0] -= rot(s[2], 11);
  s[1] ^= s[0]; s[1] -= rot(s[0], 25);
  s[2] ^= s[1]; s[2] -= rot(s[1], 16);
  s[0] ^= s[2]; s[0] -= rot(s[2], 4);
  s[1] ^= s[0]; s[1] -= rot(s[0], 14);
  s[2] ^= s[1]; s[2] -= rot(s[1], 24);
}

const hashState = new Uint32Array(3);

/**
 * `hash_bytes_extended(k[0..len), seed)` as PostgreSQL computes it on little-endian machines, the
 * 64-bit seed and result as two unsigned 32-bit halves (no BigInt in the hot loop): the result is
 * left in hashState[1] (high half) and hashState[2] (low half).
 */
function hashBytes(k: Uint8Array, length: number, seedHigh: number, seedLow: number): void {
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

const utf8 = new TextEncoder();
let utf8Buffer = new Uint8Array(256);

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
const NULL_SEED = 0x243f6a8885a308d3n;

// ---------------------------------------------------------------------------------------------
// Canonical text of values (JavaScript side; the SQL side is pgCanonical below)

/**
 * Canonical forms. Numbers: `n` exact, `f15`/`f6` rounded to 15/6 significant digits. `b` boolean,
 * `d` date, `ts` timestamp, `t` text, `u` uuid, `x` bytes (hex), `a` any (SQLite without a type).
 */
type Code = 'n' | 'f15' | 'f6' | 'b' | 'd' | 'ts' | 't' | 'u' | 'x' | 'a';
const CODES: ReadonlySet<string> = new Set(['n', 'f15', 'f6', 'b', 'd', 'ts', 't', 'u', 'x', 'a']);

/** Prefix of values that cannot be read as their column's type; no canonical form starts so. */
const TAG = String.fromCharCode(1);

function tagged(kind: string, text: string): string {
  return `${TAG}${kind}:${text}`;
}

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

/** Plain decimal of `digits` x 10^-scale: no exponent, no leading or trailing zeros. */
function plainDecimal(digitsIn: string, scaleIn: number, negative: boolean): string {
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

const DECIMAL = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d{1,4}))?$/;

/** Exact canonical decimal of a decimal string, or undefined if it is not one. */
function decimalText(text: string): string | undefined {
  const m = DECIMAL.exec(text.trim());
  if (!m || !`${m[2]}${m[3] ?? ''}`) return undefined;
  const frac = m[3] ?? '';
  return plainDecimal(`${m[2]}${frac}`, frac.length - Number(m[4] ?? 0), m[1] === '-');
}

function specialNumber(text: string): string | undefined {
  const word = text.trim().toLowerCase();
  if (word === 'nan') return 'NaN';
  if (word === 'infinity' || word === '+infinity' || word === 'inf' || word === '+inf') return 'Infinity';
  if (word === '-infinity' || word === '-inf') return '-Infinity';
  return undefined;
}

const float64 = new DataView(new ArrayBuffer(8));

/** The exact value of a positive finite double, as digits x 10^-scale. */
function exactDouble(x: number): { digits: string; scale: number } {
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

function exactNumber(v: unknown): string {
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) return roundedDecimal(v, 15);
    return decimalText(String(v)) ?? String(v);
  }
  if (typeof v === 'string') return decimalText(v) ?? specialNumber(v) ?? tagged('t', v);
  if (v instanceof Uint8Array) return tagged('x', hex(v));
  return tagged('?', String(v));
}

function floatNumber(v: unknown, precision: number): string {
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

const TRUE_WORDS = new Set(['t', 'true', 'y', 'yes', 'on', '1']);
const FALSE_WORDS = new Set(['f', 'false', 'n', 'no', 'off', '0']);

function booleanText(v: unknown): string {
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

const MICROS_PER_DAY = 86_400_000_000;

/** A UTC instant without BigInt: days since 1970-01-01 and microseconds into that day. */
interface Instant {
  days: number;
  micros: number;
}

/** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm). */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

function civilFromDays(days: number): [number, number, number] {
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

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** PostgreSQL's ISO date: `YYYY-MM-DD`, years before 1 as `YYYY-MM-DD BC`. */
function dateText(days: number): string {
  const [y, m, d] = civilFromDays(days);
  return y > 0 ? `${pad(y, 4)}-${pad(m)}-${pad(d)}` : `${pad(1 - y, 4)}-${pad(m)}-${pad(d)} BC`;
}

/** PostgreSQL's ISO timestamp: `YYYY-MM-DD HH:MM:SS[.ffffff]`, fraction without trailing zeros. */
function timestampText({ days, micros }: Instant): string {
  const seconds = Math.floor(micros / 1e6);
  const fraction = micros % 1e6;
  const date = dateText(days);
  const bc = date.endsWith(' BC');
  const fractionText = fraction ? `.${pad(fraction, 6).replace(/0+$/, '')}` : '';
  const clock = `${pad(Math.floor(seconds / 3600))}:${pad(Math.floor(seconds / 60) % 60)}:${pad(seconds % 60)}`;
  return `${bc ? date.slice(0, -3) : date} ${clock}${fractionText}${bc ? ' BC' : ''}`;
}

/** Days and microseconds, the microseconds brought into [0, one day). */
function instant(days: number, micros: number): Instant {
  const carry = Math.floor(micros / MICROS_PER_DAY);
  return { days: days + carry, micros: micros - carry * MICROS_PER_DAY };
}

const ISO_DATETIME =
  /^\s*(\d{4,6})-(\d{1,2})-(\d{1,2})(?:(?:[Tt]|\s+)(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?)?\s*(Z|z|UTC|[+-]\d{2}(?::?\d{2})?)?\s*$/;

/** The UTC instant of an ISO 8601 text (no zone: UTC), or undefined. */
function parseIso(text: string): Instant | undefined {
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
function epochInstant(v: number | bigint): Instant | undefined {
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

function temporal(v: unknown): Instant | string | undefined {
  if (typeof v === 'string') {
    const word = v.trim().toLowerCase();
    if (word === 'infinity' || word === '-infinity') return word;
    return parseIso(v);
  }
  if (typeof v === 'number' || typeof v === 'bigint') return epochInstant(v);
  return undefined;
}

function timestampValue(v: unknown): string {
  const t = temporal(v);
  if (typeof t === 'object') return timestampText(t);
  if (typeof t === 'string') return t;
  if (v instanceof Uint8Array) return tagged('x', hex(v));
  return tagged('t', String(v));
}

function dateValue(v: unknown): string {
  const t = temporal(v);
  if (typeof t === 'object') return t.micros === 0 ? dateText(t.days) : timestampText(t);
  if (typeof t === 'string') return t;
  if (v instanceof Uint8Array) return tagged('x', hex(v));
  return tagged('t', String(v));
}

function uuidValue(v: unknown): string {
  let digits: string | undefined;
  if (typeof v === 'string') digits = v.trim().toLowerCase().replace(/[{}-]/g, '');
  else if (v instanceof Uint8Array && v.byteLength === 16) digits = hex(v);
  if (!digits || !/^[0-9a-f]{32}$/.test(digits)) return tagged('t', String(v));
  return `${digits.slice(0, 8)}-${digits.slice(8, 12)}-${digits.slice(12, 16)}-${digits.slice(16, 20)}-${digits.slice(20)}`;
}

function textValue(v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'bigint' || typeof v === 'number') return String(v);
  if (v instanceof Uint8Array) return tagged('x', hex(v));
  return tagged('?', String(v));
}

function bytesValue(v: unknown): string {
  if (v instanceof Uint8Array) return hex(v);
  if (typeof v === 'string') return Buffer.from(v, 'utf8').toString('hex');
  return tagged('n', String(v));
}

function anyValue(v: unknown): string {
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

const NULL_SEED_HIGH = Number(NULL_SEED >> 32n);
const NULL_SEED_LOW = Number(NULL_SEED & 0xffffffffn);

/** The row hash chain over canonical texts (the JavaScript twin of the PostgreSQL chain). */
export function canonicalRowHash(codes: readonly string[], values: readonly unknown[]): bigint {
  let high = 0;
  let low = 0;
  for (let i = 0; i < codes.length; i++) {
    const text = canonicalValue(codes[i], values[i]);
    if (text === null) {
      high = (high ^ NULL_SEED_HIGH) >>> 0;
      low = (low ^ NULL_SEED_LOW) >>> 0;
    }
    const length = text ? encodeUtf8(text) : 0; // may replace the buffer: encode first
    hashBytes(utf8Buffer, length, high, low);
    high = hashState[1];
    low = hashState[2];
  }
  return BigInt.asIntN(64, (BigInt(high) << 32n) | BigInt(low));
}

// ---------------------------------------------------------------------------------------------
// SQLite functions

/** `cutover_recon_canon(code, value)`: canonical text of a value. */
export const SQLITE_RECON_CANON = 'cutover_recon_canon';
/** `cutover_recon_hash(spec, col1, ...)`: row hash as decimal text; spec = codes joined by ','. */
export const SQLITE_RECON_HASH = 'cutover_recon_hash';
/** Aggregate `cutover_recon_sum(spec, col1, ...)`: sum of the row hashes, as decimal text. */
export const SQLITE_RECON_SUM = 'cutover_recon_sum';

const specCache = new Map<string, string[]>();

function parseSpec(spec: unknown): string[] {
  if (typeof spec !== 'string') throw new TypeError('Row hash spec must be text');
  let codes = specCache.get(spec);
  if (!codes) {
    codes = spec.split(',');
    if (codes.some(c => !CODES.has(c))) throw new TypeError(`Bad row hash spec '${spec}'`);
    if (specCache.size > 1000) specCache.clear();
    specCache.set(spec, codes);
  }
  return codes;
}

const preparedSqlite = new WeakSet<object>();

/** Registers the reconciliation functions on one better-sqlite3 connection; idempotent. */
export function prepareSqliteReconciliation(connection: unknown): void {
  const db = connection as SqliteFunctionHost;
  if (!db || typeof db.function !== 'function' || typeof db.aggregate !== 'function') {
    throw new TypeError('Not a better-sqlite3 connection');
  }
  if (preparedSqlite.has(db)) return;
  const options = { deterministic: true, safeIntegers: true };
  db.function(SQLITE_RECON_CANON, options, (code, value) => canonicalValue(String(code), value));
  db.function(SQLITE_RECON_HASH, { ...options, varargs: true }, (spec, ...values) =>
    canonicalRowHash(parseSpec(spec), values).toString(),
  );
  db.aggregate(SQLITE_RECON_SUM, {
    start: () => ({ sum: 0n }),
    step: (total, spec, ...values) => {
      const t = total as { sum: bigint };
      t.sum += canonicalRowHash(parseSpec(spec), values);
      return t;
    },
    result: total => (total as { sum: bigint }).sum.toString(),
    ...options,
    varargs: true,
  });
  preparedSqlite.add(db);
}

// ---------------------------------------------------------------------------------------------
// Tables and columns

const PLAIN_IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
const MAX_IDENTIFIER = 63;

function isPlainIdentifier(name: unknown): name is string {
  return typeof name === 'string' && PLAIN_IDENTIFIER.test(name) && name.length <= MAX_IDENTIFIER;
}

/** Names read from the catalogs: anything knex `??` quotes faithfully. */
function checkCatalogName(name: string, what: string): string {
  if (
    !name ||
    /[.?"`\\]/.test(name) ||
    name.includes(String.fromCharCode(0)) ||
    /\sas\s/i.test(name) ||
    name.trim() !== name
  ) {
    throw new InputError(`${what} '${name}' contains characters that cannot be quoted safely`);
  }
  return name;
}

function parseTable(table: string, dialect: Dialect): { schema?: string; name: string } {
  const parts = typeof table === 'string' ? table.split('.') : [];
  const max = dialect === 'pg' ? 2 : 1;
  if (parts.length < 1 || parts.length > max || !parts.every(isPlainIdentifier)) {
    throw new InputError(
      `Table name '${table}' is not valid: use ${dialect === 'pg' ? '[schema.]table' : 'table'} with letters, digits and _`,
    );
  }
  return parts.length === 2 ? { schema: parts[0], name: parts[1] } : { name: parts[0] };
}

interface Column {
  name: string;
  /** PostgreSQL: type name (base type of domains); SQLite: declared type, upper case. */
  type: string;
  notNull: boolean;
  /** PostgreSQL type modifier, -1 for none (an unconstrained numeric can hold infinities). */
  typmod?: number;
  /** PostgreSQL: the column's collation orders text by its UTF-8 bytes (its index serves ranges). */
  byteOrder?: boolean;
}


interface TableInfo {
  dialect: Dialect;
  /** For `??`: `schema.table` or `table`. */
  qualified: string;
  columns: Column[];
  /** PostgreSQL server_version_num. */
  version?: number;
  encoding?: string;
}

type Db = Knex | Knex.Transaction;

async function query<T>(db: Db, dialect: Dialect, fragment: Fragment): Promise<T[]> {
  const result = await db.raw(fragment.sql, fragment.bindings as Knex.RawBinding[]);
  return (dialect === 'pg' ? result.rows : result) as T[];
}

/** Runs one statement and returns its rows. */
type Run = <T>(fragment: Fragment) => Promise<T[]>;

async function pgTableInfo(run: Run, target: CutoverDatasetTarget): Promise<TableInfo> {
  const table = parseTable(target.table, 'pg');
  const name = table.schema
    ? sql`format('%I.%I', ${val(table.schema)}::text, ${val(table.name)}::text)`
    : sql`format('%I', ${val(table.name)}::text)`;
  // One statement: the relation, its columns (domains as their base type) and the server's facts.
  const rows = await run<{
    schema: string;
    name: string;
    kind: string;
    version: string;
    encoding: string;
    column: string | null;
    type: string;
    notNull: boolean;
    typmod: number;
    byteOrder: boolean | null;
  }>(
    sql`SELECT n.nspname AS schema, c.relname AS name, c.relkind AS kind,
          current_setting('server_version_num') AS version, current_setting('server_encoding') AS encoding,
          a.attname AS "column", CASE WHEN t.typtype = 'd' THEN bt.typname ELSE t.typname END AS type,
          a.attnotnull AS "notNull", CASE WHEN t.typtype = 'd' THEN t.typtypmod ELSE a.atttypmod END AS typmod,
          CASE WHEN co.collname IN ('C', 'POSIX', 'ucs_basic') THEN true
            WHEN co.collname = 'default' THEN (
              SELECT array_agg(x ORDER BY x) = array_agg(x ORDER BY x COLLATE "C")
              FROM unnest(ARRAY['a', 'B', 'b', 'A', 'é', 'e', 'z', 'Z', 'ä', 'ß', 'ss', ' x', '-x', '_x', '0', '~',
                'Ω', '日本', 'ﬁ', 'fi', 'x y', 'xy']) x)
            ELSE false END AS "byteOrder"
        FROM pg_class c
        JOIN pg_namespace n ON n.oid = c.relnamespace
        LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
        LEFT JOIN pg_type t ON t.oid = a.atttypid
        LEFT JOIN pg_type bt ON bt.oid = t.typbasetype
        LEFT JOIN pg_collation co ON co.oid = a.attcollation
        WHERE c.oid = to_regclass(${name})
        ORDER BY a.attnum`,
  );
  const relation = rows[0];
  if (!relation) {
    throw new NotFoundError(`Table '${target.table}' of dataset '${target.dataset}' does not exist`);
  }
  if (!['r', 'p', 'v', 'm', 'f'].includes(relation.kind)) {
    throw new InputError(`'${target.table}' of dataset '${target.dataset}' is not a table or view`);
  }
  return {
    dialect: 'pg',
    qualified: `${checkCatalogName(relation.schema, 'Schema')}.${checkCatalogName(relation.name, 'Table')}`,
    columns: rows
      .filter(c => c.column !== null)
      .map(c => ({
        name: checkCatalogName(c.column!, 'Column'),
        type: c.type,
        notNull: c.notNull,
        typmod: Number(c.typmod),
        byteOrder: c.byteOrder === true,
      })),
    version: Number(relation.version),
    encoding: relation.encoding,
  };
}

async function sqliteTableInfo(run: Run, target: CutoverDatasetTarget): Promise<TableInfo> {
  const table = parseTable(target.table, 'sqlite');
  const [found] = await run<{ name: string }>(
    sql`SELECT name FROM sqlite_master WHERE type IN ('table', 'view') AND name = ${val(table.name)} COLLATE NOCASE`,
  );
  if (!found) {
    throw new NotFoundError(`Table '${target.table}' of dataset '${target.dataset}' does not exist`);
  }
  const columns = await run<{ name: string; type: string | null; notnull: number; hidden: number }>(
    sql`SELECT name, type, "notnull", hidden FROM pragma_table_xinfo(${val(found.name)})`,
  );
  return {
    dialect: 'sqlite',
    qualified: checkCatalogName(found.name, 'Table'),
    columns: columns
      .filter(c => Number(c.hidden) !== 1)
      .map(c => ({
        name: checkCatalogName(c.name, 'Column'),
        type: (c.type ?? '').toUpperCase(),
        notNull: Number(c.notnull) === 1,
      })),
  };
}

// ---------------------------------------------------------------------------------------------
// Column plan: which columns are compared, in which order, in which canonical form.

const PG_INT = new Set(['int2', 'int4', 'int8']);
const PG_TEXT = new Set(['text', 'varchar', 'name']);
const PG_TIMESTAMP = new Set(['timestamp', 'timestamptz']);

function pgCode(type: string): Code {
  if (PG_INT.has(type) || type === 'numeric') return 'n';
  if (type === 'float4') return 'f6';
  if (type === 'float8') return 'f15';
  if (type === 'bool') return 'b';
  if (type === 'date') return 'd';
  if (PG_TIMESTAMP.has(type)) return 'ts';
  if (type === 'uuid') return 'u';
  if (type === 'bytea') return 'x';
  return 't';
}

type SqliteKind = 'int' | 'real' | 'numeric' | 'bool' | 'date' | 'ts' | 'text' | 'bytes' | 'uuid' | 'any';

/** Kind of a SQLite column from its declared type (SQLite's affinity rules, plus common names). */
function sqliteKind(declared: string): SqliteKind {
  const t = declared.toUpperCase();
  if (t.includes('BOOL')) return 'bool';
  if (t.includes('INT')) return 'int';
  if (t.startsWith('DATETIME') || t.startsWith('TIMESTAMP')) return 'ts';
  if (t.startsWith('DATE')) return 'date';
  if (t.startsWith('UUID')) return 'uuid';
  if (t.includes('CHAR') || t.includes('CLOB') || t.includes('TEXT') || t.startsWith('JSON') || t.startsWith('TIME')) {
    return 'text';
  }
  if (t.includes('BLOB')) return 'bytes';
  if (!t) return 'any';
  if (t.includes('REAL') || t.includes('FLOA') || t.includes('DOUB')) return 'real';
  return 'numeric';
}

const SQLITE_CODE: Record<SqliteKind, Code> = {
  int: 'n',
  real: 'f15',
  numeric: 'f15',
  bool: 'b',
  date: 'd',
  ts: 'ts',
  text: 't',
  bytes: 'x',
  uuid: 'u',
  any: 'a',
};

const NUMBER_CODES: ReadonlySet<Code> = new Set(['n', 'f15', 'f6']);

/** One canonical form for two forms, when the sides' types differ. */
function mergeCodes(a: Code, b: Code): Code {
  if (a === b) return a;
  if (NUMBER_CODES.has(a) && NUMBER_CODES.has(b)) return a === 'f6' || b === 'f6' ? 'f6' : 'f15';
  if ((a === 'd' && b === 'ts') || (a === 'ts' && b === 'd')) return 'ts';
  if (a === 't' || a === 'a') return b;
  return a;
}

function pairCode(src: Column, dst: Column, srcDialect: Dialect, dstDialect: Dialect): Code {
  if (srcDialect === 'pg' && dstDialect === 'pg') {
    const code = mergeCodes(pgCode(dst.type), pgCode(src.type));
    return code === 'a' ? 't' : code;
  }
  if (srcDialect === 'sqlite' && dstDialect === 'sqlite') {
    return mergeCodes(SQLITE_CODE[sqliteKind(dst.type)], SQLITE_CODE[sqliteKind(src.type)]);
  }
  const [pg, lite] = srcDialect === 'pg' ? [src, dst] : [dst, src];
  const code = pgCode(pg.type);
  const floatish = ['real', 'numeric', 'any'].includes(sqliteKind(lite.type));
  return code === 'n' && floatish ? 'f15' : code;
}

/** PostgreSQL hash families whose members hash equal values alike (native scheme). */
function nativeFamily(type: string): string | undefined {
  if (PG_INT.has(type)) return 'int';
  // float4 and float8 are separate: a float4 copied to float8 is compared at float4's 6 digits.
  if (type === 'float4' || type === 'float8') return type;
  if (type === 'text' || type === 'varchar') return 'text';
  if (PG_TIMESTAMP.has(type)) return 'ts';
  if (['numeric', 'bpchar', 'bool', 'date', 'uuid', 'jsonb', 'interval', 'time'].includes(type)) return type;
  return undefined;
}

type KeyOrder = 'int' | 'text' | 'canonical';

interface ColumnPair {
  src: Column;
  dst: Column;
  code: Code;
  /** Native hash family when both sides are PostgreSQL and the types are compatible. */
  family?: string;
  /** For key columns: how ranges order them. */
  order?: KeyOrder;
}

interface Plan {
  pairs: ColumnPair[];
  keyCount: number;
  scheme: 'native' | 'canonical';
  /** The first key (integer, NOT NULL on both sides) is the first seed itself. */
  foldFirst: boolean;
  notes: string[];
}

function keyOrderOf(src: Column, dst: Column, srcDialect: Dialect, dstDialect: Dialect): KeyOrder {
  const isInt = (c: Column, d: Dialect) => (d === 'pg' ? PG_INT.has(c.type) : sqliteKind(c.type) === 'int');
  const isText = (c: Column, d: Dialect) => (d === 'pg' ? PG_TEXT.has(c.type) : sqliteKind(c.type) === 'text');
  if (isInt(src, srcDialect) && isInt(dst, dstDialect)) return 'int';
  if (isText(src, srcDialect) && isText(dst, dstDialect)) return 'text';
  if (isInt(src, srcDialect) !== isInt(dst, dstDialect) && (isText(src, srcDialect) || isText(dst, dstDialect))) {
    throw new InputError(
      `Key columns '${src.name}' and '${dst.name}' have different kinds of type (integer and text) on the two sides`,
    );
  }
  return 'canonical';
}

function findColumns(info: TableInfo, names: string[], target: CutoverDatasetTarget): Column[] {
  return names.map(key => {
    if (!isPlainIdentifier(key)) throw new InputError(`Key column '${key}' is not a valid identifier`);
    const found =
      info.columns.find(c => c.name === key) ??
      info.columns.find(c => c.name.toLowerCase() === key.toLowerCase());
    if (!found) throw new InputError(`Key column '${key}' is not a column of '${target.table}'`);
    return found;
  });
}

function byLowerName(info: TableInfo, side: string): Map<string, Column> {
  const map = new Map<string, Column>();
  for (const column of info.columns) {
    const lower = column.name.toLowerCase();
    if (map.has(lower)) {
      throw new InputError(`The ${side} table has two columns named '${column.name}' but for case`);
    }
    map.set(lower, column);
  }
  return map;
}

function makePlan(
  src: TableInfo,
  dst: TableInfo,
  source: CutoverDatasetTarget,
  destination: CutoverDatasetTarget,
): Plan {
  const srcKeys = findColumns(src, source.keyColumns ?? [], source);
  const dstKeys = findColumns(dst, destination.keyColumns ?? [], destination);
  if (!srcKeys.length) throw new InputError(`Dataset '${source.dataset}' has no key columns`);
  if (srcKeys.length !== dstKeys.length) {
    throw new InputError('Source and destination must have the same number of key columns');
  }
  const native = src.dialect === 'pg' && dst.dialect === 'pg' && (src.version ?? 0) >= 140000 && (dst.version ?? 0) >= 140000;
  const pair = (s: Column, d: Column, isKey: boolean): ColumnPair => {
    const code = pairCode(s, d, src.dialect, dst.dialect);
    const family = native && nativeFamily(s.type) === nativeFamily(d.type) ? nativeFamily(s.type) : undefined;
    return { src: s, dst: d, code, family, order: isKey ? keyOrderOf(s, d, src.dialect, dst.dialect) : undefined };
  };
  const keyPairs = srcKeys.map((s, i) => pair(s, dstKeys[i], true));
  const srcByName = byLowerName(src, 'source');
  const dstByName = byLowerName(dst, 'destination');
  const srcKeyNames = new Set(srcKeys.map(c => c.name.toLowerCase()));
  const dstKeyNames = new Set(dstKeys.map(c => c.name.toLowerCase()));
  // The plan's renamed columns (source -> destination) and the columns it leaves out.
  const renamed = new Map<string, string>();
  for (const [from, to] of Object.entries(source.columnMap ?? {})) {
    const s = srcByName.get(from.toLowerCase());
    if (!s) throw new InputError(`columnMap of '${source.dataset}': the source table has no column '${from}'`);
    if (!dstByName.has(to.toLowerCase())) {
      throw new InputError(`columnMap of '${source.dataset}': the destination table has no column '${to}' (for source column '${from}')`);
    }
    if (srcKeyNames.has(from.toLowerCase())) {
      throw new InputError(`columnMap of '${source.dataset}': '${from}' is a key column; key columns are paired by keyColumns`);
    }
    renamed.set(from.toLowerCase(), to.toLowerCase());
  }
  const ignored = new Set((source.ignoreColumns ?? []).map(c => c.toLowerCase()));
  const renamedTargets = new Set(renamed.values());
  const onlySource: string[] = [];
  const onlyDestination: string[] = [];
  const skipped: string[] = [];
  const others: ColumnPair[] = [];
  for (const [lower, s] of srcByName) {
    if (srcKeyNames.has(lower)) continue;
    const target = renamed.get(lower) ?? lower;
    if (ignored.has(lower) || ignored.has(target)) {
      skipped.push(s.name);
      continue;
    }
    const d = dstByName.get(target);
    // A destination column another source column is renamed to is not paired by name as well.
    if (!d || dstKeyNames.has(target) || (!renamed.has(lower) && renamedTargets.has(target))) onlySource.push(s.name);
    else others.push(pair(s, d, false));
  }
  const paired = new Set(others.map(p => p.dst.name.toLowerCase()));
  for (const [lower, d] of dstByName) {
    if (dstKeyNames.has(lower) || paired.has(lower)) continue;
    if (ignored.has(lower)) {
      if (!skipped.some(n => n.toLowerCase() === lower)) skipped.push(d.name);
    } else onlyDestination.push(d.name);
  }
  // A fixed order, the same on both sides (by code unit, independent of any locale).
  others.sort((a, b) => (a.src.name.toLowerCase() < b.src.name.toLowerCase() ? -1 : 1));
  const pairs = [...keyPairs, ...others];
  const limit = 126;
  if ((src.dialect === 'sqlite' || dst.dialect === 'sqlite') && pairs.length > limit) {
    throw new InputError(`At most ${limit} columns can be compared on SQLite (${pairs.length} found)`);
  }
  const notes: string[] = [];
  if (renamed.size) {
    notes.push(`Columns compared under another name: ${[...renamed].map(([from, to]) => `${from} -> ${to}`).join(', ')}`);
  }
  if (skipped.length) notes.push(`Columns left out by the plan (ignoreColumns): ${skipped.join(', ')}`);
  if (onlySource.length) notes.push(`Columns only in the source, not compared: ${onlySource.join(', ')}`);
  if (onlyDestination.length) {
    notes.push(`Columns only in the destination, not compared: ${onlyDestination.join(', ')}`);
  }
  const first = pairs[0];
  const hashedAfterFirst = pairs.slice(1).filter(p => p.family !== 'bool').length;
  const foldFirst = native && first.family === 'int' && first.src.notNull && first.dst.notNull && hashedAfterFirst >= 2;
  return { pairs, keyCount: keyPairs.length, scheme: native ? 'native' : 'canonical', foldFirst, notes };
}

// ---------------------------------------------------------------------------------------------
// SQL of one side

/** PostgreSQL canonical text of a column of `type` in form `code` (see the module comment). */
function pgCanonical(col: Fragment, type: string, code: Code): Fragment {
  const numeric = PG_INT.has(type) || type === 'numeric' || type === 'float4' || type === 'float8';
  switch (code) {
    case 'n':
      if (PG_INT.has(type)) return sql`${col}::text`;
      return numeric ? sql`trim_scale(${col}::numeric)::text` : sql`${col}::text`;
    case 'f15':
      if (type === 'float8') return sql`trim_scale(${col}::numeric)::text`;
      return numeric ? sql`trim_scale(${col}::float8::numeric)::text` : sql`${col}::text`;
    case 'f6':
      if (type === 'float4') return sql`trim_scale(${col}::numeric)::text`;
      return numeric ? sql`trim_scale(${col}::float4::numeric)::text` : sql`${col}::text`;
    case 'ts':
      if (type === 'timestamptz') return sql`(${col} AT TIME ZONE 'UTC')::text`;
      if (type === 'date') return sql`${col}::timestamp::text`;
      return sql`${col}::text`;
    case 'u':
      return type === 'uuid' ? sql`${col}::text` : sql`lower(${col}::text)`;
    case 'x':
      if (type === 'bytea') return sql`encode(${col}, 'hex')`;
      return sql`encode(convert_to(${col}::text, 'UTF8'), 'hex')`;
    default:
      return sql`${col}::text`;
  }
}

/** A constant SQL expression of this module (never data, never a name). */
function constant(text: string): Fragment {
  return { sql: text, bindings: [] };
}

/**
 * One native hashing step of PostgreSQL: H(value, seed) for a column of `type` in `family`. A NULL
 * is hashed as a constant of the type; the row's flags (see pgFlags) tell them apart.
 */
function pgNativeStep(
  col: Fragment,
  type: string,
  family: string,
  seed: Fragment,
  nullable: boolean,
  wide: boolean,
): Fragment {
  const value = (fallback: string) => (nullable ? sql`coalesce(${col}, ${constant(fallback)})` : col);
  switch (family) {
    case 'int': {
      // hashint8extended folds a value to 32 bits (low XOR high half) before hashing, so -1 and
      // 4294967295 would hash alike: when either side is int8, the high half goes into the seed
      // (the pair high half + folded value determines the value). Same on both sides: an int4's
      // high half is its sign extension.
      const widened = wide ? sql`(${seed} # (${value('0')}::int8 >> 32))` : seed;
      if (type === 'int2') return sql`hashint2extended(${value('0::int2')}, ${widened})`;
      if (type === 'int4') return sql`hashint4extended(${value('0')}, ${widened})`;
      return sql`hashint8extended(${value('0::int8')}, ${widened})`;
    }
    case 'numeric':
      // Ignores the sign and gives the seed for NaN and infinities: the flags carry those.
      return sql`hash_numeric_extended(${value('0::numeric')}, ${seed})`;
    case 'float4':
      return sql`hashfloat4extended(${value('0::float4')}, ${seed})`;
    case 'float8':
      return sql`hashfloat8extended(${value('0::float8')}, ${seed})`;
    case 'text':
      return sql`hashtextextended(${value("''")} COLLATE "C", ${seed})`;
    case 'bpchar':
      return sql`hashbpcharextended(${value("''::bpchar")} COLLATE "C", ${seed})`;
    case 'date':
      return sql`timestamp_hash_extended(${value("'epoch'::date")}::timestamp, ${seed})`;
    case 'ts':
      if (type === 'timestamptz') {
        // The UTC wall-clock time, without a time zone lookup (a plain shift by zero).
        return sql`timestamp_hash_extended(${value("'epoch'::timestamptz")} AT TIME ZONE INTERVAL '00:00', ${seed})`;
      }
      return sql`timestamp_hash_extended(${value("'epoch'::timestamp")}, ${seed})`;
    case 'uuid':
      return sql`uuid_hash_extended(${value("'00000000-0000-0000-0000-000000000000'::uuid")}, ${seed})`;
    case 'jsonb':
      return sql`jsonb_hash_extended(${value("'null'::jsonb")}, ${seed})`;
    case 'interval':
      return sql`interval_hash_extended(${value("'0'::interval")}, ${seed})`;
    case 'time':
      return sql`time_hash_extended(${value("'00:00'::time")}, ${seed})`;
    default:
      throw new Error(`No native hash for family ${family}`);
  }
}

/** A well-mixed positive 63-bit constant for flag pattern `index` of flag group `group`. */
function flagConstant(group: number, index: number): bigint {
  // splitmix64
  let z = BigInt.asUintN(64, BigInt(group * 4096 + index + 1) * 0x9e3779b97f4a7c15n);
  z = BigInt.asUintN(64, (z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n);
  z = BigInt.asUintN(64, (z ^ (z >> 27n)) * 0x94d049bb133111ebn);
  return BigInt.asUintN(63, z ^ (z >> 31n));
}

/** States of one column that its hash does not see, as a CASE choosing among `count` leaves. */
interface FlagColumn {
  count: number;
  tree: (leaf: (state: number) => Fragment) => Fragment;
}

function flagColumn(col: Fragment, family: string | undefined, infinities: boolean): FlagColumn {
  if (family === 'bool') {
    return {
      count: 3,
      tree: leaf => sql`CASE WHEN ${col} IS NULL THEN ${leaf(0)} WHEN ${col} THEN ${leaf(1)} ELSE ${leaf(2)} END`,
    };
  }
  if (family === 'numeric' && !infinities) {
    // numeric(p,s) cannot hold infinities; its NaN hashes as the bare seed, unlike any number.
    return {
      count: 3,
      tree: leaf => sql`CASE WHEN ${col} IS NULL THEN ${leaf(0)} WHEN ${col} < 0 THEN ${leaf(1)} ELSE ${leaf(2)} END`,
    };
  }
  if (family === 'numeric') {
    return {
      count: 5,
      tree: leaf => sql`CASE WHEN ${col} IS NULL THEN ${leaf(0)} WHEN ${col} < 0 THEN ${leaf(1)}
        WHEN ${col} >= 'Infinity'::numeric THEN CASE WHEN ${col} = 'Infinity'::numeric THEN ${leaf(2)} ELSE ${leaf(3)} END
        ELSE ${leaf(4)} END`,
    };
  }
  return { count: 2, tree: leaf => sql`CASE WHEN ${col} IS NULL THEN ${leaf(0)} ELSE ${leaf(1)} END` };
}

/**
 * The flags of a row for the native scheme: for groups of columns (at most 64 combinations each),
 * one constant per combination of their NULLs, boolean values and numeric sign/NaN/infinity (for
 * numeric(p,s) on both sides, which cannot hold infinities, only the sign),
 * chosen by nested CASEs (no function calls but numeric comparisons) and XOR-ed into one seed.
 */
function pgFlags(columns: FlagColumn[]): Fragment[] {
  const groups: FlagColumn[][] = [];
  let size = Infinity;
  for (const column of columns) {
    if (size * column.count > 64) {
      groups.push([]);
      size = 1;
    }
    groups[groups.length - 1].push(column);
    size *= column.count;
  }
  return groups.map((group, g) => {
    const build = (j: number, prefix: number): Fragment =>
      j === group.length ? lit(flagConstant(g, prefix)) : group[j].tree(state => build(j + 1, prefix * group[j].count + state));
    return build(0, 0);
  });
}

/**
 * The native row hash of PostgreSQL: each column (booleans excepted) hashed by its type's hash
 * function, seeded with the previous column's hash; the flags XOR-ed into one seed that is itself a
 * hash (or the constant start); a leading integer key that is NOT NULL on both sides is the first
 * seed itself.
 */
function pgNativeChain(plan: Plan, columns: Column[], colRefs: Fragment[]): Fragment {
  const start = plan.foldFirst ? 1 : 0;
  const flags: FlagColumn[] = [];
  const steps: Array<(seed: Fragment) => Fragment> = [];
  for (let i = start; i < plan.pairs.length; i++) {
    const pair = plan.pairs[i];
    const col = colRefs[i];
    const nullable = !columns[i].notNull;
    if (pair.family === 'bool' || pair.family === 'numeric' || !pair.src.notNull || !pair.dst.notNull) {
      const infinities = (pair.src.typmod ?? -1) < 0 || (pair.dst.typmod ?? -1) < 0;
      flags.push(flagColumn(col, pair.family, infinities));
    }
    if (pair.family === 'bool') continue;
    const family = pair.family;
    steps.push(seed =>
      family
        ? pgNativeStep(col, columns[i].type, family, seed, nullable, pair.src.type === 'int8' || pair.dst.type === 'int8')
        : sql`hashtextextended(coalesce(${pgCanonical(col, columns[i].type, pair.code)}, '') COLLATE "C", ${seed})`,
    );
  }
  const flagAt = plan.foldFirst ? 1 : 0;
  while (steps.length <= flagAt) steps.push(seed => sql`hashtextextended('', ${seed})`);
  let chain = sql`0::int8`;
  if (plan.foldFirst) chain = columns[0].type === 'int8' ? colRefs[0] : sql`${colRefs[0]}::int8`;
  const flagTerms = pgFlags(flags);
  steps.forEach((step, i) => {
    const seed = i === flagAt && flagTerms.length ? sql`(${join([chain, ...flagTerms], ' # ')})` : chain;
    chain = step(seed);
  });
  return chain;
}

/** Canonical-text hashing step of PostgreSQL. */
function pgTextStep(col: Fragment, type: string, code: Code, seed: Fragment, nullable: boolean): Fragment {
  const text = pgCanonical(col, type, code);
  if (!nullable) return sql`hashtextextended((${text}) COLLATE "C", ${seed})`;
  return sql`hashtextextended(coalesce(${text}, '') COLLATE "C", (${seed} # CASE WHEN ${col} IS NULL THEN ${lit(NULL_SEED)} ELSE 0::int8 END))`;
}

interface Side {
  role: 'source' | 'destination';
  dialect: Dialect;
  session: Session;
  table: Fragment;
  /** `count(*) AS n, <checksum> AS s` */
  aggregate: Fragment;
  /** Row hash as decimal text. */
  rowHash: Fragment;
  /** Canonical text of each key column. */
  keyText: Fragment[];
  /** Ordering expression of each key column (with its collation). */
  keyOrder: Fragment[];
  /** Raw key columns. */
  keyColumns: Fragment[];
  keyNullable: boolean[];
  /** Rows with a NULL key part, if the side can have any. */
  special?: Fragment;
  /** A key bound (canonical text) as a value of key column `i`. */
  bind(i: number, value: string): Fragment;
  /** Integer first key: bound as an integer. */
  bindInt(value: bigint): Fragment;
  /** Runs a whole-table GROUP BY pass with settings that favour parallel hash aggregation. */
  groupPass<T>(fragment: Fragment): Promise<T[]>;
}

/**
 * PostgreSQL plans a GROUP BY on a computed bucket expecting as many groups as rows, and so sorts
 * the whole table; with sorting discouraged and gathering rows made free it aggregates in parallel
 * workers with small hash tables instead (about twice as fast on a 1M-row table). The settings are
 * put back afterwards.
 */
async function pgGroupPass<T>(session: Session, fragment: Fragment): Promise<T[]> {
  const [previous] = await session.rows<{ sort: string; tuple: string }>(
    sql`SELECT current_setting('enable_sort') AS sort, current_setting('parallel_tuple_cost') AS tuple,
          set_config('enable_sort', 'off', true), set_config('parallel_tuple_cost', '0', true)`,
  );
  try {
    return await session.rows<T>(fragment);
  } finally {
    await session.rows(
      sql`SELECT set_config('enable_sort', ${val(previous.sort)}, true), set_config('parallel_tuple_cost', ${val(previous.tuple)}, true)`,
    );
  }
}

function buildSide(role: 'source' | 'destination', info: TableInfo, plan: Plan, session: Session): Side {
  const columns = plan.pairs.map(p => (role === 'source' ? p.src : p.dst));
  const colRefs = columns.map(c => ident(c.name));
  const keyPairs = plan.pairs.slice(0, plan.keyCount);
  const keyColumns = colRefs.slice(0, plan.keyCount);
  const keyNullable = columns.slice(0, plan.keyCount).map(c => !c.notNull);
  const special = keyNullable.some(Boolean)
    ? join(
        keyColumns.filter((_, i) => keyNullable[i]).map(c => sql`${c} IS NULL`),
        ' OR ',
      )
    : undefined;
  if (info.dialect === 'pg') {
    let chain: Fragment;
    if (plan.scheme === 'native') {
      chain = pgNativeChain(plan, columns, colRefs);
    } else {
      chain = sql`0::int8`;
      columns.forEach((column, i) => {
        chain = pgTextStep(colRefs[i], column.type, plan.pairs[i].code, chain, !column.notNull);
      });
    }
    const keyText = keyPairs.map((p, i) => pgCanonical(keyColumns[i], columns[i].type, p.code));
    const keyOrder = keyPairs.map((p, i) => {
      // A column already in byte order is compared as it is, so that its index serves ranges.
      if (p.order === 'int' || (p.order === 'text' && columns[i].byteOrder)) return keyColumns[i];
      if (p.order === 'text') return sql`${keyColumns[i]} COLLATE "C"`;
      return sql`(${keyText[i]}) COLLATE "C"`;
    });
    return {
      role,
      dialect: 'pg',
      session,
      table: ident(info.qualified),
      aggregate: sql`count(*)::text AS n, coalesce(sum(${chain}), 0)::text AS s`,
      rowHash: sql`(${chain})::text`,
      keyText,
      keyOrder,
      keyColumns,
      keyNullable,
      special,
      bind: (i, value) => (keyPairs[i].order === 'int' ? sql`CAST(${val(value)} AS bigint)` : val(value)),
      bindInt: value => sql`CAST(${val(value.toString())} AS bigint)`,
      groupPass: <T>(fragment: Fragment) => pgGroupPass<T>(session, fragment),
    };
  }
  const spec = val(plan.pairs.map(p => p.code).join(','));
  const all = join(colRefs, ', ');
  const keyText = keyPairs.map((p, i) => sql`cutover_recon_canon(${val(p.code)}, ${keyColumns[i]})`);
  const keyOrder = keyPairs.map((p, i) => {
    if (p.order === 'int') return keyColumns[i];
    if (p.order === 'text') return sql`${keyColumns[i]} COLLATE BINARY`;
    return sql`${keyText[i]} COLLATE BINARY`;
  });
  // better-sqlite3 binds JavaScript numbers as REAL; BigInt binds as INTEGER.
  const asInteger = (value: string): unknown => BigInt(value);
  return {
    role,
    dialect: 'sqlite',
    session,
    table: ident(info.qualified),
    aggregate: sql`count(*) AS n, cutover_recon_sum(${spec}, ${all}) AS s`,
    rowHash: sql`cutover_recon_hash(${spec}, ${all})`,
    keyText,
    keyOrder,
    keyColumns,
    keyNullable,
    special,
    bind: (i, value) => (keyPairs[i].order === 'int' && /^-?\d+$/.test(value) ? val(asInteger(value)) : val(value)),
    bindInt: value => val(asInteger(value.toString())),
    groupPass: <T>(fragment: Fragment) => session.rows<T>(fragment),
  };
}

// ---------------------------------------------------------------------------------------------
// Sessions: one read-only transaction per side (shared by both sides on one SQLite instance)

interface Session {
  rows<T>(fragment: Fragment): Promise<T[]>;
  close(): Promise<void>;
}

/** Session settings pinned on PostgreSQL for the comparison's transaction. */
function pgSettings(workMem: string): Array<[string, string]> {
  return [
    ['TimeZone', 'UTC'],
    ['DateStyle', 'ISO, YMD'],
    ['IntervalStyle', 'postgres'],
    ['extra_float_digits', '1'],
    ['bytea_output', 'hex'],
    ['jit', 'off'],
    ['work_mem', workMem],
  ];
}

async function openSession(knex: Knex, dialect: Dialect, stats: KnexReconcilerStats, workMem: string): Promise<Session> {
  const trx =
    dialect === 'pg'
      ? await knex.transaction({ isolationLevel: 'repeatable read', readOnly: true })
      : await knex.transaction();
  try {
    if (dialect === 'pg') {
      const calls = pgSettings(workMem).map(([name, value]) => sql`set_config(${val(name)}, ${val(value)}, true)`);
      await query(trx, 'pg', sql`SELECT ${join(calls, ', ')}`);
    } else {
      // Inside a transaction, knex hands back the transaction's own connection.
      const connection = await (trx.client as { acquireConnection(): Promise<unknown> }).acquireConnection();
      prepareSqliteReconciliation(connection);
    }
  } catch (error) {
    await trx.rollback().catch(() => {});
    throw error;
  }
  return {
    rows: async <T>(fragment: Fragment) => {
      stats.queries += 1;
      const result = await query<T>(trx, dialect, fragment);
      stats.rowsFetched += result.length;
      return result;
    },
    close: async () => {
      if (!trx.isCompleted()) await trx.commit();
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Bisection

interface Range {
  /** Inclusive lower bound: canonical key values of a key prefix. */
  lo?: string[];
  /** Exclusive upper bound. */
  hi?: string[];
  /** The range of rows with a NULL key part. */
  special?: boolean;
  /** The whole table. */
  root?: boolean;
  depth: number;
  counts: [number, number];
  sums: [string, string];
}

type Kind = 'missingInDestination' | 'missingInSource' | 'mismatched';

interface AggregateRow {
  r?: number | string;
  b: number | string;
  n: number | string;
  s: string | number | null;
}

const CHUNK = 64;

function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

function ceilDiv(a: bigint, b: bigint): bigint {
  return (a + b - 1n) / b;
}

function isEqual(range: Range): boolean {
  return range.counts[0] === range.counts[1] && BigInt(range.sums[0] ?? 0) === BigInt(range.sums[1] ?? 0);
}

/** `(k1, k2) op (v1, v2)` over the first `bound.length` key columns. */
function compareKey(side: Side, bound: string[], op: '<' | '>='): Fragment {
  const n = bound.length;
  const left = n === 1 ? side.keyOrder[0] : sql`(${join(side.keyOrder.slice(0, n), ', ')})`;
  const values = bound.map((v, i) => side.bind(i, v));
  const right = n === 1 ? values[0] : sql`(${join(values, ', ')})`;
  return op === '<' ? sql`${left} < ${right}` : sql`${left} >= ${right}`;
}

function rangePredicate(side: Side, range: Range): Fragment {
  if (range.special) return side.special ?? sql`1 = 0`;
  const parts: Fragment[] = [];
  side.keyNullable.forEach((nullable, i) => {
    if (nullable) parts.push(sql`${side.keyColumns[i]} IS NOT NULL`);
  });
  if (range.lo) parts.push(compareKey(side, range.lo, '>='));
  if (range.hi) parts.push(compareKey(side, range.hi, '<'));
  return parts.length ? join(parts, ' AND ') : sql`1 = 1`;
}

/** Bucket index of a key among sorted boundaries: how many boundaries are <= the key. */
function caseTree(side: Side, bounds: string[][], from: number, to: number): Fragment {
  if (from === to) return lit(from);
  const mid = Math.floor((from + to + 1) / 2);
  return sql`CASE WHEN ${compareKey(side, bounds[mid - 1], '<')} THEN ${caseTree(side, bounds, from, mid - 1)} ELSE ${caseTree(side, bounds, mid, to)} END`;
}

function sameBound(a: string[] | undefined, b: string[] | undefined) {
  return JSON.stringify(a) === JSON.stringify(b);
}

function safeProgress(progress: ProgressReporter): ProgressReporter {
  let last = 0;
  return (percent, message) => {
    last = Math.max(last, Math.min(100, Math.floor(percent)));
    try {
      progress(last, message);
    } catch {
      // a failing reporter must not fail the comparison
    }
  };
}

class Bisection {
  readonly #sides: [Side, Side];
  readonly #plan: Plan;
  readonly #options: Required<Omit<KnexReconcilerOptions, 'onStats' | 'workMem'>>;
  readonly #stats: KnexReconcilerStats;
  readonly #progress: ProgressReporter;
  readonly #keyNames: string[];
  #total = 1;
  #settled = 0;
  readonly #counts: Record<Kind, number> = { missingInDestination: 0, missingInSource: 0, mismatched: 0 };
  readonly #samples: ReconciliationFigures['sampleKeys'] = [];

  constructor(
    sides: [Side, Side],
    plan: Plan,
    keyNames: string[],
    options: Required<Omit<KnexReconcilerOptions, 'onStats' | 'workMem'>>,
    stats: KnexReconcilerStats,
    progress: ProgressReporter,
  ) {
    this.#sides = sides;
    this.#plan = plan;
    this.#keyNames = keyNames;
    this.#options = options;
    this.#stats = stats;
    this.#progress = progress;
  }

  async run(): Promise<ReconciliationFigures> {
    this.#progress(0, 'Checksumming both tables');
    const rootRows = await this.#both(side =>
      side.session.rows<{ n: string | number; s: string | number | null }>(
        sql`SELECT ${side.aggregate} FROM ${side.table}`,
      ),
    );
    const root: Range = {
      root: true,
      depth: 0,
      counts: [Number(rootRows[0][0].n), Number(rootRows[1][0].n)],
      sums: [String(rootRows[0][0].s ?? '0'), String(rootRows[1][0].s ?? '0')],
    };
    this.#stats.rangesCompared += 1;
    this.#total = Math.max(root.counts[0], root.counts[1], 1);
    if (!isEqual(root)) {
      this.#progress(5, 'Comparing key ranges');
      let pending = await this.#topLevel(root);
      while (pending.length) {
        this.#stats.levels += 1;
        pending = await this.#level(pending);
        this.#progress(5 + (95 * this.#settled) / this.#total, 'Comparing key ranges');
      }
    }
    this.#progress(100, 'Compared');
    const [sourceCount, destinationCount] = root.counts;
    const differing = this.#counts.missingInDestination + this.#counts.missingInSource + this.#counts.mismatched;
    return {
      sourceCount,
      destinationCount,
      ...this.#counts,
      driftRatio: differing / Math.max(sourceCount, destinationCount, 1),
      sampleKeys: this.#samples,
      rowsCompared: sourceCount + this.#counts.missingInSource,
      ...(this.#plan.notes.length ? { notes: this.#plan.notes } : {}),
    };
  }

  #both<T>(fn: (side: Side, index: number) => Promise<T>): Promise<[T, T]> {
    return Promise.all([fn(this.#sides[0], 0), fn(this.#sides[1], 1)]);
  }

  #settle(range: Range) {
    this.#settled += Math.max(range.counts[0], range.counts[1]);
  }

  /** The first split of a differing root: by arithmetic on an integer key, or by quantiles. */
  async #topLevel(root: Range): Promise<Range[]> {
    const arithmetic = await this.#arithmeticBuckets(root);
    if (arithmetic) return arithmetic;
    const parts = Math.min(
      this.#options.maxTopBuckets,
      Math.max(2, Math.ceil(Math.max(...root.counts) / this.#options.leafRows)),
      Math.floor(30000 / this.#plan.keyCount),
    );
    return this.#split([root], parts);
  }

  async #arithmeticBuckets(root: Range): Promise<Range[] | undefined> {
    if (this.#plan.pairs[0].order !== 'int') return undefined;
    const extents = await this.#both(async side => {
      const key = side.keyColumns[0];
      if (side.dialect === 'pg') {
        const [row] = await side.session.rows<{ lo: string | null; hi: string | null }>(
          sql`SELECT min(${key})::text AS lo, max(${key})::text AS hi FROM ${side.table}`,
        );
        return { lo: row.lo, hi: row.hi, odd: 0 };
      }
      const [row] = await side.session.rows<{ lo: string | null; hi: string | null; odd: number }>(
        sql`SELECT CAST(min(${key}) AS TEXT) AS lo, CAST(max(${key}) AS TEXT) AS hi,
              (SELECT count(*) FROM ${side.table} WHERE typeof(${key}) NOT IN ('integer', 'null')) AS odd
            FROM ${side.table}`,
      );
      return { lo: row.lo, hi: row.hi, odd: Number(row.odd) };
    });
    if (extents.some(e => e.odd > 0)) return undefined;
    const los = extents.filter(e => e.lo !== null).map(e => BigInt(e.lo!));
    const his = extents.filter(e => e.hi !== null).map(e => BigInt(e.hi!));
    if (!los.length) {
      // Every key has a NULL part: one special range.
      return [{ special: true, depth: 1, counts: root.counts, sums: root.sums }];
    }
    const min = los.reduce((a, b) => (a < b ? a : b));
    const max = his.reduce((a, b) => (a > b ? a : b));
    const span = max - min + 1n;
    if (span > 2n ** 62n) return undefined;
    const wanted = Math.min(this.#options.maxTopBuckets, Math.max(1, Math.ceil(Math.max(...root.counts) / this.#options.leafRows)));
    const width = ceilDiv(span, BigInt(wanted));
    const results = await this.#both(side => {
      const bucket = sql`CAST((${side.keyColumns[0]} - ${side.bindInt(min)}) / ${side.bindInt(width)} AS bigint)`;
      const expr = side.special ? sql`CASE WHEN ${side.special} THEN -1 ELSE ${bucket} END` : bucket;
      return side.groupPass<AggregateRow>(sql`SELECT ${expr} AS b, ${side.aggregate} FROM ${side.table} GROUP BY 1`);
    });
    const ranges = new Map<number, Range>();
    results.forEach((rows, sideIndex) => {
      for (const row of rows) {
        const b = Number(row.b);
        let range = ranges.get(b);
        if (!range) {
          range =
            b < 0
              ? { special: true, depth: 1, counts: [0, 0], sums: ['0', '0'] }
              : {
                  lo: [(min + BigInt(b) * width).toString()],
                  hi: [(min + BigInt(b + 1) * width).toString()],
                  depth: 1,
                  counts: [0, 0],
                  sums: ['0', '0'],
                };
          ranges.set(b, range);
        }
        range.counts[sideIndex] = Number(row.n);
        range.sums[sideIndex] = String(row.s ?? '0');
      }
    });
    return [...ranges.entries()].sort((a, b) => a[0] - b[0]).map(([, range]) => range);
  }

  /** Compares the ranges of one level; returns the ranges of the next. */
  async #level(ranges: Range[]): Promise<Range[]> {
    this.#stats.rangesCompared += ranges.length;
    const leaves: Range[] = [];
    const lopsided: Range[] = [];
    const toSplit: Range[] = [];
    for (const range of ranges) {
      if (isEqual(range)) this.#settle(range);
      else if (range.special) leaves.push(range);
      else if (range.counts[0] === 0 || range.counts[1] === 0) lopsided.push(range);
      else if (Math.max(...range.counts) <= this.#options.leafRows || range.depth >= 64) leaves.push(range);
      else toSplit.push(range);
    }
    await this.#fetchLeaves(leaves);
    for (const range of lopsided) await this.#oneSided(range);
    if (!toSplit.length) return [];
    return this.#split(toSplit, this.#options.fanOut);
  }

  /** A range with rows on one side only: all of them are missing on the other side. */
  async #oneSided(range: Range) {
    const present = range.counts[0] > 0 ? 0 : 1;
    const kind: Kind = present === 0 ? 'missingInDestination' : 'missingInSource';
    this.#counts[kind] += range.counts[present];
    const room = this.#options.sampleLimit - this.#samples.length;
    if (room > 0) {
      const side = this.#sides[present];
      const keys = join(side.keyText.map((k, i) => sql`${k} AS ${ident(`k${i}`)}`), ', ');
      const limit = Number.isFinite(room) ? sql` LIMIT ${val(Math.min(room, range.counts[present]))}` : sql``;
      const rows = await side.session.rows<Record<string, string | null>>(
        sql`SELECT ${keys} FROM ${side.table} WHERE ${rangePredicate(side, range)} ORDER BY ${join(side.keyOrder, ', ')}${limit}`,
      );
      this.#stats.leafRowsFetched += rows.length;
      for (const row of rows) this.#sample(this.#keyValues(row), kind);
    }
    this.#settle(range);
  }

  #keyValues(row: Record<string, unknown>): Array<string | null> {
    return this.#plan.pairs.slice(0, this.#plan.keyCount).map((_, i) => {
      const v = row[`k${i}`];
      return v === null || v === undefined ? null : String(v);
    });
  }

  #sample(key: Array<string | null>, kind: Kind) {
    if (this.#samples.length >= this.#options.sampleLimit) return;
    const record: Record<string, unknown> = {};
    key.forEach((value, i) => {
      const integer = value !== null && this.#plan.pairs[i].code === 'n' && /^-?\d+$/.test(value);
      record[this.#keyNames[i]] = integer && Number.isSafeInteger(Number(value)) ? Number(value) : value;
    });
    this.#samples.push({ key: record, kind });
  }

  /** Fetches keys and row hashes of leaf ranges from both sides and classifies them. */
  async #fetchLeaves(leaves: Range[]) {
    if (!leaves.length) return;
    const fetched = await this.#both(async side => {
      const byRange = new Map<number, Array<{ key: Array<string | null>; h: string }>>();
      const keys = join(side.keyText.map((k, i) => sql`${k} AS ${ident(`k${i}`)}`), ', ');
      for (const group of chunks(leaves.map((range, index) => ({ range, index })), CHUNK)) {
        const branches = group.map(
          ({ range, index }) =>
            sql`SELECT CAST(${val(index)} AS integer) AS r, ${keys}, ${side.rowHash} AS h FROM ${side.table} WHERE ${rangePredicate(side, range)}`,
        );
        const rows = await side.session.rows<Record<string, string | number | null>>(join(branches, ' UNION ALL '));
        this.#stats.leafRowsFetched += rows.length;
        for (const row of rows) {
          const r = Number(row.r);
          const list = byRange.get(r) ?? [];
          list.push({ key: this.#keyValues(row), h: String(row.h) });
          byRange.set(r, list);
        }
      }
      return byRange;
    });
    leaves.forEach((range, index) => {
      this.#classify(fetched[0].get(index) ?? [], fetched[1].get(index) ?? []);
      this.#settle(range);
    });
  }

  #classify(
    source: Array<{ key: Array<string | null>; h: string }>,
    destination: Array<{ key: Array<string | null>; h: string }>,
  ) {
    const byKey = new Map<string, { key: Array<string | null>; src: string[]; dst: string[] }>();
    const add = (rows: typeof source, which: 'src' | 'dst') => {
      for (const row of rows) {
        const id = JSON.stringify(row.key);
        let entry = byKey.get(id);
        if (!entry) {
          entry = { key: row.key, src: [], dst: [] };
          byKey.set(id, entry);
        }
        entry[which].push(row.h);
      }
    };
    add(source, 'src');
    add(destination, 'dst');
    for (const entry of byKey.values()) {
      // Rows of one key are matched by hash; what is left is missing or mismatched.
      const left = [...entry.src];
      const right: string[] = [];
      for (const h of entry.dst) {
        const i = left.indexOf(h);
        if (i >= 0) left.splice(i, 1);
        else right.push(h);
      }
      const mismatched = Math.min(left.length, right.length);
      const record = (kind: Kind, n: number) => {
        if (n <= 0) return;
        this.#counts[kind] += n;
        this.#sample(entry.key, kind);
      };
      record('mismatched', mismatched);
      record('missingInDestination', left.length - mismatched);
      record('missingInSource', right.length - mismatched);
    }
  }

  /**
   * Splits ranges into about `parts` parts each at key quantiles of their larger side, then
   * computes every part's count and checksum on both sides.
   */
  async #split(ranges: Range[], parts: number): Promise<Range[]> {
    // 1. Boundaries, from the side with more rows in each range.
    const bounds = new Map<number, string[][]>();
    await this.#both(async (side, sideIndex) => {
      const mine = ranges
        .map((range, index) => ({ range, index }))
        .filter(({ range }) => (range.counts[0] >= range.counts[1] ? 0 : 1) === sideIndex);
      const keys = join(side.keyText.map((_, i) => sql`q.${ident(`k${i}`)}`), ', ');
      const inner = join(side.keyText.map((k, i) => sql`${k} AS ${ident(`k${i}`)}`), ', ');
      for (const group of chunks(mine, CHUNK)) {
        const branches = group.map(({ range, index }) => {
          const step = Math.max(1, Math.ceil(range.counts[sideIndex] / parts));
          const where = rangePredicate(side, { ...range, root: false, special: false });
          return sql`SELECT CAST(${val(index)} AS integer) AS r, q.rn AS rn, ${keys} FROM (
              SELECT ${inner}, row_number() OVER (ORDER BY ${join(side.keyOrder, ', ')}) AS rn
              FROM ${side.table} WHERE ${where}) q
            WHERE q.rn % ${val(step)} = 0`;
        });
        const rows = await side.session.rows<Record<string, string | number | null>>(join(branches, ' UNION ALL '));
        const byRange = new Map<number, Array<{ rn: number; key: Array<string | null> }>>();
        for (const row of rows) {
          const list = byRange.get(Number(row.r)) ?? [];
          list.push({ rn: Number(row.rn), key: this.#keyValues(row) });
          byRange.set(Number(row.r), list);
        }
        for (const [index, list] of byRange) {
          list.sort((a, b) => a.rn - b.rn);
          const distinct: string[][] = [];
          for (const { key } of list) {
            if (key.some(v => v === null)) continue;
            const k = key as string[];
            if (!distinct.length || !sameBound(distinct[distinct.length - 1], k)) distinct.push(k);
          }
          const range = ranges[index];
          bounds.set(
            index,
            distinct.filter(b => !sameBound(b, range.lo)),
          );
        }
      }
    });

    // 2. Ranges that cannot be split are leaves; the others get their parts compared.
    const splittable = ranges.map((range, index) => ({ range, index, cuts: bounds.get(index) ?? [] }));
    const leaves = splittable.filter(s => !s.cuts.length && !s.range.root).map(s => ({ ...s.range, depth: 64 }));
    const work = splittable.filter(s => s.cuts.length || s.range.root);
    const results = await this.#both(async side => {
      const rows: AggregateRow[] = [];
      for (const group of chunks(work, CHUNK)) {
        const branches = group.map(({ range, index, cuts }) => {
          const tree = caseTree(side, cuts, 0, cuts.length);
          if (range.root) {
            const bucket = side.special ? sql`CASE WHEN ${side.special} THEN -1 ELSE ${tree} END` : tree;
            return sql`SELECT CAST(${val(index)} AS integer) AS r, ${bucket} AS b, ${side.aggregate} FROM ${side.table} GROUP BY 2`;
          }
          return sql`SELECT CAST(${val(index)} AS integer) AS r, ${tree} AS b, ${side.aggregate}
            FROM ${side.table} WHERE ${rangePredicate(side, range)} GROUP BY 2`;
        });
        const statement = join(branches, ' UNION ALL ');
        const root = group.some(({ range }) => range.root);
        rows.push(...(await (root ? side.groupPass<AggregateRow>(statement) : side.session.rows<AggregateRow>(statement))));
      }
      return rows;
    });
    const byRange = results.map(rows => {
      const map = new Map<number, AggregateRow[]>();
      for (const row of rows) {
        const list = map.get(Number(row.r)) ?? [];
        list.push(row);
        map.set(Number(row.r), list);
      }
      return map;
    });
    const next: Range[] = [...leaves];
    for (const { range, index, cuts } of work) {
      const children: Range[] = [];
      for (let b = 0; b <= cuts.length; b++) {
        children.push({
          lo: b === 0 ? range.lo : cuts[b - 1],
          hi: b === cuts.length ? range.hi : cuts[b],
          depth: range.depth + 1,
          counts: [0, 0],
          sums: ['0', '0'],
        });
      }
      const special: Range = { special: true, depth: range.depth + 1, counts: [0, 0], sums: ['0', '0'] };
      byRange.forEach((map, sideIndex) => {
        for (const row of map.get(index) ?? []) {
          const b = Number(row.b);
          const child = b < 0 ? special : children[b];
          child.counts[sideIndex] = Number(row.n);
          child.sums[sideIndex] = String(row.s ?? '0');
        }
      });
      next.push(...children);
      if (range.root) next.push(special);
    }
    return next;
  }
}

// ---------------------------------------------------------------------------------------------

/** Probe texts checked against the server before the JavaScript port of its hash is relied on. */
const PROBES: Array<[string, bigint]> = [
  ['', 0n],
  ['12.5', -1n],
  ['héllo wörld, this is longer than twelve bytes', 0x243f6a8885a308d3n],
  ['2024-01-01 00:00:00.5', -7046029254386353131n],
  ['日本語テキスト', 42n],
];

async function checkPgHash(run: Run, info: TableInfo) {
  if (info.encoding !== 'UTF8') {
    throw new InputError(
      `Cannot compare across engines: the PostgreSQL database uses encoding ${info.encoding}, not UTF8`,
    );
  }
  const probes = join(
    PROBES.map(([text, seed], i) => sql`hashtextextended(${val(text)}, CAST(${val(seed.toString())} AS bigint))::text AS ${ident(`h${i}`)}`),
    ', ',
  );
  const [row] = await run<Record<string, string>>(sql`SELECT ${probes}`);
  PROBES.forEach(([text, seed], i) => {
    if (row[`h${i}`] !== pgHashTextExtended(text, seed).toString()) {
      throw new InputError('Cannot compare across engines: this PostgreSQL server hashes text differently');
    }
  });
}

/**
 * Reconciler of tables on PostgreSQL and SQLite connections, by hash bisection over key ranges
 * (see the comment at the top of this file).
 */
export class KnexReconciler implements Reconciler {
  readonly id = 'knex';
  readonly #connections: CutoverConnections;
  readonly #options: KnexReconcilerOptions;

  constructor(connections: CutoverConnections, options: KnexReconcilerOptions = {}) {
    this.#connections = connections;
    this.#options = options;
  }

  async supports(source: CutoverDatasetTarget, destination: CutoverDatasetTarget): Promise<boolean> {
    return this.#connections.isSupported(source.connection) && this.#connections.isSupported(destination.connection);
  }

  async reconcile(
    source: CutoverDatasetTarget,
    destination: CutoverDatasetTarget,
    progress: ProgressReporter,
  ): Promise<ReconciliationFigures> {
    const options = {
      sampleLimit: this.#options.sampleLimit ?? 50,
      leafRows: Math.max(1, this.#options.leafRows ?? 256),
      fanOut: Math.max(2, this.#options.fanOut ?? 16),
      maxTopBuckets: Math.max(2, this.#options.maxTopBuckets ?? 4096),
    };
    const workMem = this.#options.workMem ?? '64MB';
    const knexes = [this.#connections.get(source.connection), this.#connections.get(destination.connection)] as const;
    const dialects = [source.connection, destination.connection].map(name =>
      this.#connections.client(name) === 'pg' ? 'pg' : 'sqlite',
    ) as [Dialect, Dialect];
    const stats: KnexReconcilerStats = {
      hashScheme: 'canonical',
      levels: 0,
      queries: 0,
      rowsFetched: 0,
      leafRowsFetched: 0,
      rangesCompared: 0,
    };

    const sessions: Session[] = [];
    const shared = dialects[0] === 'sqlite' && dialects[1] === 'sqlite' && knexes[0] === knexes[1];
    try {
      sessions.push(await openSession(knexes[0], dialects[0], stats, workMem));
      sessions.push(shared ? sessions[0] : await openSession(knexes[1], dialects[1], stats, workMem));
      const read = (session: Session, dialect: Dialect, target: CutoverDatasetTarget) =>
        dialect === 'pg' ? pgTableInfo(session.rows, target) : sqliteTableInfo(session.rows, target);
      const infos = [
        await read(sessions[0], dialects[0], source),
        await read(sessions[1], dialects[1], destination),
      ] as const;
      for (const info of infos) {
        if (info.dialect === 'pg' && (info.version ?? 0) < 130000) {
          throw new InputError('Reconciliation needs PostgreSQL 13 or later');
        }
      }
      const plan = makePlan(infos[0], infos[1], source, destination);
      stats.hashScheme = plan.scheme;
      if (plan.scheme === 'canonical') {
        for (let i = 0; i < 2; i++) {
          if (infos[i].dialect === 'pg' && dialects[1 - i] === 'sqlite') {
            await checkPgHash(sessions[i].rows, infos[i]);
          }
        }
      }
      const sides: [Side, Side] = [
        buildSide('source', infos[0], plan, sessions[0]),
        buildSide('destination', infos[1], plan, sessions[1]),
      ];
      const keyNames = plan.pairs.slice(0, plan.keyCount).map((_, i) => source.keyColumns[i]);
      const bisection = new Bisection(sides, plan, keyNames, options, stats, safeProgress(progress));
      return await bisection.run();
    } finally {
      for (const session of new Set(sessions)) await session.close().catch(() => {});
      this.#options.onStats?.(stats);
    }
  }
}
