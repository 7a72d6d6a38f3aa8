// Long: one suite per engine pairing (SQLite, PostgreSQL, SQLite -> PostgreSQL) over the same
// table fixtures, which are defined once at the top of this file.
import { CutoverDatasetTarget, ReconciliationFigures } from '@switchyard/plugin-cutover-node';
import knexFactory, { Knex } from 'knex';
import { cutoverTestDatabases } from '../__testUtils__/databases';
import { CutoverConnections } from '../snapshots/connections';
import {
  canonicalValue,
  KnexReconciler,
  KnexReconcilerOptions,
  KnexReconcilerStats,
  pgHashTextExtended,
  roundedDecimal,
} from './KnexReconciler';
import { constant, ident, rawArgs, sql } from '../sql/fragment';
import { pgCanonical } from './pgSql';

jest.setTimeout(180_000);

const databases = cutoverTestDatabases();
const supported = databases.eachSupportedId().map(([id]) => id);
const noProgress = () => {};

type Kind = 'missingInDestination' | 'missingInSource' | 'mismatched';

function target(connection: string, table: string, keyColumns: string[]): CutoverDatasetTarget {
  return { migrationId: 'm1', dataset: 'orders', connection, table, keyColumns };
}

/** Keys of each kind, as sorted JSON texts, from a run with an unlimited sample. */
function keysByKind(figures: ReconciliationFigures): Record<Kind, string[]> {
  const out: Record<Kind, string[]> = { missingInDestination: [], missingInSource: [], mismatched: [] };
  for (const { key, kind } of figures.sampleKeys) out[kind].push(JSON.stringify(key));
  for (const kind of Object.keys(out) as Kind[]) out[kind].sort();
  return out;
}

const ids = (...values: number[]) => values.map(id => JSON.stringify({ id })).sort();

function reconciler(connections: CutoverConnections, options: KnexReconcilerOptions = {}) {
  const stats: KnexReconcilerStats[] = [];
  const instance = new KnexReconciler(connections, {
    sampleLimit: Infinity,
    ...options,
    onStats: s => stats.push(s),
  });
  return { instance, stats };
}

