/**
 * The integer grid: when every first key on both sides is an integer, the top level cuts the key
 * span into buckets whose width is a power of the fan-out (by default buckets of a leaf's size,
 * see Bisection's top level), and each level below divides a bucket's width by the fan-out. A bucket is then `(key - min) / width = index` exactly, so when
 * many buckets of a level differ (dense drift), their children are compared by ONE aggregate per
 * side over the table (`GROUP BY (key - min) / childWidth` of the rows whose parent index is in the
 * list), and their rows are streamed by ONE statement per side in key order, instead of one range
 * branch per bucket.
 */
import { Fragment, ident, sql, val } from '../sql/fragment';
import { compareDecimal } from './leafStream';
import { Side } from './side';

/** The grid of a bisection: the smallest key and the fan-out. */
export interface Grid {
  min: bigint;
  fanOut: bigint;
}

/** `index` of the grid at `width`: rows with `(key - min) / width = index`. */
export interface GridCell {
  index: bigint;
  width: bigint;
}

/** The width of the top level: the smallest power of the fan-out at least `width`. */
export function gridWidth(width: bigint, fanOut: bigint): bigint {
  let w = 1n;
  while (w < width) w *= fanOut;
  return w;
}

function cellOf(side: Side, grid: Grid, width: bigint): Fragment {
  return sql`CAST((${side.keyColumns[0]} - ${side.bindInt(grid.min)}) / ${side.bindInt(width)} AS bigint)`;
}

/** `cell index IN (indexes)`: a bigint array on PostgreSQL, a JSON array read by json_each on SQLite. */
function inList(side: Side, grid: Grid, width: bigint, indexes: bigint[]): Fragment {
  const cell = cellOf(side, grid, width);
  return side.dialect === 'pg'
    ? sql`${cell} = ANY(CAST(${val(`{${indexes.join(',')}}`)} AS bigint[]))`
    : sql`${cell} IN (SELECT value FROM json_each(${val(`[${indexes.join(',')}]`)}))`;
}

/**
 * Counts and checksums of the children (width / fan-out) of the cells `parents` (all of `width`,
 * in ascending order); the key span of the first to the last parent bounds the scan, so that
 * batches of parents in key order each read their part of the key index.
 */
export function childAggregates(side: Side, grid: Grid, width: bigint, parents: bigint[]): Fragment {
  const child = cellOf(side, grid, width / grid.fanOut);
  const key = side.keyColumns[0];
  const from = grid.min + parents[0] * width;
  const to = grid.min + (parents[parents.length - 1] + 1n) * width;
  return sql`SELECT ${child} AS b, ${side.aggregate} FROM ${side.table}
    WHERE ${key} >= ${side.bindInt(from)} AND ${key} < ${side.bindInt(to)} AND ${inList(side, grid, width, parents)}
    GROUP BY 1`;
}

/** Parents per aggregate statement: at most 65,536 children come back into Node at once. */
export function parentsPerStatement(grid: Grid): number {
  return Math.max(1, Math.floor(65_536 / Number(grid.fanOut)));
}

/**
 * The rows of the cells `cells` (all of `width`), as leafStream's rows (`k0`, `h`), ordered by key
 * (numerically, the key's own order) and then by row hash.
 */
export function cellRows(side: Side, grid: Grid, width: bigint, cells: bigint[]): Fragment {
  const hash = side.dialect === 'pg' ? sql`CAST(${ident('q.h')} AS bigint)` : sql`CAST(${ident('q.h')} AS INTEGER)`;
  return sql`SELECT q.k0, q.h FROM (SELECT ${side.keyText[0]} AS k0, ${side.keyColumns[0]} AS kn, ${side.rowHash} AS h
      FROM ${side.table} WHERE ${inList(side, grid, width, cells)}) q
    ORDER BY ${ident('q.kn')}, ${hash}`;
}

/** Key order of cellRows: integers (canonical decimal text) in numeric order. */
export function compareIntegerKeys(a: Array<string | null>, b: Array<string | null>): number {
  return compareDecimal(a[0]!, b[0]!);
}
