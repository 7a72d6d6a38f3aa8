import { ConfigReader } from '@backstage/config';
import { InputError, NotFoundError } from '@backstage/errors';
import {
  CutoverDatasetTarget,
  SnapshotDatasetFigures,
} from '@switchyard/plugin-cutover-node';
import knexFactory, { Knex } from 'knex';
import { cutoverTestDatabases } from '../__testUtils__/databases';
import { CutoverConnections } from './connections';
import {
  KnexSnapshotProvider,
  parseTableName,
  snapshotTableName,
} from './KnexSnapshotProvider';

jest.setTimeout(120_000);

const databases = cutoverTestDatabases();
const noProgress = () => {};

type Row = Record<string, unknown>;

function target(
  table: string,
  keyColumns: string[],
  dataset = table,
): CutoverDatasetTarget {
  return { migrationId: 'm1', dataset, connection: 'dest', table, keyColumns };
}

describe.each(databases.eachSupportedId())(
  'KnexSnapshotProvider on %s',
  databaseId => {
    const isPg = databaseId.startsWith('POSTGRES');
    let knex: Knex;
    let connections: CutoverConnections;
    let provider: KnexSnapshotProvider;

    beforeAll(async () => {
      knex = await databases.init(databaseId);
      connections = new CutoverConnections({ dest: knex });
      provider = new KnexSnapshotProvider(connections);
    });

    async function all(table: string, orderBy: string[]): Promise<Row[]> {
      return knex(table).select('*').orderBy(orderBy);
    }

    async function tableExists(location: string): Promise<boolean> {
      const [schema, name] = location.includes('.')
        ? location.split('.')
        : [undefined, location];
      return schema
        ? knex.schema.withSchema(schema).hasTable(name)
        : knex.schema.hasTable(name);
    }

    async function createOrders(
      table: string,
      count: number,
      order: 'asc' | 'desc' = 'asc',
    ) {
      await knex.schema.createTable(table, t => {
        t.integer('id').primary();
        t.string('customer').notNullable();
        t.decimal('amount', 12, 2).nullable();
        t.text('note').nullable();
        t.timestamp('created_at', { useTz: true }).nullable();
      });
      const rows = Array.from({ length: count }, (_, i) => {
        const id = i + 1;
        let note: string | null = `note ${id}`;
        if (id % 5 === 0) note = null;
        else if (id % 7 === 0) note = '';
        return {
          id,
          customer: `customer ${id % 4}`,
          amount: id % 6 === 0 ? null : (id * 13.37).toFixed(2),
          note,
          created_at: new Date(Date.UTC(2024, 0, 1, 0, id)),
        };
      });
      if (order === 'desc') rows.reverse();
      for (let i = 0; i < rows.length; i += 200)
        await knex(table).insert(rows.slice(i, i + 200));
    }

    it('restores inserts, updates and deletes exactly, with NULLs', async () => {
      await createOrders('orders_a', 60);
      const dataset = target('orders_a', ['id']);
      const before = await all('orders_a', ['id']);
      const progress = jest.fn();
      const figures = await provider.create('snap-1', dataset, progress);
      expect(figures.recordCount).toBe(60);
      expect(figures.sizeBytes).toBeGreaterThan(0);
      expect(figures.location).toContain(snapshotTableName('snap-1', dataset));
      expect(progress).toHaveBeenLastCalledWith(100, expect.any(String));
      expect(await tableExists(figures.location)).toBe(true);

      // Unchanged data measures the same as the snapshot.
      const unchanged = await provider.measure(dataset);
      expect(unchanged).toEqual({
        dataset: 'orders_a',
        recordCount: 60,
        checksum: figures.checksum,
        sizeBytes: expect.any(Number),
      });

      await knex('orders_a').insert([
        {
          id: 100,
          customer: 'new',
          amount: '1.00',
          note: null,
          created_at: null,
        },
        { id: 101, customer: 'new', amount: null, note: '', created_at: null },
        {
          id: 102,
          customer: 'new',
          amount: '2.50',
          note: 'x',
          created_at: new Date(),
        },
      ]);
      await knex('orders_a').where({ id: 5 }).update({ note: 'was null' }); // NULL -> value
      await knex('orders_a').where({ id: 1 }).update({ note: null }); // value -> NULL
      await knex('orders_a').where({ id: 7 }).update({ note: null }); // '' -> NULL
      await knex('orders_a')
        .where({ id: 2 })
        .update({ amount: '999.99', customer: 'changed' });
      await knex('orders_a').whereIn('id', [3, 4]).delete();
      const changed = await provider.measure(dataset);
      expect(changed.checksum).not.toBe(figures.checksum);

      const restoreProgress = jest.fn();
      const result = await provider.restore(
        'snap-1',
        dataset,
        figures,
        restoreProgress,
      );
      expect(result).toEqual({ recordsRestored: 6, recordsDeleted: 3 });
      expect(restoreProgress).toHaveBeenLastCalledWith(100, expect.any(String));
      expect(await all('orders_a', ['id'])).toEqual(before);
      const after = await provider.measure(dataset);
      expect(after.checksum).toBe(figures.checksum);
      expect(after.recordCount).toBe(60);

      // A second restore has nothing left to do.
      expect(
        await provider.restore('snap-1', dataset, figures, noProgress),
      ).toEqual({
        recordsRestored: 0,
        recordsDeleted: 0,
      });
      expect(await all('orders_a', ['id'])).toEqual(before);
    });

    it('restores a table with a composite key', async () => {
      await knex.schema.createTable('order_lines', t => {
        t.integer('order_id').notNullable();
        t.integer('line_no').notNullable();
        t.string('sku').notNullable();
        t.integer('qty').nullable();
        t.text('comment').nullable();
        t.primary(['order_id', 'line_no']);
      });
      const lines: Row[] = [];
      for (let o = 1; o <= 10; o++) {
        for (let l = 1; l <= 3; l++) {
          lines.push({
            order_id: o,
            line_no: l,
            sku: `sku-${o}-${l}`,
            qty: l === 2 ? null : o * l,
            comment: l === 3 ? '' : null,
          });
        }
      }
      await knex('order_lines').insert(lines);
      const dataset = target('order_lines', ['order_id', 'line_no']);
      const before = await all('order_lines', ['order_id', 'line_no']);
      const figures = await provider.create('snap-2', dataset, noProgress);

      // Same order_id, different line_no (and the reverse): keys are compared as a whole.
      await knex('order_lines').insert([
        { order_id: 1, line_no: 4, sku: 'new', qty: 1, comment: null },
        { order_id: 11, line_no: 1, sku: 'new', qty: 1, comment: null },
      ]);
      await knex('order_lines')
        .where({ order_id: 2, line_no: 2 })
        .update({ qty: 0 }); // NULL -> 0
      await knex('order_lines')
        .where({ order_id: 2, line_no: 3 })
        .update({ comment: null }); // '' -> NULL
      await knex('order_lines').where({ order_id: 3, line_no: 1 }).delete();
      await knex('order_lines').where({ order_id: 4 }).update({ sku: 'bulk' });

      const result = await provider.restore(
        'snap-2',
        dataset,
        figures,
        noProgress,
      );
      expect(result).toEqual({
        recordsRestored: 1 + 1 + 1 + 3,
        recordsDeleted: 2,
      });
      expect(await all('order_lines', ['order_id', 'line_no'])).toEqual(before);
      expect((await provider.measure(dataset)).checksum).toBe(figures.checksum);
    });

    it('computes an order-independent checksum that sees a single changed value and NULL vs empty', async () => {
      await createOrders('orders_asc', 120, 'asc');
      await createOrders('orders_desc', 120, 'desc');
      const asc = await provider.measure(target('orders_asc', ['id']));
      const desc = await provider.measure(target('orders_desc', ['id']));
      expect(asc.recordCount).toBe(120);
      expect(desc.checksum).toBe(asc.checksum);

      // The copy of one has the same checksum as the other live table.
      const figures = await provider.create(
        'snap-3',
        target('orders_desc', ['id']),
        noProgress,
      );
      expect(figures.checksum).toBe(asc.checksum);

      await knex('orders_desc').where({ id: 17 }).update({ amount: '227.30' }); // was 227.29
      const oneValue = await provider.measure(target('orders_desc', ['id']));
      expect(oneValue.checksum).not.toBe(asc.checksum);
      expect(oneValue.recordCount).toBe(120);
      await knex('orders_desc').where({ id: 17 }).update({ amount: '227.29' });
      expect(
        (await provider.measure(target('orders_desc', ['id']))).checksum,
      ).toBe(asc.checksum);

      // id 5 has a NULL note: '' instead of NULL must change the checksum, and so must '0' / 'NULL'.
      const seen = new Set([asc.checksum]);
      for (const note of ['', '0', 'NULL', ' ']) {
        await knex('orders_desc').where({ id: 5 }).update({ note });
        const m = await provider.measure(target('orders_desc', ['id']));
        expect(seen.has(m.checksum)).toBe(false);
        seen.add(m.checksum);
      }
      // Swapping values between two rows changes it too.
      await knex('orders_desc').where({ id: 5 }).update({ note: null });
      await knex('orders_desc')
        .where({ id: 1 })
        .update({ customer: 'customer 2' });
      await knex('orders_desc')
        .where({ id: 2 })
        .update({ customer: 'customer 1' });
      expect(
        (await provider.measure(target('orders_desc', ['id']))).checksum,
      ).not.toBe(asc.checksum);
    });

    it('tells NULL, empty, zero, integers and reals apart, and large integers exactly', async () => {
      if (isPg) {
        await knex.raw(
          'CREATE TABLE typed (id int primary key, t text, n numeric, f float8, b bytea, big bigint)',
        );
      } else {
        await knex.raw(
          'CREATE TABLE typed (id integer primary key, t, n, f, b, big)',
        );
      }
      const measure = () => provider.measure(target('typed', ['id']));
      await knex('typed').insert({
        id: 1,
        t: null,
        n: null,
        f: null,
        b: null,
        big: null,
      });
      const checksums = new Set<string>();
      const values: Record<string, unknown>[] = [
        { t: '' },
        { t: '0' },
        { t: null, n: 0 },
        { n: 1 },
        { n: isPg ? '1.0' : 1.5 },
        { n: null, f: 0 },
        { f: isPg ? knex.raw(`'-0'::float8`) : -0 },
        { f: 0.1 },
        { f: null, b: Buffer.from('') },
        { b: Buffer.from('0') },
        { b: null, big: '9007199254740993' },
        { big: '9007199254740992' },
      ];
      checksums.add((await measure()).checksum);
      for (const change of values) {
        await knex('typed').where({ id: 1 }).update(change);
        checksums.add((await measure()).checksum);
      }
      expect(checksums.size).toBe(values.length + 1);
    });

    it('leaves the live table exactly as it was when a fault hits mid-restore', async () => {
      await createOrders('orders_fault', 40);
      const dataset = target('orders_fault', ['id']);
      const snapshotRows = await all('orders_fault', ['id']);
      const figures = await provider.create('snap-4', dataset, noProgress);
      await knex('orders_fault').where({ id: 1 }).update({ note: 'changed' });
      await knex('orders_fault').where({ id: 2 }).delete();
      await knex('orders_fault').insert({
        id: 500,
        customer: 'x',
        amount: null,
        note: null,
        created_at: null,
      });
      const modified = await all('orders_fault', ['id']);
      const modifiedFigures = await provider.measure(dataset);

      let sawRestoredData = false;
      const faulty = new KnexSnapshotProvider(connections, {
        faultInjection: {
          beforeCommit: async (_target, trx) => {
            // Inside the restore's transaction the rows are already back to the snapshot's.
            expect(await trx('orders_fault').select('*').orderBy('id')).toEqual(
              snapshotRows,
            );
            sawRestoredData = true;
            throw new Error('injected fault');
          },
        },
      });
      await expect(
        faulty.restore('snap-4', dataset, figures, noProgress),
      ).rejects.toThrow('injected fault');
      expect(sawRestoredData).toBe(true);
      expect(await all('orders_fault', ['id'])).toEqual(modified);
      expect(await provider.measure(dataset)).toEqual(modifiedFigures);

      // The snapshot is still usable afterwards.
      await provider.restore('snap-4', dataset, figures, noProgress);
      expect((await provider.measure(dataset)).checksum).toBe(figures.checksum);
    });

    it('falls back to replacing the whole table when the differential path fails, and stays exact', async () => {
      await createOrders('orders_fallback', 30);
      const dataset = target('orders_fallback', ['id']);
      const before = await all('orders_fallback', ['id']);
      const figures = await provider.create('snap-5', dataset, noProgress);
      await knex('orders_fallback').where({ id: 3 }).update({ amount: '0.01' });
      await knex('orders_fallback').where({ id: 4 }).delete();
      await knex('orders_fallback').insert({
        id: 99,
        customer: 'x',
        amount: null,
        note: null,
        created_at: null,
      });
      const warn = jest.fn();
      const failing = new KnexSnapshotProvider(connections, {
        logger: { warn } as any,
        faultInjection: {
          afterDifferentialApply: () => {
            throw new Error('differential path broke');
          },
        },
      });
      expect(
        await failing.restore('snap-5', dataset, figures, noProgress),
      ).toEqual({
        recordsRestored: 2,
        recordsDeleted: 1,
      });
      expect(warn).toHaveBeenCalledWith(
        expect.stringContaining('differential path broke'),
      );
      expect(await all('orders_fallback', ['id'])).toEqual(before);
    });

    it.each([
      ['not unique', 'events_dup_key', ['kind']],
      ['absent', 'events_no_key', []],
    ])(
      'restores tables whose key columns are %s, with duplicate rows',
      async (_, table, keys) => {
        await knex.schema.createTable(table, t => {
          t.integer('kind').nullable();
          t.string('label').nullable();
        });
        await knex(table).insert([
          { kind: 1, label: 'a' },
          { kind: 1, label: 'a' },
          { kind: 1, label: 'b' },
          { kind: 2, label: null },
          { kind: null, label: 'n' },
          { kind: 3, label: '' },
        ]);
        const sorted = async () =>
          (await knex(table).select('kind', 'label'))
            .map(r => JSON.stringify([r.kind, r.label]))
            .sort();
        const deleteOneDuplicate = () =>
          knex.raw(
            isPg
              ? `DELETE FROM ?? WHERE ctid IN (SELECT ctid FROM ?? WHERE label = 'a' LIMIT 1)`
              : `DELETE FROM ?? WHERE rowid IN (SELECT rowid FROM ?? WHERE label = 'a' LIMIT 1)`,
            [table, table],
          );
        const before = await sorted();
        const dataset = target(table, keys);
        const figures = await provider.create(
          `snap-${table}`,
          dataset,
          noProgress,
        );

        // One of two identical rows deleted: the differential path cannot see it (the remaining row
        // matches both copies), its verification does, and the table is replaced whole instead
        // (SQLite goes there directly when there are no key columns).
        await deleteOneDuplicate();
        const warn = jest.fn();
        const logged = new KnexSnapshotProvider(connections, {
          logger: { warn } as any,
        });
        // The row with a NULL key never matches by key: it counts as deleted and restored.
        expect(
          await logged.restore(`snap-${table}`, dataset, figures, noProgress),
        ).toEqual(
          keys.length
            ? { recordsRestored: 2, recordsDeleted: 1 }
            : { recordsRestored: 1, recordsDeleted: 0 },
        );
        const fellBack = warn.mock.calls.some(([message]) =>
          String(message).includes('did not reproduce the snapshot'),
        );
        expect(fellBack).toBe(keys.length > 0 || isPg);
        expect(await sorted()).toEqual(before);

        // Mixed changes, whichever path ends up restoring them.
        await deleteOneDuplicate();
        await knex(table).insert([
          { kind: 1, label: 'b' },
          { kind: 9, label: 'z' },
        ]);
        await knex(table).where({ kind: 2 }).update({ label: 'changed' });
        await provider.restore(`snap-${table}`, dataset, figures, noProgress);
        expect(await sorted()).toEqual(before);
        expect((await provider.measure(dataset)).checksum).toBe(
          figures.checksum,
        );
      },
    );

    it('refuses to restore when the snapshot copy is missing, and leaves the data untouched', async () => {
      await createOrders('orders_missing', 10);
      const dataset = target('orders_missing', ['id']);
      const figures = await provider.create('snap-6', dataset, noProgress);
      await knex('orders_missing').where({ id: 1 }).delete();
      const modified = await all('orders_missing', ['id']);
      await knex.schema.dropTable(
        figures.location.includes('.')
          ? figures.location.split('.')[1]
          : figures.location,
      );
      await expect(
        provider.restore('snap-6', dataset, figures, noProgress),
      ).rejects.toThrow(NotFoundError);
      expect(await all('orders_missing', ['id'])).toEqual(modified);
    });

    it('refuses a copy whose data no longer matches the figures, and leaves the data untouched', async () => {
      await createOrders('orders_tampered', 10);
      const dataset = target('orders_tampered', ['id']);
      const figures = await provider.create('snap-7', dataset, noProgress);
      const copy = figures.location.includes('.')
        ? figures.location.split('.')[1]
        : figures.location;
      await knex(copy).where({ id: 2 }).update({ customer: 'tampered' });
      await knex('orders_tampered').where({ id: 1 }).delete();
      const modified = await all('orders_tampered', ['id']);
      await expect(
        provider.restore('snap-7', dataset, figures, noProgress),
      ).rejects.toThrow(/verification/);
      expect(await all('orders_tampered', ['id'])).toEqual(modified);
    });

    it('refuses to restore over a changed schema or into a missing table, leaving the data untouched', async () => {
      await createOrders('orders_schema', 5);
      const dataset = target('orders_schema', ['id']);
      const figures = await provider.create('snap-19', dataset, noProgress);
      await knex('orders_schema').where({ id: 1 }).update({ note: 'changed' });
      await knex.schema.alterTable('orders_schema', t =>
        t.text('extra').nullable(),
      );
      const modified = await all('orders_schema', ['id']);
      await expect(
        provider.restore('snap-19', dataset, figures, noProgress),
      ).rejects.toThrow(/columns .* changed/);
      expect(await all('orders_schema', ['id'])).toEqual(modified);
      await knex.schema.renameTable('orders_schema', 'orders_schema_moved');
      await expect(
        provider.restore('snap-19', dataset, figures, noProgress),
      ).rejects.toThrow(NotFoundError);
    });

    it('refuses figures of another snapshot, dataset or algorithm', async () => {
      await createOrders('orders_other', 5);
      const dataset = target('orders_other', ['id']);
      const figures = await provider.create('snap-8', dataset, noProgress);
      await expect(
        provider.restore('snap-9', dataset, figures, noProgress),
      ).rejects.toThrow(InputError);
      await expect(
        provider.restore(
          'snap-8',
          target('orders_a', ['id'], 'orders_other'),
          figures,
          noProgress,
        ),
      ).rejects.toThrow(InputError);
      await expect(
        provider.restore(
          'snap-8',
          dataset,
          { ...figures, checksum: `md5:${figures.checksum}` },
          noProgress,
        ),
      ).rejects.toThrow(/algorithm/);
      await expect(
        provider.restore(
          'snap-8',
          dataset,
          { ...figures, location: 'users' },
          noProgress,
        ),
      ).rejects.toThrow(InputError);
      await expect(
        provider.create('snap-8', dataset, noProgress),
      ).rejects.toThrow(/already exists/);
    });

    it('deletes the copy', async () => {
      await createOrders('orders_delete', 5);
      const dataset = target('orders_delete', ['id']);
      const figures = await provider.create('snap-10', dataset, noProgress);
      expect(await tableExists(figures.location)).toBe(true);
      await provider.delete('snap-10', dataset, figures);
      expect(await tableExists(figures.location)).toBe(false);
      await provider.delete('snap-10', dataset, figures); // already gone: no error
      await expect(
        provider.restore('snap-10', dataset, figures, noProgress),
      ).rejects.toThrow(NotFoundError);
      await expect(
        provider.delete('snap-11', dataset, {
          ...figures,
          location: figures.location.replace('snap10', 'snap11'),
        }),
      ).resolves.toBeUndefined();
      const foreign: SnapshotDatasetFigures = {
        ...figures,
        location: isPg ? 'public.orders_delete' : 'orders_delete',
      };
      await expect(
        provider.delete('snap-10', dataset, foreign),
      ).rejects.toThrow(InputError);
      expect(await knex('orders_delete').count({ n: '*' })).toEqual([
        { n: isPg ? '5' : 5 },
      ]);
    });

    it('refuses table and key names that are not plain identifiers', async () => {
      await knex.schema.createTable('y', t => t.integer('id'));
      await knex('y').insert({ id: 1 });
      for (const table of [
        'x; drop table y',
        'y"; drop table y; --',
        'y --',
        '',
        'a.b.c',
        '1y',
      ]) {
        await expect(
          provider.create('snap-12', target(table, ['id']), noProgress),
        ).rejects.toThrow(InputError);
        await expect(provider.measure(target(table, ['id']))).rejects.toThrow(
          InputError,
        );
      }
      await expect(
        provider.create(
          'snap-12',
          target('y', ['id; drop table y']),
          noProgress,
        ),
      ).rejects.toThrow(InputError);
      await expect(
        provider.create('snap-12', target('y', ['missing']), noProgress),
      ).rejects.toThrow(InputError);
      await expect(
        provider.create(
          'snap-12',
          target('does_not_exist', ['id']),
          noProgress,
        ),
      ).rejects.toThrow(NotFoundError);
      expect(await knex('y').count({ n: '*' })).toEqual([
        { n: isPg ? '1' : 1 },
      ]);
      expect(() => parseTableName('x; drop table y', 'pg')).toThrow(InputError);
      expect(parseTableName('sales.orders', 'pg')).toEqual({
        schema: 'sales',
        name: 'orders',
      });
      expect(() => parseTableName('sales.orders', 'sqlite')).toThrow(
        InputError,
      );
    });

    it('restores a few thousand rows with many changes', async () => {
      await createOrders('orders_big', 5000);
      const dataset = target('orders_big', ['id']);
      const before = await all('orders_big', ['id']);
      const figures = await provider.create('snap-13', dataset, noProgress);
      await knex('orders_big').where('id', '<=', 1000).update({ note: 'bulk' });
      await knex('orders_big').whereBetween('id', [4001, 4500]).delete();
      await knex('orders_big').where({ id: 2000 }).update({ id: 20000 });
      const result = await provider.restore(
        'snap-13',
        dataset,
        figures,
        noProgress,
      );
      expect(result).toEqual({
        recordsRestored: expect.any(Number),
        recordsDeleted: 1,
      });
      expect(await all('orders_big', ['id'])).toEqual(before);
    });

    it('updates changed rows in place, so rows referencing them survive', async () => {
      if (!isPg) await knex.raw('PRAGMA foreign_keys = ON');
      await knex.raw('CREATE TABLE parents (id int PRIMARY KEY, name text)');
      await knex.raw(
        'CREATE TABLE children (id int PRIMARY KEY, parent_id int NOT NULL REFERENCES parents(id) ON DELETE CASCADE)',
      );
      await knex('parents').insert(
        [1, 2, 3, 4, 5].map(id => ({ id, name: `p${id}` })),
      );
      await knex('children').insert(
        Array.from({ length: 10 }, (_, i) => ({
          id: i + 1,
          parent_id: 1 + ((i + 1) % 5),
        })),
      );
      const children = async () =>
        Number((await knex('children').count({ n: '*' }))[0].n);
      const dataset = target('parents', ['id']);
      const figures = await provider.create('snap-15', dataset, noProgress);
      await knex('parents').whereIn('id', [1, 2]).update({ name: 'renamed' });
      await knex('parents').insert({ id: 6, name: 'p6' });
      expect(
        await provider.restore('snap-15', dataset, figures, noProgress),
      ).toEqual({
        recordsRestored: 2,
        recordsDeleted: 1,
      });
      expect(await children()).toBe(10);
      // A full replace would cascade into children: refused, nothing changed.
      await knex('parents').where({ id: 1 }).update({ name: 'renamed' });
      const failing = new KnexSnapshotProvider(connections, {
        faultInjection: {
          afterDifferentialApply: () => {
            throw new Error('force full replace');
          },
        },
      });
      await expect(
        failing.restore('snap-15', dataset, figures, noProgress),
      ).rejects.toThrow(/foreign keys/);
      expect(await children()).toBe(10);
      expect(await knex('parents').where({ id: 1 }).first()).toEqual({
        id: 1,
        name: 'renamed',
      });
    });

    it('snapshots and restores an empty table', async () => {
      await createOrders('orders_empty', 0);
      const dataset = target('orders_empty', ['id']);
      const figures = await provider.create('snap-17', dataset, noProgress);
      expect(figures.recordCount).toBe(0);
      await knex('orders_empty').insert({
        id: 1,
        customer: 'x',
        amount: null,
        note: null,
        created_at: null,
      });
      expect(
        await provider.restore('snap-17', dataset, figures, noProgress),
      ).toEqual({
        recordsRestored: 0,
        recordsDeleted: 1,
      });
      expect(await all('orders_empty', ['id'])).toEqual([]);
      expect(await provider.measure(dataset)).toEqual({
        ...figures,
        location: undefined,
        sizeBytes: expect.any(Number),
      });
    });

    if (isPg) {
      it('handles schema-qualified tables, identity and generated columns (PostgreSQL)', async () => {
        await knex.raw('CREATE SCHEMA sales');
        await knex.raw(`CREATE TABLE sales.items (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        name text NOT NULL,
        price numeric(10, 2),
        doubled numeric GENERATED ALWAYS AS (price * 2) STORED,
        tags jsonb,
        at timestamptz
      )`);
        await knex.raw(`INSERT INTO sales.items (name, price, tags, at)
        SELECT 'item ' || g, g * 1.5, CASE WHEN g % 2 = 0 THEN '{"a": 1}'::jsonb END, now() - g * interval '1 day'
        FROM generate_series(1, 50) g`);
        const dataset = target('sales.items', ['id']);
        const before = await all('sales.items', ['id']);
        const figures = await provider.create('snap-14', dataset, noProgress);
        expect(figures.location).toMatch(
          /^sales\.cutover_snap_snap14_[0-9a-f]{20}$/,
        );
        await knex.raw(
          `UPDATE sales.items SET price = 0, tags = '{"b": 2}' WHERE id <= 3`,
        );
        await knex.raw(`UPDATE sales.items SET price = 1.5 WHERE id = 1`);
        await knex.raw(`DELETE FROM sales.items WHERE id = 10`);
        await knex.raw(`INSERT INTO sales.items (name) VALUES ('new')`);
        // Sessions with other output settings restore and measure the same.
        const other = knexFactory({
          client: 'pg',
          connection: knex.client.config.connection,
          pool: {
            min: 0,
            max: 1,
            afterCreate: (
              conn: any,
              done: (err: Error | null, conn: any) => void,
            ) => {
              conn.query(
                `SET TimeZone = 'America/New_York'; SET DateStyle = 'SQL, DMY'; SET extra_float_digits = 0; SET IntervalStyle = 'sql_standard'`,
                (err: Error | null) => done(err, conn),
              );
            },
          },
        });
        try {
          const otherProvider = new KnexSnapshotProvider(
            new CutoverConnections({ dest: other }),
          );
          const result = await otherProvider.restore(
            'snap-14',
            dataset,
            figures,
            noProgress,
          );
          expect(result).toEqual({ recordsRestored: 4, recordsDeleted: 1 });
          expect((await otherProvider.measure(dataset)).checksum).toBe(
            figures.checksum,
          );
        } finally {
          await other.destroy();
        }
        expect(await all('sales.items', ['id'])).toEqual(before);
        expect((await provider.measure(dataset)).checksum).toBe(
          figures.checksum,
        );
      });

      it('makes writers wait until the restore commits (PostgreSQL)', async () => {
        await createOrders('orders_lock', 10);
        const dataset = target('orders_lock', ['id']);
        const snapshotRows = await all('orders_lock', ['id']);
        const figures = await provider.create('snap-18', dataset, noProgress);
        await knex('orders_lock').where({ id: 1 }).delete();
        let insert: Promise<unknown> | undefined;
        let inserted = false;
        const slow = new KnexSnapshotProvider(connections, {
          faultInjection: {
            beforeCommit: async () => {
              insert = knex('orders_lock')
                .insert({
                  id: 77,
                  customer: 'concurrent',
                  amount: null,
                  note: null,
                  created_at: null,
                })
                .then(() => {
                  inserted = true;
                });
              await new Promise(resolve => setTimeout(resolve, 500));
              expect(inserted).toBe(false);
            },
          },
        });
        expect(
          await slow.restore('snap-18', dataset, figures, noProgress),
        ).toEqual({
          recordsRestored: 1,
          recordsDeleted: 0,
        });
        await insert;
        expect(await all('orders_lock', ['id'])).toEqual([
          ...snapshotRows,
          {
            id: 77,
            customer: 'concurrent',
            amount: null,
            note: null,
            created_at: null,
          },
        ]);
      });

      it('restores partitioned tables (PostgreSQL)', async () => {
        await knex.raw(
          'CREATE TABLE measurements (id int NOT NULL, region text NOT NULL, v float8, PRIMARY KEY (id, region)) PARTITION BY LIST (region)',
        );
        await knex.raw(
          `CREATE TABLE measurements_eu PARTITION OF measurements FOR VALUES IN ('eu')`,
        );
        await knex.raw(
          `CREATE TABLE measurements_us PARTITION OF measurements FOR VALUES IN ('us')`,
        );
        await knex.raw(
          `INSERT INTO measurements SELECT g, CASE WHEN g % 2 = 0 THEN 'eu' ELSE 'us' END, g / 3.0 FROM generate_series(1, 40) g`,
        );
        const dataset = target('measurements', ['id', 'region']);
        const before = await all('measurements', ['id', 'region']);
        const figures = await provider.create('snap-16', dataset, noProgress);
        await knex.raw(`UPDATE measurements SET v = -1 WHERE id < 5`);
        await knex.raw(`DELETE FROM measurements WHERE id = 20`);
        await knex.raw(`INSERT INTO measurements VALUES (41, 'us', 0)`);
        expect(
          await provider.restore('snap-16', dataset, figures, noProgress),
        ).toEqual({
          recordsRestored: 5,
          recordsDeleted: 1,
        });
        expect(await all('measurements', ['id', 'region'])).toEqual(before);
      });
    }
  },
);

