/*
 * `cutover readiness -m ID [--json]` against a real backend over real HTTP: the verdict with its
 * blockers and per-dataset cutover gate, and an exit code by recommendation (0 GO,
 * 6 GO_WITH_CAUTION, 7 NO_GO) that a CI pipeline can gate on.
 */
import { createBackendModule } from '@backstage/backend-plugin-api';
import {
  cutoverReconcilersExtensionPoint,
  cutoverSnapshotProvidersExtensionPoint,
} from '@switchyard/plugin-cutover-node';
import { EXIT, run } from '@switchyard/cutover-cli';
import { Knex } from 'knex';
import { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { cutoverTestDatabases } from '../__testUtils__/databases';
import {
  approveCutover,
  as,
  startCutoverBackend,
  testPlan,
} from '../__testUtils__/backend';
import { CutoverConnections } from '../snapshots/connections';
import { KnexSnapshotProvider } from '../snapshots/KnexSnapshotProvider';
import { KnexReconciler } from '../reconcile/KnexReconciler';

jest.setTimeout(180_000);

const databases = cutoverTestDatabases();
const m = '/api/cutover/migrations/orders-v2';

async function seed(knex: Knex) {
  for (const prefix of ['src', 'dst']) {
    for (const name of ['customers', 'orders']) {
      const table = `${prefix}_${name}`;
      await knex.schema.dropTableIfExists(table);
      await knex.schema.createTable(table, t => {
        t.integer('id').primary();
        t.string('label', 50).notNullable();
      });
      await knex(table).insert(
        Array.from({ length: 200 }, (_, i) => ({
          id: i + 1,
          label: `${name} ${i + 1}`,
        })),
      );
    }
  }
}

function engines(knex: Knex) {
  const connections = new CutoverConnections({ src: knex, dst: knex });
  return createBackendModule({
    pluginId: 'cutover',
    moduleId: 'test-engines',
    register(reg) {
      reg.registerInit({
        deps: {
          providers: cutoverSnapshotProvidersExtensionPoint,
          reconcilers: cutoverReconcilersExtensionPoint,
        },
        async init({ providers, reconcilers }) {
          providers.addSnapshotProvider(new KnexSnapshotProvider(connections));
          reconcilers.addReconciler(new KnexReconciler(connections));
        },
      });
    },
  });
}

describe.each(databases.eachSupportedId())(
  'cutover readiness (the CLI) on %s',
  databaseId => {
    it('prints the verdict with its blockers and gate, and exits 7 NO_GO, 6 GO_WITH_CAUTION, 0 GO', async () => {
      const knex = await databases.init(databaseId);
      await seed(knex);
      const { api, server } = await startCutoverBackend({
        knex,
        extraFeatures: [engines(knex)],
      });
      const plan = testPlan({
        source: { connection: 'src' },
        destination: { connection: 'dst' },
        datasets: ['customers', 'orders'].map((name, i) => ({
          name,
          tier: i + 1,
          sourceTable: `src_${name}`,
          destinationTable: `dst_${name}`,
          keyColumns: ['id'],
          totalRecords: 200,
        })),
      });
      expect(
        (await api().put(m).set('authorization', as.job).send(plan)).status,
      ).toBe(201);
      const url = `http://127.0.0.1:${
        (server.address() as AddressInfo).port
      }/api/cutover`;
      const cli = async (...args: string[]) => {
        const out: string[] = [];
        const err: string[] = [];
        const code = await run(['node', 'cutover', ...args], {
          out: l => out.push(l),
          err: l => err.push(l),
          stdin: Readable.from(['']),
          env: {
            CUTOVER_URL: url,
            CUTOVER_TOKEN: as.job.replace(/^Bearer /, ''),
          },
          sleep: ms => new Promise(r => setTimeout(r, ms)),
        });
        return { code, out, err, json: () => JSON.parse(out.join('\n')) };
      };

      // Nothing reported yet: NO_GO.
      const empty = await cli('readiness', '-m', 'orders-v2');
      expect(empty.code).toBe(EXIT.noGo);
      expect(EXIT.noGo).toBe(7);
      expect(empty.out[0]).toMatch(
        /^orders-v2: NO_GO \(score \d+, risk \w+, approval NONE\)$/,
      );
      expect(empty.out).toContain(
        'Cutover gate: closed (approval: No approval has been requested)',
      );
      const asJson = await cli('readiness', '-m', 'orders-v2', '--json');
      expect(asJson.code).toBe(EXIT.noGo);
      expect(asJson.json()).toMatchObject({
        recommendation: 'NO_GO',
        cutoverGate: {
          open: false,
          datasets: [{ dataset: 'customers' }, { dataset: 'orders' }],
        },
      });

      // Imported, reconciled clean and snapshotted; the people's checklist items untested.
      expect(
        (
          await api()
            .post(`${m}/metrics`)
            .set('authorization', as.job)
            .send({
              samples: ['customers', 'orders'].map(dataset => ({
                dataset,
                totalRecords: 200,
                importedRecords: 200,
                completeness: 99,
                validity: 99,
                consistency: 99,
                accuracy: 99,
              })),
            })
        ).status,
      ).toBe(200);
      expect(
        (await cli('reconcile', '-m', 'orders-v2', '--interval', '50ms')).code,
      ).toBe(EXIT.ok);
      const snap = await cli(
        'snapshot',
        '-m',
        'orders-v2',
        '-n',
        'before',
        '--interval',
        '50ms',
      );
      expect(snap.code).toBe(EXIT.ok);
      const snapshotId = /^Snapshot (\S+) /.exec(snap.out[0])![1];
      // A restore rehearsal (SR003 passes from it).
      expect(
        (
          await cli(
            'rollback',
            '-m',
            'orders-v2',
            '-s',
            snapshotId,
            '--no-backup',
            '--reason',
            'rehearsal',
            '--interval',
            '50ms',
          )
        ).code,
      ).toBe(EXIT.ok);
      const caution = await cli('readiness', '-m', 'orders-v2');
      expect(caution.code).toBe(EXIT.goWithCaution);
      expect(EXIT.goWithCaution).toBe(6);
      expect(caution.out[0]).toMatch(/^orders-v2: GO_WITH_CAUTION /);
      expect(caution.out).toEqual(
        expect.arrayContaining([
          expect.stringMatching(
            /^ {2}HIGH {6}CHECKLIST: SR001: .* is not tested yet \(fix: readiness tab, checklist\)$/,
          ),
          expect.stringMatching(/^ {2}DATASET\s+STATE\s+READS\s+DRIFT\s+GATE$/),
          expect.stringMatching(
            /^ {2}orders\s+ROLLED_BACK\s+LEGACY\s+OK\s+\d+ blocker\(s\): CHECKLIST, APPROVAL$/,
          ),
        ]),
      );

      // Checked and approved: GO, the gate open.
      await approveCutover(api, 'orders-v2');
      const go = await cli('readiness', '-m', 'orders-v2');
      expect(go.code).toBe(EXIT.ok);
      expect(go.out[0]).toMatch(
        /^orders-v2: GO \(score \d+, risk LOW, approval APPROVED\)$/,
      );
      expect(go.out).toContain('Cutover gate: open');
      expect(go.out).toEqual(
        expect.arrayContaining([
          expect.stringMatching(
            /^ {2}customers\s+ROLLED_BACK\s+LEGACY\s+OK\s+open$/,
          ),
        ]),
      );

      // Drift found: NO_GO, naming the dataset, the cause and where it is fixed.
      await knex('dst_orders')
        .whereIn('id', [1, 100, 200])
        .update({ label: 'broken' });
      expect(
        (await cli('reconcile', '-m', 'orders-v2', '--interval', '50ms')).code,
      ).toBe(EXIT.ok);
      const drift = await cli('readiness', '-m', 'orders-v2');
      expect(drift.code).toBe(EXIT.noGo);
      expect(drift.out).toEqual(
        expect.arrayContaining([
          expect.stringMatching(
            /^ {2}CRITICAL {2}RECONCILIATION orders: Drift on orders is at ROLLBACK: 1\.50% of rows differ .* \(fix: cutover tab, reconciliation\)$/,
          ),
        ]),
      );
      // An unknown migration: exit 1 with the backend's words.
      const unknown = await cli('readiness', '-m', 'nope');
      expect(unknown.code).toBe(EXIT.error);
      expect(unknown.err.join('\n')).toMatch(/404/);
    });
  },
);
