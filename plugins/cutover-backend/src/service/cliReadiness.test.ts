/*
 * `cutover readiness -m ID [--json]` against a real backend over real HTTP: the verdict with its
 * blockers and per-dataset cutover gate, and an exit code by recommendation (0 GO,
 * 6 GO_WITH_CAUTION, 7 NO_GO) that a CI pipeline can gate on.
 */
import { EXIT } from '@switchyard/cutover-cli';
import { approveCutover, as } from '../__testUtils__/backend';
import { importedSamples, startCliBackend } from '../__testUtils__/cliBackend';
import { cutoverTestDatabases } from '../__testUtils__/databases';

jest.setTimeout(180_000);

const databases = cutoverTestDatabases();
const m = '/api/cutover/migrations/orders-v2';

describe.each(databases.eachSupportedId())(
  'cutover readiness (the CLI) on %s',
  databaseId => {
    it('prints the verdict with its blockers and gate, and exits 7 NO_GO, 6 GO_WITH_CAUTION, 0 GO', async () => {
      const knex = await databases.init(databaseId);
      const { api, cli } = await startCliBackend(knex);

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
            .send(importedSamples)
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
