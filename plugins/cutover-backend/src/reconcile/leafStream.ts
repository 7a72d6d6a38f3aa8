/**
 * Leaves too large to fetch whole (a differing range that cannot be split further: many rows with
 * one key, or rows with a NULL key part) are compared by streaming: both sides read the range's
 * rows ordered by (key as canonical text, in byte order; then row hash) in batches, and a merge
 * pairs equal (key, hash) rows. What is left unpaired within one key is missing or mismatched, as
 * in the fetched leaves' multiset comparison. Node holds at most two batches per side (the one being
 * merged and the next, fetched meanwhile).
 */
import { Fragment, ident, join, sql } from '../sql/fragment';
import { RowStream } from '../sql/stream';
import { rangePredicate, Range } from './ranges';
import { Side } from './side';

/**
 * One row of a streamed leaf: its key (canonical texts, NULL parts as null) and row hash (a signed
 * 64-bit integer in decimal, as the database printed it: compared as text first, since equal rows
 * are the rule and parsing a BigInt per row is what the merge would otherwise spend its time on).
 */
export interface LeafRow {
  key: Array<string | null>;
  hash: string;
}

/**
 * Order of two integers written in canonical decimal (no leading zeros, no `+`, `-` only when
 * negative), without parsing them: by sign, then by length, then by digits.
 */
export function compareDecimal(x: string, y: string): number {
  if (x === y) return 0;
  const negative = x.charCodeAt(0) === 45;
  if (negative !== (y.charCodeAt(0) === 45)) return negative ? -1 : 1;
  let c = x.length - y.length;
  if (c === 0) c = x < y ? -1 : 1;
  return negative ? -c : c;
}

/**
 * The statement streaming a leaf's rows of one side, in an order both engines agree on: per key
 * column, NULL first, then the canonical text by its bytes (UTF-8: code point order); then the
 * row hash as a signed 64-bit integer.
 */
export function leafStatement(side: Side, range: Range): Fragment {
  const pg = side.dialect === 'pg';
  const collate = (f: Fragment) => (pg ? sql`(${f}) COLLATE "C"` : sql`${f} COLLATE BINARY`);
  const inner: Fragment[] = [];
  const order: Fragment[] = [];
  side.keyText.forEach((text, i) => {
    inner.push(sql`CASE WHEN ${side.keyColumns[i]} IS NULL THEN 0 ELSE 1 END AS ${ident(`n${i}`)}`);
    inner.push(sql`${collate(text)} AS ${ident(`k${i}`)}`);
    order.push(ident(`q.n${i}`), collate(ident(`q.k${i}`)));
  });
  order.push(pg ? sql`CAST(${ident('q.h')} AS bigint)` : sql`CAST(${ident('q.h')} AS INTEGER)`);
  return sql`SELECT q.* FROM (SELECT ${join(inner, ', ')}, ${side.rowHash} AS h
      FROM ${side.table} WHERE ${rangePredicate(side, range)}) q
    ORDER BY ${join(order, ', ')}`;
}

/** UTF-16 code units ranked so that their order is the code point (UTF-8 byte) order. */
function rank(unit: number): number {
  if (unit < 0xd800) return unit;
  return unit <= 0xdfff ? unit + 0x2000 : unit - 0x800;
}

/** Byte order of the UTF-8 encodings of two strings, without encoding them. */
export function compareUtf8(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return rank(x) - rank(y);
  }
  return a.length - b.length;
}

/** Key order of the leaf statement: per column NULL first, then byte order. */
export function compareKeys(a: Array<string | null>, b: Array<string | null>): number {
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    const y = b[i];
    if (x === y) continue;
    if (x === null) return -1;
    if (y === null) return 1;
    const c = compareUtf8(x, y);
    if (c !== 0) return c;
  }
  return 0;
}

/**
 * Reads a stream row by row, batch by batch, with the next batch always on its way: while the
 * merge works through one batch, the database produces the next (both sides at once, since each
 * side has its own session), instead of each side waiting for the merge to ask. A reader holds at
 * most two batches: the one being merged and the one fetched ahead.
 */
export class BatchReader<T> {
  #batch: T[] = [];
  #at = 0;
  #ended = false;
  #ahead = 0;
  #pending: Promise<Array<Record<string, unknown>>> | undefined;

  constructor(
    private readonly stream: RowStream<Record<string, unknown>>,
    private readonly toRow: (row: Record<string, unknown>) => T,
    private readonly onBatch: (read: number) => void,
  ) {
    this.#pending = this.#fetch();
  }

  /** Rows held in memory: the current batch (consumed or not) and the batch fetched ahead. */
  get held(): number {
    return this.#batch.length + this.#ahead;
  }

  #fetch(): Promise<Array<Record<string, unknown>>> {
    const next = this.stream.next();
    // Counted as held as soon as it arrives; a failure is reported when the merge awaits it.
    next.then(
      rows => {
        this.#ahead = rows.length;
        if (rows.length) this.onBatch(0);
      },
      () => {},
    );
    return next;
  }

  async peek(): Promise<T | undefined> {
    if (this.#at < this.#batch.length) return this.#batch[this.#at];
    if (this.#ended) return undefined;
    const raw = await this.#pending!;
    this.#ahead = 0;
    this.#batch = [];
    this.#at = 0;
    if (!raw.length) {
      this.#ended = true;
      this.#pending = undefined;
      return undefined;
    }
    this.#batch = raw.map(this.toRow);
    this.#pending = this.#fetch();
    this.onBatch(raw.length);
    return this.#batch[0];
  }

  take() {
    this.#at += 1;
  }
}

/**
 * Merges the two sides' streams of one leaf. `onKey` gets every key with rows left unpaired on
 * either side (source, destination counts); `onBatch` the rows held after each batch read.
 */
export async function mergeLeaf(
  streams: [RowStream<Record<string, unknown>>, RowStream<Record<string, unknown>>],
  toRow: (row: Record<string, unknown>) => LeafRow,
  onKey: (key: Array<string | null>, unpaired: [number, number]) => void,
  onBatch: (held: number, read: number) => void,
  compare: (a: Array<string | null>, b: Array<string | null>) => number = compareKeys,
): Promise<void> {
  const readers: Array<BatchReader<LeafRow>> = [];
  const report = (read: number) => onBatch(readers.reduce((n, r) => n + r.held, 0), read);
  readers.push(new BatchReader(streams[0], toRow, report));
  readers.push(new BatchReader(streams[1], toRow, report));
  let key: Array<string | null> | undefined;
  let unpaired: [number, number] = [0, 0];
  const flush = () => {
    if (key && (unpaired[0] || unpaired[1])) onKey(key, unpaired);
    unpaired = [0, 0];
  };
  const enter = (next: Array<string | null>) => {
    if (key && compare(key, next) === 0) return;
    flush();
    key = next;
  };
  for (;;) {
    const a = await readers[0].peek();
    const b = await readers[1].peek();
    if (!a && !b) break;
    let c: number;
    if (!a) c = 1;
    else if (!b) c = -1;
    else {
      c = compare(a.key, b.key);
      if (c === 0 && a.hash !== b.hash) c = compareDecimal(a.hash, b.hash);
    }
    if (c === 0) {
      enter(a!.key);
      readers[0].take();
      readers[1].take();
    } else if (c < 0) {
      enter(a!.key);
      unpaired[0] += 1;
      readers[0].take();
    } else {
      enter(b!.key);
      unpaired[1] += 1;
      readers[1].take();
    }
  }
  flush();
}