interface OrderRow {
  id: number;
  name: string;
  amount: string | null;
  ratio: number | null;
  active: boolean | null;
  born: string | null;
  created_at: string | null;
  note: string | null;
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

function isoDate(day: number) {
  const d = new Date(Date.UTC(2000, 0, 1) + day * 86_400_000);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
}

function isoTimestamp(ms: number) {
  return new Date(ms).toISOString().replace('T', ' ').replace('Z', '');
}

function orderRow(id: number): OrderRow {
  let note: string | null = `note ${id} ${'é'.repeat(id % 3)}`;
  if (id % 5 === 0) note = null;
  else if (id % 7 === 0) note = '';
  return {
    id,
    name: `customer ${id % 97}`,
    amount: id % 11 === 0 ? null : (id * 13.37).toFixed(2),
    ratio: id % 13 === 0 ? null : id / 7,
    active: id % 17 === 0 ? null : id % 2 === 0,
    born: id % 19 === 0 ? null : isoDate(id % 9000),
    created_at: isoTimestamp(Date.UTC(2024, 0, 1) + id * 61_001),
    note,
  };
}

async function createOrders(knex: Knex, table: string) {
  await knex.schema.createTable(table, t => {
    t.integer('id').primary();
    t.text('name').notNullable();
    t.decimal('amount', 12, 2).nullable();
    t.double('ratio').nullable();
    t.boolean('active').nullable();
    t.date('born').nullable();
    t.timestamp('created_at', { useTz: false }).nullable();
    t.text('note').nullable();
  });
}

async function insertAll<T extends object>(knex: Knex, table: string, rows: T[]) {
  for (let i = 0; i < rows.length; i += 200) await knex(table).insert(rows.slice(i, i + 200));
}

/** Plants one difference of each kind, at the first and last keys among others. */
async function plantOrderDifferences(knex: Knex, table: string, n: number) {
  await knex(table).whereIn('id', [1, 500, 1234]).delete(); // missing in destination, incl. the first key
  await insertAll(knex, table, [orderRow(n + 1), orderRow(n + 7), { ...orderRow(0), name: 'new first' }]);
  await knex(table).where('id', 10).update({ note: '' }); // NULL -> ''
  await knex(table).where('id', 14).update({ note: null }); // '' -> NULL
  await knex(table).where('id', 20).update({ amount: knex.raw('amount + 0.01') }); // numeric change
  await knex(table).where('id', 30).update({ active: false }); // true -> false
  await knex(table)
    .where('id', 40)
    .update({ created_at: isoTimestamp(Date.UTC(2024, 0, 1) + 40 * 61_001 + 1000) }); // + 1 second
  await knex(table).where('id', n).update({ ratio: n / 7 + 1e-9 }); // the last key
  return {
    missingInDestination: ids(1, 500, 1234),
    missingInSource: ids(0, n + 1, n + 7),
    mismatched: ids(10, 14, 20, 30, 40, n),
  };
}

/**
 * Tables whose key is not unique: a group of 5,000 rows under one key and 1,500 under a NULL key
 * cannot be split by key, so they are leaves far larger than `leafRows`. Returns what was planted.
 */
async function createGroups(src: Knex, srcTable: string, dst: Knex, table: string) {
  for (const [knex, name] of [[src, srcTable], [dst, table]] as const) {
    await knex.schema.createTable(name, t => {
      t.text('grp').nullable();
      t.integer('seq').notNullable();
      t.text('v').nullable();
    });
  }
  const rows = [
    { grp: 'a', seq: 0, v: 'first' },
    ...Array.from({ length: 5000 }, (_, i) => ({ grp: 'big', seq: i, v: `v${i}` })),
    ...Array.from({ length: 1500 }, (_, i) => ({ grp: null, seq: i, v: `n${i}` })),
    { grp: 'z', seq: 0, v: 'last' },
  ];
  await insertAll(src, srcTable, rows);
  await insertAll(dst, table, rows);
  await dst(table).where({ grp: 'big' }).whereIn('seq', [10, 20, 30]).delete();
  await dst(table).where({ grp: 'big' }).whereIn('seq', [100, 200]).update({ v: 'changed' });
  await insertAll(dst, table, Array.from({ length: 4 }, (_, i) => ({ grp: 'big', seq: 6000 + i, v: 'extra' })));
  await dst(table).whereNull('grp').where({ seq: 700 }).update({ v: null });
  // 'big': 5 source rows unpaired (3 deleted, 2 changed), 6 destination rows (2 changed, 4 new).
  return {
    counts: { mismatched: 5 + 1, missingInDestination: 0, missingInSource: 1 },
    keys: {
      missingInDestination: [],
      missingInSource: [JSON.stringify({ grp: 'big' })],
      mismatched: [JSON.stringify({ grp: 'big' }), JSON.stringify({ grp: null })].sort(),
    },
  };
}

/**
 * Runs over createGroups' tables, which stream both large leaves, holding at most two batches per side (the one merged, the one read ahead);
 * returns how many leaves were streamed.
 */
async function streamedGroups(
  connections: CutoverConnections,
  source: CutoverDatasetTarget,
  destination: CutoverDatasetTarget,
  planted: Awaited<ReturnType<typeof createGroups>>,
) {
  const batch = 100;
  const { instance, stats } = reconciler(connections, { streamBatchRows: batch });
  const figures = await instance.reconcile(source, destination, noProgress);
  expect(keysByKind(figures)).toEqual(planted.keys);
  expect(figures).toMatchObject({ ...planted.counts, sourceCount: 6502, destinationCount: 6503 });
  // Every row of both leaves (and of the few rows of other keys their ranges hold) went through
  // Node, never more than two batches per side at a time (the one merged and the one read ahead).
  expect(stats[0].leafRowsStreamed).toBeGreaterThanOrEqual(5000 + 5001 + 1500 + 1500);
  expect(stats[0].leafRowsStreamed).toBeLessThanOrEqual(6502 + 6503);
  expect(stats[0].leafRowsHeldPeak).toBeLessThanOrEqual(4 * batch);
  expect(stats[0].leafRowsHeldPeak).toBeGreaterThan(0);
  // The same tables fetched whole (leaves up to 10,000 rows) agree, holding them all at once.
  const whole = reconciler(connections, { leafRows: 10_000 });
  const fetched = await whole.instance.reconcile(source, destination, noProgress);
  expect(keysByKind(fetched)).toEqual(planted.keys);
  expect(fetched).toMatchObject(planted.counts);
  expect(whole.stats[0].leavesStreamed).toBe(0);
  expect(whole.stats[0].leafRowsHeldPeak).toBeGreaterThan(10 * batch);
  return stats[0].leavesStreamed;
}

describe('canonical values', () => {
  it('writes numbers as plain decimals, floats rounded to 15 digits half to even', () => {
    expect(roundedDecimal(0.1 + 0.2, 15)).toBe('0.3');
    expect(roundedDecimal(12.5, 15)).toBe('12.5');
    expect(roundedDecimal(-0, 15)).toBe('0');
    expect(roundedDecimal(1e21, 15)).toBe('1000000000000000000000');
    expect(roundedDecimal(1.5e-7, 15)).toBe('0.00000015');
    // Exact ties go to the even digit, as C's printf does.
    expect(roundedDecimal(1234567890123455, 15)).toBe('1234567890123460');
    expect(roundedDecimal(1234567890123445, 15)).toBe('1234567890123440');
    expect(canonicalValue('n', '12.50')).toBe('12.5');
    expect(canonicalValue('n', 5n)).toBe('5');
    expect(canonicalValue('n', '-0.000')).toBe('0');
    expect(canonicalValue('f15', 5n)).toBe('5');
    expect(canonicalValue('f6', 0.1)).toBe('0.1');
    expect(canonicalValue('n', 'abc')).not.toBe('abc');
  });

  it('reads SQLite booleans, dates and timestamps', () => {
    expect(canonicalValue('b', 1n)).toBe('true');
    expect(canonicalValue('b', 0n)).toBe('false');
    expect(canonicalValue('b', 'f')).toBe('false');
    expect(canonicalValue('d', '2024-02-29')).toBe('2024-02-29');
    expect(canonicalValue('d', '2024-02-30')).not.toBe('2024-03-01');
    expect(canonicalValue('ts', '2024-01-05T10:00:00.500Z')).toBe('2024-01-05 10:00:00.5');
    expect(canonicalValue('ts', '2024-01-05 12:00:00+02:00')).toBe('2024-01-05 10:00:00');
    expect(canonicalValue('ts', 1704067200000)).toBe('2024-01-01 00:00:00');
    expect(canonicalValue('ts', 1704067200n)).toBe('2024-01-01 00:00:00');
    expect(canonicalValue('d', 1704067200000)).toBe('2024-01-01');
    expect(canonicalValue('ts', '1969-12-31 23:59:59.999999')).toBe('1969-12-31 23:59:59.999999');
    expect(canonicalValue('u', 'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11')).toBe('a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11');
    expect(canonicalValue('t', null)).toBeNull();
    expect(canonicalValue('t', '')).toBe('');
  });
});

describe.each(databases.eachSupportedId())('KnexReconciler on %s', databaseId => {
  const isPg = databaseId.startsWith('POSTGRES');
  let knex: Knex;
  let connections: CutoverConnections;

  beforeAll(async () => {
    knex = await databases.init(databaseId);
    connections = new CutoverConnections({ src: knex, dst: knex });
  });

  it('finds nothing in equal tables, and exactly the planted differences', async () => {
    const n = 3000;
    await createOrders(knex, 'eq_src');
    await insertAll(knex, 'eq_src', Array.from({ length: n }, (_, i) => orderRow(i + 1)));
    await createOrders(knex, 'eq_dst');
    await knex.raw('INSERT INTO ?? SELECT * FROM ??', ['eq_dst', 'eq_src']);
    const { instance, stats } = reconciler(connections);
    const progress = jest.fn();

    const equal = await instance.reconcile(target('src', 'eq_src', ['id']), target('dst', 'eq_dst', ['id']), progress);
    expect(equal).toMatchObject({
      sourceCount: n,
      destinationCount: n,
      missingInDestination: 0,
      missingInSource: 0,
      mismatched: 0,
      driftRatio: 0,
      sampleKeys: [],
      rowsCompared: n,
    });
    expect(progress).toHaveBeenLastCalledWith(100, expect.any(String));
    expect(stats[0].hashScheme).toBe(isPg ? 'native' : 'canonical');
    expect(stats[0].levels).toBe(0);
    expect(stats[0].leafRowsFetched).toBe(0);

    const planted = await plantOrderDifferences(knex, 'eq_dst', n);
    const figures = await instance.reconcile(target('src', 'eq_src', ['id']), target('dst', 'eq_dst', ['id']), noProgress);
    expect(keysByKind(figures)).toEqual(planted);
    expect(figures).toMatchObject({
      sourceCount: n,
      destinationCount: n,
      missingInDestination: 3,
      missingInSource: 3,
      mismatched: 6,
      rowsCompared: n + 3,
    });
    expect(figures.driftRatio).toBeCloseTo(12 / n, 12);
    // Only the four differing ranges (of about 250 keys each) were fetched.
    expect(stats[1].leafRowsFetched).toBeLessThanOrEqual(4 * 2 * 256);
  });

  it('limits the sample and reports columns present on one side only', async () => {
    await createOrders(knex, 'cols_src');
    await insertAll(knex, 'cols_src', Array.from({ length: 300 }, (_, i) => orderRow(i + 1)));
    await createOrders(knex, 'cols_dst');
    await knex.raw('INSERT INTO ?? SELECT * FROM ??', ['cols_dst', 'cols_src']);
    await knex.schema.alterTable('cols_dst', t => t.text('extra').nullable());
    await knex('cols_dst').where('id', '<=', 80).update({ name: 'renamed' });
    const instance = new KnexReconciler(connections, { sampleLimit: 5 });
    const figures = await instance.reconcile(target('src', 'cols_src', ['id']), target('dst', 'cols_dst', ['ID']), noProgress);
    expect(figures.mismatched).toBe(80);
    expect(figures.sampleKeys).toHaveLength(5);
    expect(figures.notes).toEqual(['Columns only in the destination, not compared: extra']);
  });

  it("compares renamed columns by the plan's columnMap and leaves out its ignoreColumns", async () => {
    await knex.schema.createTable('map_src', t => {
      t.integer('id').primary();
      t.text('name').notNullable();
      t.text('email');
      t.text('note');
    });
    await knex.schema.createTable('map_dst', t => {
      t.integer('id').primary();
      t.text('full_name').notNullable();
      t.text('email');
      t.text('note');
      t.text('loaded_by');
    });
    const rows = Array.from({ length: 120 }, (_, i) => ({ id: i + 1, name: `n${i + 1}`, email: i % 4 ? `e${i + 1}@x` : null, note: `note ${i}` }));
    await insertAll(knex, 'map_src', rows);
    await insertAll(knex, 'map_dst', rows.map(({ name, ...r }) => ({ ...r, full_name: name, loaded_by: 'etl' })));
    await knex('map_dst').where({ id: 5 }).update({ full_name: 'changed' }); // a real difference, in a renamed column
    await knex('map_dst').where({ id: 6 }).update({ note: 'normalised on purpose' }); // ignored
    await knex('map_dst').where({ id: 7 }).update({ email: null }); // a real difference

    const { instance } = reconciler(connections);
    const mapped = (t: CutoverDatasetTarget) => ({ ...t, columnMap: { name: 'full_name' }, ignoreColumns: ['note', 'loaded_by'] });
    const figures = await instance.reconcile(mapped(target('src', 'map_src', ['id'])), mapped(target('dst', 'map_dst', ['id'])), noProgress);
    expect(keysByKind(figures)).toEqual({ missingInDestination: [], missingInSource: [], mismatched: ids(5, 7) });
    expect(figures.notes).toEqual([
      'Columns compared under another name: name -> full_name',
      'Columns left out by the plan (ignoreColumns): note, loaded_by',
    ]);

    // Without the map, the renamed column is not compared at all: the difference in it hides.
    const plain = await instance.reconcile(target('src', 'map_src', ['id']), target('dst', 'map_dst', ['id']), noProgress);
    expect(keysByKind(plain).mismatched).toEqual(ids(6, 7));
    expect(plain.notes).toEqual([
      'Columns only in the source, not compared: name',
      'Columns only in the destination, not compared: full_name, loaded_by',
    ]);

    // A map naming a column that is not there is refused, naming it.
    const wrong = (t: CutoverDatasetTarget) => ({ ...t, columnMap: { name: 'fullname' } });
    await expect(
      instance.reconcile(wrong(target('src', 'map_src', ['id'])), wrong(target('dst', 'map_dst', ['id'])), noProgress),
    ).rejects.toThrow("columnMap of 'orders': the destination table has no column 'fullname' (for source column 'name')");
    const key = (t: CutoverDatasetTarget) => ({ ...t, columnMap: { id: 'email' } });
    await expect(
      instance.reconcile(key(target('src', 'map_src', ['id'])), key(target('dst', 'map_dst', ['id'])), noProgress),
    ).rejects.toThrow(/'id' is a key column/);
  });

  it('compares composite keys (text, int) in byte order', async () => {
    const regions = ['Zulu', 'alpha', 'Beta', 'éclair', 'delta', 'Alpha'];
    const create = (table: string) =>
      knex.schema.createTable(table, t => {
        t.string('region', 40).notNullable();
        t.integer('seq').notNullable();
        t.text('payload').nullable();
        t.primary(['region', 'seq']);
      });
    await create('cmp_src');
    await create('cmp_dst');
    const rows = regions.flatMap(region =>
      Array.from({ length: 400 }, (_, i) => ({ region, seq: i + 1, payload: i % 9 ? `${region}-${i}` : null })),
    );
    await insertAll(knex, 'cmp_src', rows);
    await insertAll(knex, 'cmp_dst', rows);
    // In byte order 'Alpha' < 'Beta' < 'Zulu' < 'alpha' < 'delta' < 'éclair'.
    await knex('cmp_dst').where({ region: 'Alpha', seq: 1 }).delete(); // the first key
    await knex('cmp_dst').insert({ region: 'éclair', seq: 401, payload: 'x' }); // a new last key
    await knex('cmp_dst').insert({ region: 'alpha', seq: 0, payload: 'x' });
    await knex('cmp_dst').where({ region: 'éclair', seq: 400 }).update({ payload: 'changed' }); // the last key
    await knex('cmp_dst').where({ region: 'Zulu', seq: 9 }).update({ payload: '' }); // NULL -> ''
    const key = (region: string, seq: number) => JSON.stringify({ region, seq });
    const expected = {
      missingInDestination: [key('Alpha', 1)],
      missingInSource: [key('alpha', 0), key('éclair', 401)].sort(),
      mismatched: [key('Zulu', 9), key('éclair', 400)].sort(),
    };
    const levels: number[] = [];
    for (const options of [{}, { leafRows: 16, fanOut: 4, maxTopBuckets: 4 }]) {
      const { instance, stats } = reconciler(connections, options);
      const figures = await instance.reconcile(
        target('src', 'cmp_src', ['region', 'seq']),
        target('dst', 'cmp_dst', ['region', 'seq']),
        noProgress,
      );
      expect(keysByKind(figures)).toEqual(expected);
      expect(figures).toMatchObject({ sourceCount: 2400, destinationCount: 2401 });
      levels.push(stats[0].levels);
    }
    // Small leaves make the text-keyed ranges go through several levels of quantile splits.
    expect(levels[1]).toBeGreaterThanOrEqual(3);
  });

  it('bisects through several levels and fetches few rows', async () => {
    const n = 20_000;
    const create = (table: string) =>
      knex.schema.createTable(table, t => {
        t.integer('id').primary();
        t.text('label').notNullable();
        t.decimal('value', 12, 2).notNullable();
      });
    await create('big_src');
    await create('big_dst');
    const rows = Array.from({ length: n }, (_, i) => ({ id: i + 1, label: `row ${i + 1}`, value: ((i * 7) % 1000) / 4 }));
    await insertAll(knex, 'big_src', rows);
    await insertAll(knex, 'big_dst', rows);
    await knex('big_dst').where('id', 12_345).update({ value: -((12_344 * 7) % 1000) / 4 - 1 });
    await knex('big_dst').where('id', 7).delete();
    await knex('big_dst').insert({ id: n + 100, label: 'late', value: 1 });
    // Coarse top cells, split level by level (not streamed as cells of a leaf's size).
    const { instance, stats } = reconciler(connections, { leafRows: 32, fanOut: 4, maxTopBuckets: 4, maxStreamedTopCells: 0 });
    const figures = await instance.reconcile(target('src', 'big_src', ['id']), target('dst', 'big_dst', ['id']), noProgress);
    expect(keysByKind(figures)).toEqual({
      missingInDestination: ids(7),
      missingInSource: ids(n + 100),
      mismatched: ids(12_345),
    });
    expect(stats[0].levels).toBeGreaterThanOrEqual(4);
    expect(stats[0].leafRowsFetched).toBeLessThan(250);
    expect(stats[0].rowsFetched).toBeLessThan(1000);

    // A numeric sign change alone is seen too.
    await knex('big_dst').where('id', 12_345).update({ value: ((12_344 * 7) % 1000) / 4 });
    await knex('big_dst').where('id', 100).update({ value: -((99 * 7) % 1000) / 4 });
    const signs = await instance.reconcile(target('src', 'big_src', ['id']), target('dst', 'big_dst', ['id']), noProgress);
    expect(keysByKind(signs).mismatched).toEqual(ids(100));
  });

  it('finds dense drift (every 40th row) exactly, a grid level at a time', async () => {
    const n = 20_000;
    const create = (table: string) =>
      knex.schema.createTable(table, t => {
        t.integer('id').primary();
        t.text('label').notNullable();
      });
    await create('dense_src');
    await create('dense_dst');
    const rows = Array.from({ length: n }, (_, i) => ({ id: i + 1, label: `row ${i + 1}` }));
    await insertAll(knex, 'dense_src', rows);
    await insertAll(knex, 'dense_dst', rows);
    const changed = rows.filter(r => r.id % 40 === 0).map(r => r.id);
    const deleted = rows.filter(r => r.id % 200 === 7).map(r => r.id);
    const added = Array.from({ length: 50 }, (_, i) => n + 1 + i * 2);
    for (let i = 0; i < changed.length; i += 200) {
      await knex('dense_dst').whereIn('id', changed.slice(i, i + 200)).update({ label: 'changed' });
    }
    await knex('dense_dst').whereIn('id', deleted).delete();
    await insertAll(knex, 'dense_dst', added.map(id => ({ id, label: 'late' })));
    const expected = {
      missingInDestination: ids(...deleted),
      missingInSource: ids(...added),
      mismatched: ids(...changed),
    };
    // A coarse top level (cells of 256 keys): the level below it and the leaves went by one
    // statement per side each.
    const coarse = reconciler(connections, { streamBatchRows: 500, maxTopBuckets: 100, maxStreamedTopCells: 0 });
    const figures = await coarse.instance.reconcile(target('src', 'dense_src', ['id']), target('dst', 'dense_dst', ['id']), noProgress);
    expect(keysByKind(figures)).toEqual(expected);
    expect(figures).toMatchObject({ mismatched: 500, missingInDestination: 100, missingInSource: 50 });
    expect(coarse.stats[0].gridPasses).toBeGreaterThanOrEqual(2);
    expect(coarse.stats[0].leafRowsHeldPeak).toBeLessThanOrEqual(4 * 500);
    expect(coarse.stats[0].queries).toBeLessThan(40);
    // By default the top level is cut into cells of a leaf's size (16 keys): their differing cells
    // are the leaves, streamed by one statement per side, one level in all.
    const fine = reconciler(connections, { streamBatchRows: 500 });
    const again = await fine.instance.reconcile(target('src', 'dense_src', ['id']), target('dst', 'dense_dst', ['id']), noProgress);
    expect(keysByKind(again)).toEqual(expected);
    expect(fine.stats[0]).toMatchObject({ levels: 1, gridPasses: 1 });
    expect(fine.stats[0].queries).toBeLessThan(coarse.stats[0].queries);
    // More cells of a leaf's size (1,254) than maxTopBuckets: the top level streams them in cell
    // order (a batch of 500 at a time) instead of cutting coarser cells finer, level by level.
    const streamed = reconciler(connections, { streamBatchRows: 500, maxTopBuckets: 100 });
    const third = await streamed.instance.reconcile(target('src', 'dense_src', ['id']), target('dst', 'dense_dst', ['id']), noProgress);
    expect(keysByKind(third)).toEqual(expected);
    expect(streamed.stats[0]).toMatchObject({ levels: 1, gridPasses: 2 });
    expect(streamed.stats[0].queries).toBeLessThan(coarse.stats[0].queries);
    expect(streamed.stats[0].leafRowsHeldPeak).toBeLessThanOrEqual(4 * 500);
  });

  it('counts a table against a copy not yet made from the top grid, sampling the first keys', async () => {
    const create = (table: string) =>
      knex.schema.createTable(table, t => {
        t.integer('id').primary();
        t.text('label').notNullable();
      });
    await create('empty_src');
    await create('empty_dst');
    const rows = Array.from({ length: 3000 }, (_, i) => ({ id: i + 1, label: `row ${i + 1}` }));
    await insertAll(knex, 'empty_src', rows);
    await insertAll(knex, 'empty_dst', rows.slice(2990)); // only the last ten copied
    // Cells of 16 keys held whole, and streamed (more cells than maxTopBuckets): the same answer.
    for (const options of [{}, { maxTopBuckets: 8, streamBatchRows: 50 }]) {
      const { instance, stats } = reconciler(connections, { ...options, sampleLimit: 50 });
      const figures = await instance.reconcile(target('src', 'empty_src', ['id']), target('dst', 'empty_dst', ['id']), noProgress);
      expect(figures).toMatchObject({ missingInDestination: 2990, missingInSource: 0, mismatched: 0, sourceCount: 3000, destinationCount: 10 });
      // The sample: the 14 keys missing from the one cell with rows on both sides (2977-2992: a leaf,
      // compared first), then the first 36 keys of the cells with rows on the source only, read from
      // the first three of those cells: the other cells were counted from the grid alone.
      const sampled = figures.sampleKeys.map(k => k.key.id as number);
      const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);
      expect(sampled).toEqual([...range(2977, 2990), ...range(1, 36)]);
      expect(figures.sampleKeys.every(k => k.kind === 'missingInDestination')).toBe(true);
      // The leaf's rows (16 + 2) and the 36 sampled keys; nothing read of the other cells.
      expect(stats[0].leafRowsFetched).toBe(18 + 36);
      expect(stats[0].levels).toBe(1);
    }
  });

  it('streams the top grid of a nullable integer key in cell order, across batch boundaries', async () => {
    const create = (table: string) =>
      knex.schema.createTable(table, t => {
        t.integer('id').nullable();
        t.text('label').nullable();
      });
    await create('sg_src');
    await create('sg_dst');
    const rows = [
      ...Array.from({ length: 3000 }, (_, i) => ({ id: i * 3 - 900, label: i % 5 ? `row ${i}` : null })),
      { id: null, label: 'no key' },
      { id: null, label: 'no key either' },
    ];
    await insertAll(knex, 'sg_src', rows);
    await insertAll(knex, 'sg_dst', rows);
    await knex('sg_dst').whereIn('id', [-900, -3, 0, 3000, 8097]).update({ label: 'changed' }); // first and last key too
    await knex('sg_dst').whereIn('id', [-897, 4500]).delete();
    await knex('sg_dst').insert([{ id: 9000, label: 'late' }, { id: -1000, label: 'early' }]);
    await knex('sg_dst').whereNull('id').where('label', 'no key either').update({ label: 'changed without a key' });
    const expected = {
      missingInDestination: ids(-897, 4500),
      missingInSource: ids(-1000, 9000),
      // The row without a key whose label changed: a mismatch within the NULL key.
      mismatched: [...ids(-900, -3, 0, 3000, 8097), JSON.stringify({ id: null })].sort(),
    };
    const results = [];
    // Streamed in batches of 7 cells (many batch boundaries), and level by level: the same answer.
    for (const options of [{ maxTopBuckets: 8, streamBatchRows: 7 }, { maxTopBuckets: 8, maxStreamedTopCells: 0 }]) {
      const { instance, stats } = reconciler(connections, options);
      const figures = await instance.reconcile(target('src', 'sg_src', ['id']), target('dst', 'sg_dst', ['id']), noProgress);
      expect(keysByKind(figures)).toEqual(expected);
      expect(figures).toMatchObject({ mismatched: 6, missingInDestination: 2, missingInSource: 2 });
      results.push(stats[0]);
    }
    expect(results[0].gridPasses).toBeGreaterThanOrEqual(1);
    expect(results[0].levels).toBeLessThan(results[1].levels);
  });

  it('compares rows whose key has a NULL part, and refuses bad names', async () => {
    const create = (table: string) =>
      knex.schema.createTable(table, t => {
        t.text('code').nullable();
        t.integer('n').nullable();
        t.text('v').nullable();
      });
    await create('nk_src');
    await create('nk_dst');
    const rows = [
      { code: 'a', n: 1, v: 'x' },
      { code: null, n: 2, v: 'y' },
      { code: 'b', n: null, v: 'z' },
      { code: 'c', n: 3, v: null },
    ];
    await knex('nk_src').insert(rows);
    await knex('nk_dst').insert([rows[0], { ...rows[1], v: 'changed' }, rows[3]]);
    const { instance } = reconciler(connections);
    const figures = await instance.reconcile(target('src', 'nk_src', ['code', 'n']), target('dst', 'nk_dst', ['code', 'n']), noProgress);
    expect(keysByKind(figures)).toEqual({
      missingInDestination: [JSON.stringify({ code: 'b', n: null })],
      missingInSource: [],
      mismatched: [JSON.stringify({ code: null, n: 2 })],
    });

    await expect(
      instance.reconcile(target('src', 'nk_src; drop table x', ['code']), target('dst', 'nk_dst', ['code']), noProgress),
    ).rejects.toThrow(/not valid/);
    await expect(
      instance.reconcile(target('src', 'nk_src', ['code"x']), target('dst', 'nk_dst', ['code']), noProgress),
    ).rejects.toThrow(/not a valid identifier/);
    await expect(
      instance.reconcile(target('src', 'missing_table', ['code']), target('dst', 'nk_dst', ['code']), noProgress),
    ).rejects.toThrow(/does not exist/);
  });

  it('streams a leaf that cannot be split (one key, thousands of rows) instead of loading it', async () => {
    const planted = await createGroups(knex, 'grp_src', knex, 'grp_dst');
    expect(
      await streamedGroups(connections, target('src', 'grp_src', ['grp']), target('dst', 'grp_dst', ['grp']), planted),
    ).toBe(2);
  });

  it('supports pg and better-sqlite3 connections only', async () => {
    const instance = new KnexReconciler(connections);
    expect(await instance.supports(target('src', 't', ['id']), target('dst', 't', ['id']))).toBe(true);
    expect(await instance.supports(target('src', 't', ['id']), target('nope', 't', ['id']))).toBe(false);
  });

  if (isPg) {
    it('compares columns whose PostgreSQL types differ but hold the same values', async () => {
      await knex.raw(`CREATE TABLE mix_src (
        id int4 PRIMARY KEY, amount numeric(10, 2), qty int4, ratio float8, small float4, at timestamp,
        label varchar(20), flag bool, d date, u uuid, j jsonb, iv interval, code char(4), big numeric)`);
      await knex.raw(`CREATE TABLE mix_dst (
        id int8 PRIMARY KEY, amount numeric, qty numeric, ratio float8, small float8, at timestamptz,
        label text, flag bool, d timestamp, u uuid, j jsonb, iv interval, code text, big numeric)`);
      await knex.raw(`INSERT INTO mix_src
        SELECT g, CASE WHEN g % 9 = 0 THEN NULL ELSE g * 1.25 END, g % 50, g / 3.0, (g / 8.0)::float4,
          timestamp '2024-01-01' + g * interval '1 second 1 millisecond', 'label ' || g, g % 2 = 0,
          date '2020-01-01' + g, md5(g::text)::uuid, jsonb_build_object('g', g, 'half', g / 2.0),
          g * interval '1 minute', CASE WHEN g % 4 = 0 THEN 'ab' ELSE 'abcd' END,
          CASE WHEN g % 97 = 0 THEN 'NaN' WHEN g % 89 = 0 THEN 'Infinity' WHEN g % 83 = 0 THEN '-Infinity' ELSE g * 3.5 END
        FROM generate_series(1, 2000) g`);
      await knex.raw(`INSERT INTO mix_dst
        SELECT id, amount, qty, ratio, small::text::float8, at AT TIME ZONE 'UTC', label, flag, d, u, j, iv, rtrim(code), big
        FROM mix_src`);
      const { instance, stats } = reconciler(connections);
      const source = target('src', 'mix_src', ['id']);
      const destination = target('dst', 'mix_dst', ['id']);
      const equal = await instance.reconcile(source, destination, noProgress);
      expect(keysByKind(equal)).toEqual({ missingInDestination: [], missingInSource: [], mismatched: [] });
      expect(stats[0].hashScheme).toBe('native');

      await knex.raw(`UPDATE mix_dst SET qty = qty + 1 WHERE id = 1`);
      await knex.raw(`UPDATE mix_dst SET at = at + interval '1 microsecond' WHERE id = 2000`);
      await knex.raw(`UPDATE mix_dst SET j = jsonb_set(j, '{g}', '0') WHERE id = 77`);
      await knex.raw(`UPDATE mix_dst SET amount = -amount WHERE id = 78`);
      await knex.raw(`UPDATE mix_dst SET amount = NULL WHERE id = 79`);
      await knex.raw(`UPDATE mix_dst SET small = small + 0.001 WHERE id = 80`);
      await knex.raw(`UPDATE mix_dst SET d = d + interval '1 hour' WHERE id = 81`);
      await knex.raw(`UPDATE mix_dst SET amount = 'NaN' WHERE id = 82`);
      await knex.raw(`UPDATE mix_dst SET big = 'Infinity' WHERE id = 97`); // NaN -> Infinity
      await knex.raw(`UPDATE mix_dst SET big = 'NaN' WHERE id = 89`); // Infinity -> NaN
      await knex.raw(`UPDATE mix_dst SET big = -3 WHERE id = 83`); // -Infinity -> -3
      await knex.raw(`UPDATE mix_dst SET flag = NULL WHERE id = 84`); // true -> NULL
      await knex.raw(`UPDATE mix_dst SET flag = NOT flag WHERE id = 85`);
      await knex.raw(`UPDATE mix_dst SET label = NULL WHERE id = 86`);
      const figures = await instance.reconcile(source, destination, noProgress);
      expect(keysByKind(figures)).toEqual({
        missingInDestination: [],
        missingInSource: [],
        mismatched: ids(1, 77, 78, 79, 80, 81, 82, 83, 84, 85, 86, 89, 97, 2000),
      });
    });

    it('sees 64-bit integers that PostgreSQL would hash alike (its int8 hash folds to 32 bits)', async () => {
      // hashint8extended(v) hashes (low 32 bits) XOR (high 32 bits, inverted when negative): -1 and
      // 4294967295 (a signed / unsigned mix-up), or 0 and 4294967297, would hash alike.
      await knex.raw(`CREATE TABLE wide_src (id int4 PRIMARY KEY, narrow int4, wide int8 NOT NULL, later int8)`);
      await knex.raw(`CREATE TABLE wide_dst (id int8 PRIMARY KEY, narrow int8, wide int8 NOT NULL, later int8)`);
      await knex.raw(`INSERT INTO wide_src SELECT g, g - 50, g * 1000003, CASE WHEN g % 3 = 0 THEN NULL ELSE g END
        FROM generate_series(1, 100) g`);
      await knex.raw(`INSERT INTO wide_dst SELECT * FROM wide_src`);
      const { instance } = reconciler(connections);
      const source = target('src', 'wide_src', ['id']);
      const destination = target('dst', 'wide_dst', ['id']);
      expect(keysByKind(await instance.reconcile(source, destination, noProgress)).mismatched).toEqual([]);
      await knex.raw(`UPDATE wide_src SET narrow = -1 WHERE id = 7`);
      await knex.raw(`UPDATE wide_dst SET narrow = 4294967295 WHERE id = 7`);
      await knex.raw(`UPDATE wide_src SET wide = 0 WHERE id = 8`);
      await knex.raw(`UPDATE wide_dst SET wide = 4294967297 WHERE id = 8`);
      await knex.raw(`UPDATE wide_src SET later = -4294967296 WHERE id = 10`);
      await knex.raw(`UPDATE wide_dst SET later = 0 WHERE id = 10`);
      const figures = await instance.reconcile(source, destination, noProgress);
      expect(keysByKind(figures)).toEqual({ missingInDestination: [], missingInSource: [], mismatched: ids(7, 8, 10) });
    });

    it('rounds floats and writes timestamps exactly as PostgreSQL does', async () => {
      let x = 987654321;
      const random = () => {
        x = (x * 1103515245 + 12345) % 2147483648;
        return x / 2147483648;
      };
      const doubles = [0.1 + 0.2, 1e21, 1.5e-7, 1234567890123455, 1234567890123445, -2.5, 12.5, 1 / 3, 2 / 3];
      for (let i = 0; i < 400; i++) doubles.push((random() - 0.5) * 10 ** Math.floor(random() * 40 - 20));
      for (let i = 0; i < 100; i++) doubles.push(Math.round(random() * 1e6) / 100); // decimals read into doubles
      const floats = await knex.raw(
        'SELECT trim_scale(v::numeric)::text AS v15, trim_scale(v::float4::numeric)::text AS v6 FROM unnest(?::float8[]) WITH ORDINALITY AS t(v, i) ORDER BY i',
        [doubles.map(d => d.toString())],
      );
      expect(doubles.map(d => roundedDecimal(d, 15))).toEqual(floats.rows.map((r: any) => r.v15));
      expect(doubles.map(d => canonicalValue('f6', d))).toEqual(floats.rows.map((r: any) => r.v6));

      const instants = ['2024-01-05T10:00:00.5Z', '2024-02-29 23:59:59.999999', '1999-12-31T23:00:00-02:30', '0001-01-01', '2024-03-31T24:00:00'];
      for (let i = 0; i < 200; i++) {
        instants.push(new Date(Math.floor((random() - 0.3) * 4e12)).toISOString().replace(/(\.\d+)?Z$/, `.${Math.floor(random() * 1e6)}Z`));
      }
      const stamps = await knex.raw(
        `SELECT (v::timestamptz AT TIME ZONE 'UTC')::text AS v FROM unnest(?::text[]) WITH ORDINALITY AS t(v, i) ORDER BY i`,
        [instants],
      );
      expect(instants.map(v => canonicalValue('ts', v))).toEqual(stamps.rows.map((r: any) => r.v));
      const epochs = [0, 1704067200, 1704067200.25, -86401, 1704067200123, -1704067200123];
      const fromEpochs = await knex.raw(
        `SELECT (to_timestamp(CASE WHEN abs(v) < 1e11 THEN v ELSE v / 1000 END) AT TIME ZONE 'UTC')::text AS v
         FROM unnest(?::numeric[]) WITH ORDINALITY AS t(v, i) ORDER BY i`,
        [epochs.map(String)],
      );
      expect(epochs.map(v => canonicalValue('ts', v))).toEqual(fromEpochs.rows.map((r: any) => r.v));
    });

    it('rounds bounded numerics and integers at 15 and 6 digits without the trip through float', async () => {
      // pgCanonical skips `::float8::numeric` (and float4) where the column holds no more digits
      // than the rounding keeps: the text must be the one the round trip gives, at the extremes too.
      await knex.raw(`CREATE TABLE bounded (i int4 PRIMARY KEY, a numeric(15, 2), b numeric(15, 15), c numeric(15, 0),
        d numeric(6, 3), e int2, f int4, g numeric(6, 0))`);
      await knex.raw(`INSERT INTO bounded VALUES
        (1, 9999999999999.99, 0.999999999999999, 999999999999999, 999.999, 32767, 2147483647, 999999),
        (2, -9999999999999.99, -0.000000000000001, -999999999999999, -0.001, -32768, -2147483648, -999999),
        (3, 0, 0, 0, 0, 0, 0, 0), (4, 0.10, 0.100000000000000, 10, 1.500, 10, 10, 100),
        (5, 'NaN', 'NaN', 'NaN', 'NaN', 1, 1, 'NaN'), (6, 1234567890123.45, 0.123456789012345, 123456789012345, 123.456, 12345, 123456789, 123456)`);
      for (let n = 7; n < 400; n++) {
        const r = (k: number) => ((n * 7919 + k * 104729) % 1000003) / 1000003;
        await knex('bounded').insert({
          i: n, a: ((r(1) - 0.5) * 2e13).toFixed(2), b: (r(2) - 0.5).toFixed(15), c: Math.round((r(3) - 0.5) * 1e15),
          d: ((r(4) - 0.5) * 1998).toFixed(3), e: Math.round((r(5) - 0.5) * 65535), f: Math.round((r(6) - 0.5) * 4e9), g: Math.round((r(7) - 0.5) * 1e6),
        });
      }
      const info = await knex.raw(`SELECT attname, atttypmod, format_type(atttypid, NULL) AS t FROM pg_attribute
        WHERE attrelid = 'bounded'::regclass AND attnum > 1 ORDER BY attnum`);
      const typeName: Record<string, string> = { numeric: 'numeric', smallint: 'int2', integer: 'int4' };
      for (const { attname, atttypmod, t } of info.rows as Array<{ attname: string; atttypmod: number; t: string }>) {
        for (const [code, cast] of [['f15', 'float8'], ['f6', 'float4']] as const) {
          const fast = pgCanonical(ident(attname), typeName[t], code, atttypmod);
          const [text, bindings] = rawArgs(sql`SELECT ${fast} AS fast, trim_scale(${ident(attname)}::${constant(cast)}::numeric)::text AS trip FROM bounded ORDER BY i`);
          const rows = (await knex.raw(text, bindings)).rows as Array<{ fast: string; trip: string }>;
          expect(rows.map(r => r.fast)).toEqual(rows.map(r => r.trip));
        }
      }
      expect(rawArgs(pgCanonical(ident('a'), 'numeric', 'f15', (15 << 16) + 2 + 4))[0]).not.toContain('float8');
      expect(rawArgs(pgCanonical(ident('a'), 'numeric', 'f15', (16 << 16) + 2 + 4))[0]).toContain('float8');
      expect(rawArgs(pgCanonical(ident('d'), 'numeric', 'f6', (6 << 16) + 3 + 4))[0]).not.toContain('float4');
      expect(rawArgs(pgCanonical(ident('f'), 'int4', 'f6'))[0]).toContain('float4');
    });

    it('ports hashtextextended exactly', async () => {
      const samples: Array<[string, bigint]> = [];
      let x = 12345;
      const next = () => {
        x = (x * 1103515245 + 12345) % 2147483648;
        return x;
      };
      for (let len = 0; len < 40; len++) {
        const chars = Array.from({ length: len }, () => {
          const r = next() % 6;
          if (r === 0) return 'é';
          if (r === 1) return '語';
          return String.fromCharCode(32 + (next() % 90));
        });
        samples.push([chars.join(''), BigInt(next()) * BigInt(next()) * (next() % 2 ? -1n : 1n)]);
      }
      const rows = await Promise.all(
        samples.map(([text, seed]) =>
          knex.raw('SELECT hashtextextended(?, CAST(? AS bigint))::text AS h', [text, seed.toString()]),
        ),
      );
      rows.forEach((result, i) => expect(result.rows[0].h).toBe(pgHashTextExtended(...samples[i]).toString()));
    });
  }
});

