/**
 * SQL fragments: the one way the reconciler and the snapshot provider build SQL. Identifiers only
 * ever travel as knex `??` bindings and values as `?` bindings; the only text written into SQL is
 * this codebase's own template text and integer constants.
 */
import { Knex } from 'knex';

/** A piece of SQL with its bindings, in order. */
export interface Fragment {
  readonly sql: string;
  readonly bindings: readonly unknown[];
}

/**
 * Tagged template joining fragments. The template text must not hold `?` (knex would read it as a
 * binding): checked before anything is built, so a bad template fails whatever its parts are.
 */
export function sql(strings: TemplateStringsArray, ...parts: Fragment[]): Fragment {
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

/** An identifier (`schema.table` and `alias.column` are quoted part by part by knex). */
export function ident(name: string): Fragment {
  return { sql: '??', bindings: [name] };
}

/** A value. */
export function val(value: unknown): Fragment {
  return { sql: '?', bindings: [value] };
}

/** An integer constant of this codebase, written into the SQL text. */
export function lit(n: number | bigint): Fragment {
  if (typeof n === 'number' && !Number.isSafeInteger(n)) throw new Error(`Not an integer: ${n}`);
  return { sql: n < 0 ? `(${n})` : String(n), bindings: [] };
}

/** A constant SQL expression of this codebase (never data, never a name). */
export function constant(text: string): Fragment {
  if (text.includes('?')) throw new Error('SQL text must not contain "?"');
  return { sql: text, bindings: [] };
}

/** Fragments joined by a separator. */
export function join(fragments: readonly Fragment[], separator: string): Fragment {
  return {
    sql: fragments.map(f => f.sql).join(separator),
    bindings: fragments.flatMap(f => [...f.bindings]),
  };
}

/** `alias.col1, alias.col2, ...` (or without the alias). */
export function columnList(names: readonly string[], alias?: string): Fragment {
  return join(
    names.map(n => ident(alias ? `${alias}.${n}` : n)),
    ', ',
  );
}

/** The fragment as knex `raw` arguments. */
export function rawArgs(fragment: Fragment): [string, Knex.RawBinding[]] {
  return [fragment.sql, fragment.bindings as Knex.RawBinding[]];
}
