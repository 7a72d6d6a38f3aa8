import { InputError } from '@backstage/errors';
import { columnList, constant, ident, join, lit, sql, val } from './fragment';
import { checkCatalogName, isPlainIdentifier, parseTableName } from './identifiers';
import { safeProgress } from './progress';

describe('SQL fragments', () => {
  it('keeps identifiers and values as bindings, in order', () => {
    const f = sql`SELECT ${columnList(['a', 'b'], 't')} FROM ${ident('s.t')} AS t WHERE t.a = ${val(5)} AND t.b > ${lit(-2)}`;
    expect(f.sql).toBe('SELECT ??, ?? FROM ?? AS t WHERE t.a = ? AND t.b > (-2)');
    expect(f.bindings).toEqual(['t.a', 't.b', 's.t', 5]);
    expect(join([val(1), val(2)], ' + ')).toEqual({ sql: '? + ?', bindings: [1, 2] });
  });

  it('refuses a template holding "?" whatever its parts, before building anything', () => {
    expect(() => sql`SELECT ?`).toThrow(/must not contain "\?"/);
    expect(() => sql`SELECT ${val(1)} WHERE x = ?`).toThrow(/must not contain "\?"/);
    expect(() => constant('a ? b')).toThrow(/must not contain "\?"/);
    expect(() => lit(1.5)).toThrow(/Not an integer/);
  });
});

describe('identifiers', () => {
  it('accepts plain names from plans and catalog names knex quotes faithfully', () => {
    expect(parseTableName('public.orders', 'pg')).toEqual({ schema: 'public', name: 'orders' });
    expect(parseTableName('orders', 'sqlite')).toEqual({ name: 'orders' });
    expect(isPlainIdentifier('a'.repeat(63))).toBe(true);
    expect(isPlainIdentifier('a'.repeat(64))).toBe(false);
    expect(checkCatalogName('Weird Name', 'Column')).toBe('Weird Name');
  });

  it('refuses anything else with an InputError naming it', () => {
    expect(() => parseTableName('public.orders', 'sqlite')).toThrow(InputError);
    expect(() => parseTableName('x; drop table y', 'pg')).toThrow(/Table name 'x; drop table y' is not valid/);
    for (const name of ['a.b', 'a?b', 'a"b', 'x as y', ' padded', '']) {
      expect(() => checkCatalogName(name, 'Column')).toThrow(InputError);
    }
  });
});

describe('safeProgress', () => {
  it('reports whole percentages in [0, 100] that never go backwards, and never throws', () => {
    const seen: number[] = [];
    const progress = safeProgress(percent => {
      seen.push(percent);
      if (percent === 50) throw new Error('a failing reporter');
    });
    for (const p of [-5, 12.7, 10, 50, 250, NaN, 99]) progress(p, 'step');
    expect(seen).toEqual([0, 12, 12, 50, 100, 100, 100]);
  });
});