const crossEngine = supported.includes('POSTGRES_15') ? describe : describe.skip;

crossEngine('KnexReconciler from SQLite to PostgreSQL', () => {
  let sqlite: Knex;
  let pg: Knex;
  let connections: CutoverConnections;

  beforeAll(async () => {
    sqlite = knexFactory({ client: 'better-sqlite3', connection: { filename: ':memory:' }, useNullAsDefault: true });
    pg = await databases.init('POSTGRES_15');
    connections = new CutoverConnections({ legacy: sqlite, modern: pg });
  });

  afterAll(async () => {
    await sqlite.destroy();
  });

  /** The legacy table: SQLite's own representations of the same values. */
  async function createLegacy(table: string, n: number) {
    await sqlite.raw(`CREATE TABLE ?? (
      id INTEGER PRIMARY KEY, name TEXT NOT NULL, amount REAL, ratio REAL, active BOOLEAN,
      born DATE, created_at DATETIME, note TEXT)`, [table]);
    const rows = Array.from({ length: n }, (_, i) => {
      const row = orderRow(i + 1);
      const ms = Date.UTC(2024, 0, 1) + row.id * 61_001;
      return {
        ...row,
        amount: row.amount === null ? null : Number(row.amount),
        active: row.active === null ? null : Number(row.active),
        // Half as ISO text with a zone, half as epoch milliseconds (what knex writes for a Date).
        created_at: row.id % 2 ? new Date(ms).toISOString() : ms,
      };
    });
    await insertAll(sqlite, table, rows);
  }

  async function createModern(table: string, n: number) {
    await pg.raw(`CREATE TABLE ?? (
      id bigint PRIMARY KEY, name varchar(100) NOT NULL, amount numeric(12, 2), ratio double precision,
      active boolean, born date, created_at timestamptz, note text)`, [table]);
    const rows = Array.from({ length: n }, (_, i) => {
      const row = orderRow(i + 1);
      return { ...row, created_at: `${row.created_at}Z` };
    });
    await insertAll(pg, table, rows);
  }

  it.each(['native', 'javascript'] as const)('sees a faithful copy as equal, and exactly the planted differences (%s SQLite hashing)', async hashing => {
    const n = 3000;
    const table = `orders_${hashing}`;
    await createLegacy(table, n);
    await createModern(table, n);
    const { instance, stats } = reconciler(connections, { nativeSqliteHashing: hashing === 'native' });
    const source = target('legacy', table, ['id']);
    const destination = target('modern', `public.${table}`, ['id']);
    const equal = await instance.reconcile(source, destination, noProgress);
    expect(keysByKind(equal)).toEqual({ missingInDestination: [], missingInSource: [], mismatched: [] });
    expect(equal).toMatchObject({ sourceCount: n, destinationCount: n, driftRatio: 0 });
    expect(stats[0].hashScheme).toBe('canonical');
    expect(stats[0].sqliteHashing).toBe(hashing);
    expect(stats[0].leafRowsFetched).toBe(0);

    const planted = await plantOrderDifferences(pg, table, n);
    const figures = await instance.reconcile(source, destination, noProgress);
    expect(keysByKind(figures)).toEqual(planted);
    expect(figures.driftRatio).toBeCloseTo(12 / n, 12);
  });

  it('streams large leaves from both engines in one order', async () => {
    const planted = await createGroups(sqlite, 'groups', pg, 'groups');
    expect(
      await streamedGroups(connections, target('legacy', 'groups', ['grp']), target('modern', 'groups', ['grp']), planted),
    ).toBe(2);
  });

  it('orders text keys alike on both engines', async () => {
    const regions = ['Zulu', 'alpha', 'Beta', 'éclair', 'delta', 'Alpha', 'Ωmega', 'a b'];
    await sqlite.raw('CREATE TABLE regions (region TEXT NOT NULL, seq INTEGER NOT NULL, flag BOOLEAN, PRIMARY KEY (region, seq))');
    // A locale collation (where 'a' < 'B'), when the server has ICU: ranges must still use byte order.
    const icu = await pg.raw(`SELECT 1 FROM pg_collation WHERE collname = 'en-x-icu'`);
    const collate = icu.rows.length ? 'COLLATE "en-x-icu"' : '';
    await pg.raw(
      `CREATE TABLE regions (region text ${collate} NOT NULL, seq int NOT NULL, flag boolean, PRIMARY KEY (region, seq))`,
    );
    const rows = regions.flatMap(region =>
      Array.from({ length: 300 }, (_, i) => ({ region, seq: i, flag: i % 3 ? i % 2 === 0 : null })),
    );
    await insertAll(sqlite, 'regions', rows.map(r => ({ ...r, flag: r.flag === null ? null : Number(r.flag) })));
    await insertAll(pg, 'regions', rows);
    const { instance } = reconciler(connections, { leafRows: 8, fanOut: 3, maxTopBuckets: 5 });
    const source = target('legacy', 'regions', ['region', 'seq']);
    const destination = target('modern', 'regions', ['region', 'seq']);
    expect((await instance.reconcile(source, destination, noProgress)).driftRatio).toBe(0);
    await pg('regions').where({ region: 'Ωmega', seq: 299 }).update({ flag: true });
    await pg('regions').where({ region: 'Alpha', seq: 0 }).delete();
    const figures = await instance.reconcile(source, destination, noProgress);
    expect(keysByKind(figures)).toEqual({
      missingInDestination: [JSON.stringify({ region: 'Alpha', seq: 0 })],
      missingInSource: [],
      mismatched: [JSON.stringify({ region: 'Ωmega', seq: 299 })],
    });
  });
});