describe('CutoverConnections', () => {
  it('creates connections from config lazily and names the connection in errors, never its settings', async () => {
    const connections = CutoverConnections.fromConfig(
      new ConfigReader({
        cutover: {
          connections: {
            local: { client: 'better-sqlite3', connection: ':memory:' },
            warehouse: {
              client: 'mysql2',
              connection: 'mysql://admin:s3cret@db/warehouse',
            },
            remote: {
              client: 'pg',
              connection: { host: 'db', user: 'u', password: 'hunter2' },
            },
          },
        },
      }),
    );
    expect(connections.has('local')).toBe(true);
    expect(connections.has('nope')).toBe(false);
    expect(connections.client('remote')).toBe('pg');
    expect(connections.isSupported('warehouse')).toBe(false);
    expect(connections.isSupported('local')).toBe(true);
    expect(() => connections.get('nope')).toThrow(InputError);
    expect(() => connections.get('nope')).toThrow(/'nope'/);
    expect(() => connections.get('warehouse')).toThrow(/'warehouse'.*mysql2/);
    expect(() => connections.get('warehouse')).not.toThrow(/s3cret/);

    const local = connections.get('local');
    expect(connections.get('local')).toBe(local);
    // The SQL functions are registered on every new connection (pool afterCreate).
    const [row] = await local.raw('SELECT cutover_row_hash(1, NULL, ?) AS h', [
      'x',
    ]);
    expect(typeof row.h).toBe('string');
    const provider = new KnexSnapshotProvider(connections);
    expect(await provider.supports(target('t', [], 't'))).toBe(false);
    expect(
      await provider.supports({ ...target('t', []), connection: 'local' }),
    ).toBe(true);
    expect(
      await provider.supports({ ...target('t', []), connection: 'warehouse' }),
    ).toBe(false);
    expect(
      await provider.supports({ ...target('t', []), connection: 'nope' }),
    ).toBe(false);
    await connections.destroy();
  });
});
