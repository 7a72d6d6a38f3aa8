/** Key ranges of the bisection and the SQL predicates that select them. */
import { Fragment, join, lit, sql } from '../sql/fragment';
import { GridCell } from './grid';
import { Side } from './side';

export interface Range {
  /** Inclusive lower bound: canonical key values of a key prefix. */
  lo?: string[];
  /** Exclusive upper bound. */
  hi?: string[];
  /** The range of rows with a NULL key part. */
  special?: boolean;
  /** The whole table. */
  root?: boolean;
  /** The range is this cell of the integer grid (see grid.ts). */
  cell?: GridCell;
  depth: number;
  counts: [number, number];
  sums: [string, string];
}

export type Kind = 'missingInDestination' | 'missingInSource' | 'mismatched';

export interface AggregateRow {
  r?: number | string;
  b: number | string;
  n: number | string;
  s: string | number | null;
}

export const CHUNK = 64;

export function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

export function ceilDiv(a: bigint, b: bigint): bigint {
  return (a + b - 1n) / b;
}

export function isEqual(range: Range): boolean {
  return range.counts[0] === range.counts[1] && BigInt(range.sums[0] ?? 0) === BigInt(range.sums[1] ?? 0);
}

/** `(k1, k2) op (v1, v2)` over the first `bound.length` key columns. */
export function compareKey(side: Side, bound: string[], op: '<' | '>='): Fragment {
  const n = bound.length;
  const left = n === 1 ? side.keyOrder[0] : sql`(${join(side.keyOrder.slice(0, n), ', ')})`;
  const values = bound.map((v, i) => side.bind(i, v));
  const right = n === 1 ? values[0] : sql`(${join(values, ', ')})`;
  return op === '<' ? sql`${left} < ${right}` : sql`${left} >= ${right}`;
}

export function rangePredicate(side: Side, range: Range): Fragment {
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
export function caseTree(side: Side, bounds: string[][], from: number, to: number): Fragment {
  if (from === to) return lit(from);
  const mid = Math.floor((from + to + 1) / 2);
  return sql`CASE WHEN ${compareKey(side, bounds[mid - 1], '<')} THEN ${caseTree(side, bounds, from, mid - 1)} ELSE ${caseTree(side, bounds, mid, to)} END`;
}

export function sameBound(a: string[] | undefined, b: string[] | undefined) {
  return JSON.stringify(a) === JSON.stringify(b);
}
