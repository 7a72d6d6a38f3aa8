/**
 * The hash bisection over key ranges (see KnexReconciler.ts for the design).
 *
 * Longer than most files on purpose: every step of a run (root, top level, levels, leaves, streamed
 * leaves, grid passes) reads and updates the same run state (counts, samples, progress, counters),
 * kept as private fields of one class; the SQL those steps send is built in ranges.ts, grid.ts and
 * leafStream.ts.
 */
import { ProgressReporter, ReconciliationFigures } from '@switchyard/plugin-cutover-node';
import { Fragment, ident, join, sql, val } from '../sql/fragment';
import { KnexReconcilerOptions, KnexReconcilerStats } from './options';
import { Plan } from './plan';
import {
  AggregateRow,
  caseTree,
  ceilDiv,
  CHUNK,
  chunks,
  isEqual,
  Kind,
  Range,
  rangePredicate,
  sameBound,
} from './ranges';
import { Side } from './side';
import { GridCell } from './grid';
import { RowStream } from '../sql/stream';
import { BatchReader, compareDecimal, leafStatement, mergeLeaf } from './leafStream';
import { cellRows, childAggregates, compareIntegerKeys, Grid, gridWidth, parentsPerStatement } from './grid';

/**
 * Most parts of a top level cut at quantiles (keys other than integers): each part is a boundary
 * bound into the statement and a branch of its CASE tree.
 */
const MAX_QUANTILE_PARTS = 4096;

/** The top-level grid cell of a row: `(key - min) / width`, or -1 for a NULL key part. */
function topCell(side: Side, min: bigint, width: bigint): Fragment {
  const bucket = sql`CAST((${side.keyColumns[0]} - ${side.bindInt(min)}) / ${side.bindInt(width)} AS bigint)`;
  return side.special ? sql`CASE WHEN ${side.special} THEN -1 ELSE ${bucket} END` : bucket;
}

export class Bisection {
  readonly #sides: [Side, Side];
  readonly #plan: Plan;
  readonly #options: Required<Omit<KnexReconcilerOptions, 'onStats' | 'workMem' | 'nativeSqliteHashing'>>;
  readonly #stats: KnexReconcilerStats;
  readonly #progress: ProgressReporter;
  readonly #keyNames: string[];
  #total = 1;
  /** Every first key on both sides is an integer (checked by the top level): ranges split by arithmetic. */
  #integerKeys = false;
  /** The integer grid of the top level, when it was cut by arithmetic (see grid.ts). */
  #grid: Grid | undefined;
  #settled = 0;
  /** Top-level cells with rows on one side only kept as ranges (to take sample keys from). */
  #lopsidedKept = 0;
  readonly #counts: Record<Kind, number> = { missingInDestination: 0, missingInSource: 0, mismatched: 0 };
  readonly #samples: ReconciliationFigures['sampleKeys'] = [];

