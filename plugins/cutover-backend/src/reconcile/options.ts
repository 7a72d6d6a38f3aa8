/** Options and counters of the knex reconciler. */

/** Counters of one run, for tests and benchmarks. */
export interface KnexReconcilerStats {
  /** `native` (PostgreSQL type hashes) or `canonical` (hash of canonical text). */
  hashScheme: 'native' | 'canonical';
  /**
   * How SQLite sides hashed their rows: `native` (the C extension native/cutover_recon.c, with the
   * JavaScript functions for the values it leaves to them) or `javascript`; absent without a SQLite side.
   */
  sqliteHashing?: 'native' | 'javascript';
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
  /** Leaf ranges too large to fetch whole (more than `leafRows` rows), compared by streaming. */
  leavesStreamed: number;
  /** Rows of those leaves read from both sides (also counted in `leafRowsFetched`). */
  leafRowsStreamed: number;
  /** Grid levels compared by one statement per side (dense drift on integer keys, see grid.ts). */
  gridPasses: number;
  /** Most leaf rows held in Node at one time (fetched leaves and streamed batches, both sides). */
  leafRowsHeldPeak: number;
}

/** Options of {@link KnexReconciler}. */
export interface KnexReconcilerOptions {
  /** Most differing keys returned in `sampleKeys`; default 50. `Infinity` returns all of them. */
  sampleLimit?: number;
  /** A differing range with at most this many rows on each side is fetched; default 64 (below that, splitting further costs less than fetching). */
  leafRows?: number;
  /** Parts a differing range is split into below the top level; default 16. */
  fanOut?: number;
  /**
   * Most ranges of the top level; default 65,536. An integer first key is cut into the finest grid
   * of at most this many cells (one grouped pass per side); other keys into at most 4,096 parts at
   * quantiles.
   */
  maxTopBuckets?: number;
  /**
   * An integer first key whose grid of a leaf's cells would exceed `maxTopBuckets` is still cut
   * into cells of a leaf's size at the top, streamed in cell order, when there are at most this
   * many such cells (default 16,777,216; 0 turns it off: coarser cells, split level by level).
   */
  maxStreamedTopCells?: number;
  /**
   * Rows a streamed statement (leaves, a large table's top grid) reads per batch from a
   * PostgreSQL cursor (SQLite reads row by row); default 2000: the next batch is read while one is
   * merged, so smaller batches cost no time, and they leave less for V8 to promote and collect
   * late (a 10,000,000-row table's peak RSS fell by ~100 MB from 5000). A differing range that
   * cannot be split and holds more than `leafRows` rows is never loaded whole: both sides are
   * streamed in key order and merged.
   */
  streamBatchRows?: number;
  /**
   * SQLite sides hash rows with the native extension when it was built and loads (default true);
   * false keeps the JavaScript functions (same results, about ten times slower).
   */
  nativeSqliteHashing?: boolean;
  /** PostgreSQL `work_mem` of the comparison transactions (hash aggregates); default `64MB`. */
  workMem?: string;
  /** Receives the counters of every run. */
  onStats?: (stats: KnexReconcilerStats) => void;
}
