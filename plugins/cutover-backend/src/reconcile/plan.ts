/** The comparison plan: which columns are compared, in which order, in which canonical form. */
import { InputError } from '@backstage/errors';
import { CutoverDatasetTarget } from '@switchyard/plugin-cutover-node';
import { Dialect } from '../sql/dialect';
import { checkKeyName } from '../sql/identifiers';
import { Code } from './canonical';
import { Column, TableInfo } from '../sql/introspection';

export const PG_INT = new Set(['int2', 'int4', 'int8']);
export const PG_TEXT = new Set(['text', 'varchar', 'name']);
export const PG_TIMESTAMP = new Set(['timestamp', 'timestamptz']);

export function pgCode(type: string): Code {
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

export type SqliteKind = 'int' | 'real' | 'numeric' | 'bool' | 'date' | 'ts' | 'text' | 'bytes' | 'uuid' | 'any';

/** Kind of a SQLite column from its declared type (SQLite's affinity rules, plus common names). */
export function sqliteKind(declared: string): SqliteKind {
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

export const SQLITE_CODE: Record<SqliteKind, Code> = {
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

export const NUMBER_CODES: ReadonlySet<Code> = new Set(['n', 'f15', 'f6']);

/** One canonical form for two forms, when the sides' types differ. */
export function mergeCodes(a: Code, b: Code): Code {
  if (a === b) return a;
  if (NUMBER_CODES.has(a) && NUMBER_CODES.has(b)) return a === 'f6' || b === 'f6' ? 'f6' : 'f15';
  if ((a === 'd' && b === 'ts') || (a === 'ts' && b === 'd')) return 'ts';
  if (a === 't' || a === 'a') return b;
  return a;
}

export function pairCode(src: Column, dst: Column, srcDialect: Dialect, dstDialect: Dialect): Code {
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
export function nativeFamily(type: string): string | undefined {
  if (PG_INT.has(type)) return 'int';
  // float4 and float8 are separate: a float4 copied to float8 is compared at float4's 6 digits.
  if (type === 'float4' || type === 'float8') return type;
  if (type === 'text' || type === 'varchar') return 'text';
  if (PG_TIMESTAMP.has(type)) return 'ts';
  if (['numeric', 'bpchar', 'bool', 'date', 'uuid', 'jsonb', 'interval', 'time'].includes(type)) return type;
  return undefined;
}

export type KeyOrder = 'int' | 'text' | 'canonical';

export interface ColumnPair {
  src: Column;
  dst: Column;
  code: Code;
  /** Native hash family when both sides are PostgreSQL and the types are compatible. */
  family?: string;
  /** For key columns: how ranges order them. */
  order?: KeyOrder;
}

export interface Plan {
  pairs: ColumnPair[];
  keyCount: number;
  scheme: 'native' | 'canonical';
  /** The first key (integer, NOT NULL on both sides) is the first seed itself. */
  foldFirst: boolean;
  notes: string[];
}

export function keyOrderOf(src: Column, dst: Column, srcDialect: Dialect, dstDialect: Dialect): KeyOrder {
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

export function findColumns(info: TableInfo, names: string[], target: CutoverDatasetTarget): Column[] {
  return names.map(key => {
    checkKeyName(key);
    const found =
      info.columns.find(c => c.name === key) ??
      info.columns.find(c => c.name.toLowerCase() === key.toLowerCase());
    if (!found) throw new InputError(`Key column '${key}' is not a column of '${target.table}'`);
    return found;
  });
}

export function byLowerName(info: TableInfo, side: string): Map<string, Column> {
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

export function makePlan(
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