  constructor(
    sides: [Side, Side],
    plan: Plan,
    keyNames: string[],
    options: Required<Omit<KnexReconcilerOptions, 'onStats' | 'workMem' | 'nativeSqliteHashing'>>,
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
      MAX_QUANTILE_PARTS,
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
    this.#integerKeys = true;
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
    // The finest grid of at most maxTopBuckets cells whose width is still the largest power of the
    // fan-out that fits in a leaf: this pass reads the whole table anyway, and every level it saves
    // below is another pass (dense drift) or another round of range statements (sparse drift);
    // cells of a leaf's size are leaves as soon as they differ. (Narrower cells would only bring
    // more aggregate rows into Node for the same leaves.)
    const fanOut = BigInt(this.#options.fanOut);
    let leafWidth = 1n;
    while (leafWidth * fanOut <= BigInt(this.#options.leafRows)) leafWidth *= fanOut;
    const finest = gridWidth(ceilDiv(span, BigInt(this.#options.maxTopBuckets)), fanOut);
    if (finest > leafWidth && ceilDiv(span, leafWidth) <= BigInt(this.#options.maxStreamedTopCells)) {
      // More cells of a leaf's size than maxTopBuckets: streamed instead of held (see #streamedGrid).
      this.#grid = { min, fanOut };
      return this.#streamedGrid(min, leafWidth);
    }
    const width = finest > leafWidth ? finest : leafWidth;
    this.#grid = { min, fanOut };
    const results = await this.#both(side =>
      side.groupPass<AggregateRow>(sql`SELECT ${topCell(side, min, width)} AS b, ${side.aggregate} FROM ${side.table} GROUP BY 1`),
    );
    // Merged in cell order; cells equal on both sides are settled here and only the differing
    // become ranges (a fine grid has tens of thousands of cells, nearly all equal but for dense drift).
    const [source, destination] = results.map(rows =>
      rows.map(row => ({ b: Number(row.b), n: Number(row.n), s: String(row.s ?? '0') })).sort((x, y) => x.b - y.b),
    );
    const differing: Range[] = [];
    for (let i = 0, j = 0; i < source.length || j < destination.length; ) {
      const a = source[i];
      const d = destination[j];
      let c = 0;
      if (!a) c = 1;
      else if (!d) c = -1;
      else c = a.b - d.b;
      const range = this.#topCellRange(
        c <= 0 ? a.b : d.b,
        min,
        width,
        [c <= 0 ? a.n : 0, c >= 0 ? d.n : 0],
        [c <= 0 ? a.s : '0', c >= 0 ? d.s : '0'],
      );
      if (range) differing.push(range);
      if (c <= 0) i += 1;
      if (c >= 0) j += 1;
    }
    return differing;
  }

  /**
   * A top-level cell (index -1: the rows with a NULL key part) given both sides' counts and sums:
   * settled when equal (counted as compared here; differing cells are counted by their level),
   * else its range.
   */
  #topCellRange(
    cell: number | string,
    min: bigint,
    width: bigint,
    counts: [number, number],
    sums: [string, string],
  ): Range | undefined {
    if (counts[0] === counts[1] && (sums[0] === sums[1] || BigInt(sums[0]) === BigInt(sums[1]))) {
      this.#stats.rangesCompared += 1;
      this.#settled += counts[0];
      return undefined;
    }
    const index = BigInt(cell);
    if (index < 0n) return { special: true, depth: 1, counts, sums };
    if (counts[0] === 0 || counts[1] === 0) {
      // Rows on one side only (a destination not yet copied: every cell): all missing on the other
      // side. Only as many such cells are kept as the sample may still take keys from (each gives
      // at least one); the others are counted here, so that Node never holds a range per cell.
      if (this.#lopsidedKept >= this.#options.sampleLimit - this.#samples.length) {
        this.#counts[counts[0] > 0 ? 'missingInDestination' : 'missingInSource'] += Math.max(...counts);
        this.#stats.rangesCompared += 1;
        this.#settled += Math.max(...counts);
        return undefined;
      }
      this.#lopsidedKept += 1;
    }
    return {
      lo: [(min + index * width).toString()],
      hi: [(min + (index + 1n) * width).toString()],
      cell: { index, width },
      depth: 1,
      counts,
      sums,
    };
  }

  /**
   * The top level of a large table cut straight into cells of a leaf's size, by one
   * `GROUP BY cell ORDER BY cell` per side read through a cursor and merged in cell order: Node
   * holds two batches of cells per side and the differing cells, never the whole grid, and the
   * passes that cutting coarser cells finer would cost (one per level) are saved. Returns the
   * differing cells (leaves) and the NULL-key range if it differs.
   */
  async #streamedGrid(min: bigint, width: bigint): Promise<Range[]> {
    this.#stats.gridPasses += 1;
    const statement = (side: Side) =>
      sql`SELECT ${topCell(side, min, width)} AS b, ${side.aggregate} FROM ${side.table} GROUP BY 1 ORDER BY 1`;
    const differing: Range[] = [];
    const merge = async () => {
      const streams = this.#sides.map(side => side.session.stream<Record<string, unknown>>(statement(side), this.#options.streamBatchRows));
      try {
        const toCell = (row: Record<string, unknown>) => ({ b: String(row.b), n: Number(row.n), s: String(row.s ?? '0') });
        const onBatch = (read: number) => {
          this.#stats.rowsFetched += read;
        };
        const readers = streams.map(stream => new BatchReader(stream, toCell, onBatch));
        for (;;) {
          const [a, b] = [await readers[0].peek(), await readers[1].peek()];
          if (!a && !b) break;
          let c = 0;
          if (!a) c = 1;
          else if (!b) c = -1;
          else c = compareDecimal(a.b, b.b);
          const index = c <= 0 ? a!.b : b!.b;
          const counts: [number, number] = [c <= 0 ? a!.n : 0, c >= 0 ? b!.n : 0];
          const sums: [string, string] = [c <= 0 ? a!.s : '0', c >= 0 ? b!.s : '0'];
          if (c <= 0) readers[0].take();
          if (c >= 0) readers[1].take();
          const range = this.#topCellRange(index, min, width, counts, sums);
          if (range) differing.push(range);
        }
      } finally {
        for (const stream of streams) await stream.close();
      }
    };
    await this.#sides[0].grouping(() => this.#sides[1].grouping(merge));
    return differing;
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
    // Leaves that cannot be split further may be far larger than leafRows: those are streamed.
    const large = leaves.filter(range => Math.max(...range.counts) > this.#options.leafRows);
    const small = leaves.filter(range => !large.includes(range));
    // Many small leaves of one grid level: streamed by one statement per side.
    const [denseLeaves, otherLeaves] = this.#denseGroups(small, 1n);
    for (const [width, cells] of denseLeaves) await this.#streamCells(cells, width);
    await this.#fetchLeaves(otherLeaves);
    for (const range of large) await this.#streamLeaf(range);
    for (const range of lopsided) await this.#oneSided(range);
    // Many differing ranges of one grid level: their children by one aggregate per side.
    const [denseSplits, otherSplits] = this.#denseGroups(toSplit, this.#grid?.fanOut ?? 1n);
    // Levels of dense drift hold hundreds of thousands of ranges: concat, never spread them.
    let next: Range[] = [];
    for (const [width, cells] of denseSplits) next = next.concat(await this.#denseSplit(cells, width));
    if (otherSplits.length) next = next.concat(await this.#split(otherSplits, this.#options.fanOut));
    return next;
  }

  /**
   * Ranges that are grid cells, grouped by width where a width has more than a statement's worth
   * of them (CHUNK), is at least `minWidth` and its cells hold a tenth of the table or more; the
   * rest as they were.
   */
  #denseGroups(ranges: Range[], minWidth: bigint): [Map<bigint, Range[]>, Range[]] {
    const byWidth = new Map<bigint, Range[]>();
    for (const range of ranges) {
      if (!this.#grid || !range.cell || range.special || range.cell.width < minWidth) continue;
      const list = byWidth.get(range.cell.width) ?? [];
      list.push(range);
      byWidth.set(range.cell.width, list);
    }
    // A whole-table pass pays when the cells hold a good part of the table (dense drift); a few
    // cells are cheaper by their key ranges (index range scans, a statement per CHUNK of them).
    for (const [width, list] of byWidth) {
      const rows = list.reduce((sum, range) => sum + Math.max(range.counts[0], range.counts[1]), 0);
      if (list.length <= CHUNK || rows < this.#total / 10) byWidth.delete(width);
    }
    const dense = new Set([...byWidth.values()].flat());
    return [byWidth, ranges.filter(range => !dense.has(range))];
  }

  /**
   * The children of many grid cells of one width, by one aggregate per side for each batch of
   * parents (in key order); children equal on both sides are settled at once, only differing ones
   * are kept, so memory stays flat however dense the drift.
   */
  async #denseSplit(cells: Range[], width: bigint): Promise<Range[]> {
    const grid = this.#grid!;
    this.#stats.gridPasses += 1;
    const childWidth = width / grid.fanOut;
    const depth = cells.reduce((most, range) => Math.max(most, range.depth), 0) + 1;
    const sorted = [...cells].sort((a, b) => (a.cell!.index < b.cell!.index ? -1 : 1));
    let differing: Range[] = [];
    for (const batch of chunks(sorted, parentsPerStatement(grid))) {
      const parents = batch.map(range => range.cell!.index);
      const results = await this.#both(side => side.groupPass<AggregateRow>(childAggregates(side, grid, width, parents)));
      const children = new Map<bigint, Range>();
      results.forEach((rows, sideIndex) => {
        for (const row of rows) {
          const index = BigInt(String(row.b));
          let child = children.get(index);
          if (!child) {
            child = {
              lo: [(grid.min + index * childWidth).toString()],
              hi: [(grid.min + (index + 1n) * childWidth).toString()],
              cell: { index, width: childWidth },
              depth,
              counts: [0, 0],
              sums: ['0', '0'],
            };
            children.set(index, child);
          }
          child.counts[sideIndex] = Number(row.n);
          child.sums[sideIndex] = String(row.s ?? '0');
        }
      });
      const kept: Range[] = [];
      for (const child of children.values()) {
        if (isEqual(child)) {
          this.#stats.rangesCompared += 1;
          this.#settle(child);
        } else kept.push(child);
      }
      differing = differing.concat(kept.sort((x, y) => (x.cell!.index < y.cell!.index ? -1 : 1)));
    }
    return differing;
  }

  /** The rows of many small grid cells of one width, streamed by one statement per side and merged. */
  async #streamCells(cells: Range[], width: bigint) {
    const grid = this.#grid!;
    this.#stats.gridPasses += 1;
    const indexes = cells.map(range => range.cell!.index);
    await this.#mergeStreamed(side => cellRows(side, grid, width, indexes), false, compareIntegerKeys);
    for (const range of cells) this.#settle(range);
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
    const values: Array<string | null> = new Array(this.#plan.keyCount);
    for (let i = 0; i < values.length; i++) {
      const v = row[i === 0 ? 'k0' : `k${i}`];
      values[i] = v === null || v === undefined ? null : String(v);
    }
    return values;
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
    // A chunk of leaves at a time, classified and let go before the next: Node holds at most
    // CHUNK leaves of at most leafRows rows per side, however many leaves a level has.
    for (const group of chunks(leaves, CHUNK)) {
      const fetched = await this.#both(async side => {
        const byRange = new Map<number, Array<{ key: Array<string | null>; h: string }>>();
        const keys = join(side.keyText.map((k, i) => sql`${k} AS ${ident(`k${i}`)}`), ', ');
        const branches = group.map(
          (range, index) =>
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
        return byRange;
      });
      const held = fetched.reduce((n, byRange) => n + [...byRange.values()].reduce((m, list) => m + list.length, 0), 0);
      this.#stats.leafRowsHeldPeak = Math.max(this.#stats.leafRowsHeldPeak, held);
      group.forEach((range, index) => {
        this.#classify(fetched[0].get(index) ?? [], fetched[1].get(index) ?? []);
        this.#settle(range);
      });
    }
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
      this.#record(entry.key, [left.length, right.length]);
    }
  }

  /** Rows of one key left unpaired on each side: as many mismatched as pair up, the rest missing. */
  #record(key: Array<string | null>, [left, right]: [number, number]) {
    const mismatched = Math.min(left, right);
    const record = (kind: Kind, n: number) => {
      if (n <= 0) return;
      this.#counts[kind] += n;
      this.#sample(key, kind);
    };
    record('mismatched', mismatched);
    record('missingInDestination', left - mismatched);
    record('missingInSource', right - mismatched);
  }

  /** A leaf too large to fetch: both sides streamed in key order and merged (see leafStream.ts). */
  async #streamLeaf(range: Range) {
    this.#stats.leavesStreamed += 1;
    await this.#mergeStreamed(side => leafStatement(side, range), true);
    this.#settle(range);
  }

  /**
   * Streams `statement` on both sides and merges the rows in key order (see leafStream.ts),
   * recording each difference; the rows read count as fetched (and as streamed leaf rows when
   * `leaf`).
   */
  async #mergeStreamed(
    statement: (side: Side) => Fragment,
    leaf: boolean,
    compare?: (a: Array<string | null>, b: Array<string | null>) => number,
  ) {
    const streams = this.#sides.map(side =>
      side.session.stream<Record<string, unknown>>(statement(side), this.#options.streamBatchRows),
    ) as [RowStream<Record<string, unknown>>, RowStream<Record<string, unknown>>];
    try {
      await mergeLeaf(
        streams,
        row => ({ key: this.#keyValues(row), hash: String(row.h) }),
        (key, unpaired) => this.#record(key, unpaired),
        (held, read) => {
          this.#stats.leafRowsHeldPeak = Math.max(this.#stats.leafRowsHeldPeak, held);
          if (leaf) this.#stats.leafRowsStreamed += read;
          this.#stats.leafRowsFetched += read;
          this.#stats.rowsFetched += read;
        },
        compare,
      );
    } finally {
      for (const stream of streams) await stream.close();
    }
  }

  /** The grid cell of a child of a grid cell, when its bounds are exactly one (aligned cuts). */
  #childCell(parent: Range, lo?: string[], hi?: string[]): GridCell | undefined {
    if (!this.#grid || !parent.cell || lo?.length !== 1 || hi?.length !== 1) return undefined;
    const width = parent.cell.width / this.#grid.fanOut;
    const from = BigInt(lo[0]) - this.#grid.min;
    if (width < 1n || BigInt(hi[0]) - BigInt(lo[0]) !== width || from % width !== 0n) return undefined;
    return { index: from / width, width };
  }

  /**
   * Equal-width cuts of a range of an integer first key, when the top level was cut the same way
   * (every key on both sides an integer) and the range spans at least two values; else undefined.
   */
  #arithmeticCuts(range: Range, parts: number): string[][] | undefined {
    if (!this.#integerKeys || range.root || range.special) return undefined;
    if (range.lo?.length !== 1 || range.hi?.length !== 1) return undefined;
    if (!/^-?\d+$/.test(range.lo[0]) || !/^-?\d+$/.test(range.hi[0])) return undefined;
    const lo = BigInt(range.lo[0]);
    const span = BigInt(range.hi[0]) - lo;
    if (span < 2n) return undefined;
    const count = span < BigInt(parts) ? span : BigInt(parts);
    const cuts: string[][] = [];
    for (let k = 1n; k < count; k++) {
      const cut = (lo + (span * k) / count).toString();
      if (cut !== range.lo[0] && cuts[cuts.length - 1]?.[0] !== cut) cuts.push([cut]);
    }
    return cuts.length ? cuts : undefined;
  }

  /**
   * Splits ranges into about `parts` parts each at key quantiles of their larger side, then
   * computes every part's count and checksum on both sides.
   */
  async #split(ranges: Range[], parts: number): Promise<Range[]> {
    // 1. Boundaries: by arithmetic on an integer first key (no statement), else at quantiles of
    // the side with more rows in each range.
    const bounds = new Map<number, string[][]>();
    ranges.forEach((range, index) => {
      const cuts = this.#arithmeticCuts(range, parts);
      if (cuts) bounds.set(index, cuts);
    });
    await this.#both(async (side, sideIndex) => {
      const mine = ranges
        .map((range, index) => ({ range, index }))
        .filter(({ index }) => !bounds.has(index))
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
        const lo = b === 0 ? range.lo : cuts[b - 1];
        const hi = b === cuts.length ? range.hi : cuts[b];
        children.push({ lo, hi, cell: this.#childCell(range, lo, hi), depth: range.depth + 1, counts: [0, 0], sums: ['0', '0'] });
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
