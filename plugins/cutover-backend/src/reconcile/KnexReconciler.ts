/**
 * The built-in reconciler (`knex`): compares a dataset's table on the source connection with its
 * table on the destination connection, by key, on PostgreSQL and SQLite in any combination, without
 * bringing the tables into Node.
 *
 * Files: this one (the reconciler and its design), options.ts, pgHash.ts (the port of PostgreSQL's
 * hash), canonical.ts (canonical values, the JavaScript row hash), sqliteFunctions.ts, plan.ts (the
 * comparison plan), pgSql.ts (the PostgreSQL side's SQL), side.ts (sessions and sides), ranges.ts,
 * grid.ts (the integer grid), leafStream.ts (streamed leaves) and bisection.ts; the shared database
 * toolkit is in ../sql.
 *
 * Hash bisection
 * --------------
 * As table-diff tools do (data-diff), the key space is cut into ranges, and each database computes,
 * per range, a row count and an order-independent checksum (the sum, without overflow, of a 64-bit
 * hash of every row). Only ranges whose (count, checksum) differ are looked at again:
 * 1. Root: one aggregate over each whole table (count + checksum), source and destination in
 *    parallel. Equal tables stop here: one hashing scan per side, nothing else.
 * 2. Top level: if the first key column is an integer on both sides, its [min, max] (over both
 *    sides) is cut into equal-width buckets (the width a power of `fanOut`: the integer grid,
 *    grid.ts) by ONE `GROUP BY (key - min) / width` pass per side: buckets of a leaf's size (16
 *    keys) when there are at most `maxTopBuckets` (65,536) of them, returned whole; when there
 *    are more (tables of more than about a million keys), still buckets of a leaf's size, read in
 *    bucket order through a cursor and merged, so that Node holds only the differing buckets
 *    (`maxStreamedTopCells`); differing buckets are then leaves at once, with no level between.
 *    Buckets with rows on one side only are counted from the grid once the sample cannot take more
 *    keys from them (a table against an empty copy holds no range per bucket).
 *    Otherwise the root range is split like any other range (step 3), into at most 4,096 parts.
 * 3. A differing range larger than `leafRows` is split into `fanOut` parts at key quantiles taken
 *    from the side with more rows in it (`row_number() OVER (ORDER BY key)`, keeping every n-th
 *    key), and each side computes all parts' counts and checksums in one `GROUP BY` on a
 *    binary-search `CASE` over the boundaries. All differing ranges of a level are batched into
 *    one statement per side (`UNION ALL` of one branch per range, each using the key index).
 *    Ranges of an integer key are cut by arithmetic instead (no quantile statement); when the
 *    differing grid cells of a level are many and hold a tenth of the table or more (dense
 *    drift), their children are computed by one grid aggregate per side per batch of parents.
 * 4. A differing range with at most `leafRows` rows (or that cannot be split further) is a leaf:
 *    its keys and row hashes are fetched from both sides and classified in Node: key on one side
 *    only (missing in the other) or on both with different hashes (mismatched). A differing range
 *    that is empty on one side is classified from the counts alone: all its rows are missing on
 *    the other side; only as many keys as the sample still needs are fetched. Leaves are fetched
 *    CHUNK ranges at a time; a leaf larger than `leafRows` (it could not be split: many rows under
 *    one key) is never loaded whole but streamed from both sides in one order and merged
 *    (leafStream.ts), as are many small grid leaves of dense drift (one statement per side).
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
import { InputError } from '@backstage/errors';
import {
  CutoverDatasetTarget,
  ProgressReporter,
  Reconciler,
  ReconciliationFigures,
} from '@switchyard/plugin-cutover-node';
import { CutoverConnections } from '../snapshots/connections';
import { Dialect, dialectOfClient, Run } from '../sql/dialect';
import { ident, join, sql, val } from '../sql/fragment';
import { safeProgress } from '../sql/progress';
import { Bisection } from './bisection';
import { KnexReconcilerOptions, KnexReconcilerStats } from './options';
import { pgHashTextExtended } from './pgHash';
import { makePlan } from './plan';
import { buildSide, openSession, Session, Side } from './side';
import { pgTableInfo, sqliteTableInfo, TableInfo } from '../sql/introspection';

export type { KnexReconcilerOptions, KnexReconcilerStats } from './options';
export { pgHashBytesExtended, pgHashTextExtended } from './pgHash';
export { canonicalRowHash, canonicalValue, roundedDecimal } from './canonical';
export { prepareSqliteReconciliation, SQLITE_RECON_CANON, SQLITE_RECON_HASH, SQLITE_RECON_SUM } from './sqliteFunctions';

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
      leafRows: Math.max(1, this.#options.leafRows ?? 64),
      fanOut: Math.max(2, this.#options.fanOut ?? 16),
      maxTopBuckets: Math.max(2, this.#options.maxTopBuckets ?? 65_536),
      maxStreamedTopCells: Math.max(0, this.#options.maxStreamedTopCells ?? 2 ** 24),
      streamBatchRows: Math.max(1, Math.floor(this.#options.streamBatchRows ?? 2000)),
    };
    const workMem = this.#options.workMem ?? '64MB';
    const sessionOptions = { workMem, nativeSqlite: this.#options.nativeSqliteHashing !== false };
    const knexes = [this.#connections.get(source.connection), this.#connections.get(destination.connection)] as const;
    const dialects = [source.connection, destination.connection].map(name =>
      dialectOfClient(this.#connections.client(name)),
    ) as [Dialect, Dialect];
    const stats: KnexReconcilerStats = {
      hashScheme: 'canonical',
      levels: 0,
      queries: 0,
      rowsFetched: 0,
      leafRowsFetched: 0,
      leavesStreamed: 0,
      leafRowsStreamed: 0,
      leafRowsHeldPeak: 0,
      gridPasses: 0,
      rangesCompared: 0,
    };

    const sessions: Session[] = [];
    const shared = dialects[0] === 'sqlite' && dialects[1] === 'sqlite' && knexes[0] === knexes[1];
    try {
      sessions.push(await openSession(knexes[0], dialects[0], stats, sessionOptions));
      sessions.push(shared ? sessions[0] : await openSession(knexes[1], dialects[1], stats, sessionOptions));
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
