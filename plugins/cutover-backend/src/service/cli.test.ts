/*
 * The `cutover` CLI against a real backend over real HTTP: a runbook takes a snapshot, finds
 * drift, rolls back, reconciles clean and reads its read sources, acting on the exit codes; the
 * same in JSON, where one command's output feeds the next; pause / resume / cancel and freeze
 * windows; and the example app-config's job token, with its access restrictions, running the
 * README's runbook.
 */
import { authServiceFactory } from '@backstage/backend-defaults/auth';
import { httpAuthServiceFactory } from '@backstage/backend-defaults/httpAuth';
import { createServiceFactory } from '@backstage/backend-plugin-api';
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { notificationService } from '@backstage/plugin-notifications-node';
import { cutoverClockServiceRef } from '@switchyard/plugin-cutover-node';
import { EXIT } from '@switchyard/cutover-cli';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import YAML from 'yaml';
import {
  baseUrl,
  cliEngines,
  cliFor,
  cliPlan,
  importedSamples,
  seedCliTables,
  startCliBackend,
} from '../__testUtils__/cliBackend';
import {
  closeWhenTheTestEnds,
  cutoverTestDatabases,
} from '../__testUtils__/databases';
import {
  approveCutover,
  as,
  TEST_CONNECTION_DECLARATIONS,
  testCatalogEntities,
  TestClock,
} from '../__testUtils__/backend';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { DatabaseCutoverStore } from '../database/DatabaseCutoverStore';
import { planFingerprint } from '../governance/PlanGovernance';
import { cutoverPlugin } from '../plugin';

jest.setTimeout(180_000);

const databases = cutoverTestDatabases();
const HOUR = 3_600_000;

/** A backend with the test policy, the seeded tables and the plan applied; the CLI as a job. */
const setUp = async (databaseId: Parameters<typeof databases.init>[0]) =>
  startCliBackend(await databases.init(databaseId));

describe.each(databases.eachSupportedId())(
  'the cutover CLI runbook commands on %s',
  databaseId => {
    it('snapshots, reports drift with exit 5, rolls back and reconciles clean', async () => {
      const { knex, api, cli } = await setUp(databaseId);

      const snap = await cli(
        'snapshot',
        '-m',
        'orders-v2',
        '-n',
        'before cutover',
        '--interval',
        '50ms',
      );
      expect(snap).toMatchObject({ code: EXIT.ok, err: [] });
      const snapshotId =
        /^Snapshot (\S+) \(before cutover\) started for customers, orders$/.exec(
          snap.out[0],
        )?.[1];
      expect(snapshotId).toBeDefined();
      expect(snap.out.at(-1)).toMatch(
        new RegExp(
          `^Snapshot ${snapshotId} taken: 2 dataset\\(s\\), 400 records, kept until \\d{4}-`,
        ),
      );

      // A bad load: 3 of 200 orders changed, one customer deleted.
      await knex('dst_orders')
        .whereIn('id', [1, 100, 200])
        .update({ label: 'broken' });
      await knex('dst_customers').where({ id: 7 }).delete();
      const drift = await cli(
        'reconcile',
        '-m',
        'orders-v2',
        '--fail-on',
        'CRITICAL',
        '--interval',
        '50ms',
      );
      expect(drift.code).toBe(EXIT.drift);
      const table = drift.out.slice(-3);
      expect(table[0]).toMatch(
        /^dataset\s+source\s+destination\s+missing in dest\s+missing in source\s+mismatched\s+drift\s+level$/,
      );
      expect(table[1]).toMatch(
        /^customers\s+200\s+199\s+1\s+0\s+0\s+0\.500%\s+ROLLBACK$/,
      );
      expect(table[2]).toMatch(
        /^orders\s+200\s+200\s+0\s+0\s+3\s+1\.500%\s+ROLLBACK$/,
      );
      expect(drift.err).toEqual([
        'Drift at or above CRITICAL on customers (0.500%), orders (1.500%)',
      ]);

      const rollback = await cli(
        'rollback',
        '-m',
        'orders-v2',
        '-s',
        snapshotId!,
        '--no-backup',
        '--reason',
        'bad load',
        '--interval',
        '50ms',
      );
      expect(rollback).toMatchObject({ code: EXIT.ok, err: [] });
      expect(rollback.out).toEqual(
        expect.arrayContaining([
          '  customers: RESTORED, 1 restored, 0 deleted, verified',
          '  orders: RESTORED, 3 restored, 0 deleted, verified',
        ]),
      );
      expect(rollback.out.at(-1)).toMatch(/^Rollback \S+ done in \d+\.\d s$/);

      const clean = await cli(
        'reconcile',
        '-m',
        'orders-v2',
        '-d',
        'orders',
        '--fail-on',
        'WARNING',
        '--interval',
        '50ms',
      );
      expect(clean).toMatchObject({ code: EXIT.ok, err: [] });
      expect(clean.out.at(-1)).toMatch(
        /^orders\s+200\s+200\s+0\s+0\s+0\s+0\.000%\s+OK$/,
      );

      expect((await cli('read-source', '-m', 'orders-v2')).out).toEqual([
        'customers  LEGACY',
        'orders     LEGACY',
      ]);
      // PENDING datasets may not read from NEW: the backend's 409 is passed on.
      const refused = await cli(
        'read-source',
        '-m',
        'orders-v2',
        '-d',
        'orders',
        '--to',
        'NEW',
        '--reason',
        'go',
      );
      expect(refused.code).toBe(EXIT.error);
      expect(refused.err[0]).toMatch(/^cutover: 409 .*orders/);
      expect(
        (await cli('read-source', '-m', 'orders-v2', '--to', 'NEW')).err,
      ).toEqual(['cutover: --to needs --dataset and --reason']);

      // The way to NEW. The rollback left the datasets ROLLED_BACK: they start again from PENDING; READY
      // needs the dataset imported with good quality; then CUTOVER.
      const rolledBack = await cli(
        'state',
        '-m',
        'orders-v2',
        '-d',
        'orders',
        '--to',
        'READY',
        '--reason',
        'again',
      );
      expect(rolledBack.err).toEqual([
        'cutover: 409 Dataset "orders" can\'t go from ROLLED_BACK to READY; from ROLLED_BACK it can go to PENDING',
      ]);
      expect(
        (
          await cli(
            'state',
            '-m',
            'orders-v2',
            '-d',
            'orders',
            '--to',
            'PENDING',
            '--reason',
            'reload',
          )
        ).out,
      ).toEqual([
        'orders is PENDING (was ROLLED_BACK), moved by service:external:cutover-jobs',
      ]);
      const early = await cli(
        'state',
        '-m',
        'orders-v2',
        '-d',
        'orders',
        '--to',
        'READY',
        '--reason',
        'looks done',
      );
      expect(early.code).toBe(EXIT.error);
      expect(early.err[0]).toMatch(
        /^cutover: 409 Dataset "orders" is not ready/,
      );
      await api()
        .post('/api/cutover/migrations/orders-v2/metrics')
        .set('authorization', as.job)
        .send(importedSamples);
      const ready = await cli(
        'state',
        '-m',
        'orders-v2',
        '-d',
        'orders',
        '--to',
        'READY',
        '--reason',
        'imported',
      );
      expect(ready.err).toEqual([]);
      expect(ready.out).toEqual([
        'orders is READY (was PENDING), moved by service:external:cutover-jobs',
      ]);
      // CUTOVER and NEW reads need a current approval, given by people (not by the job's token).
      await approveCutover(api, 'orders-v2');
      expect(
        (
          await cli(
            'state',
            '-m',
            'orders-v2',
            '-d',
            'orders',
            '--to',
            'CUTOVER',
            '--reason',
            'go',
          )
        ).code,
      ).toBe(EXIT.ok);
      expect(
        (
          await cli(
            'read-source',
            '-m',
            'orders-v2',
            '-d',
            'orders',
            '--to',
            'NEW',
            '--reason',
            'go',
          )
        ).out,
      ).toEqual([
        'orders reads from NEW (was LEGACY), switched by service:external:cutover-jobs',
      ]);
      expect((await cli('read-source', '-m', 'orders-v2')).out).toEqual([
        'customers  LEGACY',
        'orders     NEW',
      ]);
      expect(
        (
          await cli(
            'state',
            '-m',
            'orders-v2',
            '-d',
            'orders',
            '--to',
            'LIVE',
            '--reason',
            'x',
          )
        ).code,
      ).toBe(EXIT.usage);

      // Refusals name the problem and never start anything.
      const unknown = await cli(
        'rollback',
        '-m',
        'orders-v2',
        '-s',
        'nope',
        '--interval',
        '50ms',
      );
      expect(unknown.code).toBe(EXIT.error);
      expect(unknown.err[0]).toMatch(/^cutover: 400 .*snapshotId/);
      expect(
        (await cli('reconcile', '-m', 'orders-v2', '--fail-on', 'SOMETIMES'))
          .code,
      ).toBe(EXIT.usage);
    });

    it('runs the runbook with --json: one document on stdout, the id of one command feeding the next', async () => {
      const { knex, cli } = await setUp(databaseId);
      const fast = ['--interval', '50ms', '--json'];

      // cutover snapshot --json | jq -r .id
      const snap = await cli(
        'snapshot',
        '-m',
        'orders-v2',
        '-n',
        'before',
        ...fast,
      );
      expect(snap.code).toBe(EXIT.ok);
      const snapshot = snap.json();
      expect(snapshot).toMatchObject({
        name: 'before',
        status: 'SUCCEEDED',
        datasets: ['customers', 'orders'],
        recordCounts: { customers: 200, orders: 200 },
      });
      expect(snap.err[0]).toBe(
        `Snapshot ${snapshot.id} (before) started for customers, orders`,
      );

      await knex('dst_orders').where({ id: 5 }).update({ label: 'broken' });
      const drift = await cli(
        'reconcile',
        '-m',
        'orders-v2',
        '--fail-on',
        'WARNING',
        ...fast,
      );
      expect(drift.code).toBe(EXIT.drift);
      const runDoc = drift.json();
      expect(runDoc.status).toBe('SUCCEEDED');
      expect(
        runDoc.datasets.map((d: any) => [d.name, d.mismatched, d.level]),
      ).toEqual([
        ['customers', 0, 'OK'],
        ['orders', 1, 'ROLLBACK'],
      ]);
      expect(drift.err.at(-1)).toBe(
        'Drift at or above WARNING on orders (0.500%)',
      );

      const rb = await cli(
        'rollback',
        '-m',
        'orders-v2',
        '-s',
        snapshot.id,
        '-d',
        'orders',
        '--reason',
        'drift',
        ...fast,
      );
      expect(rb.code).toBe(EXIT.ok);
      expect(rb.json()).toMatchObject({
        snapshotId: snapshot.id,
        status: 'SUCCEEDED',
        verified: true,
        datasets: ['orders'],
        results: [
          {
            dataset: 'orders',
            status: 'RESTORED',
            recordsRestored: 1,
            verified: true,
          },
        ],
      });
      expect(rb.json().backupSnapshotId).toEqual(expect.any(String));

      const started = await cli(
        'reconcile',
        '-m',
        'orders-v2',
        '-d',
        'orders',
        '--no-wait',
        '--json',
      );
      expect(started.code).toBe(EXIT.ok);
      expect(started.json()).toMatchObject({
        id: expect.any(String),
        status: expect.stringMatching(/PENDING|RUNNING|SUCCEEDED/),
      });
      expect(started.err).toEqual([]);

      expect(
        (await cli('read-source', '-m', 'orders-v2', '--json')).json(),
      ).toMatchObject({
        datasets: { customers: 'LEGACY', orders: 'LEGACY' },
      });
      const state = await cli(
        'state',
        '-m',
        'orders-v2',
        '-d',
        'orders',
        '--to',
        'PENDING',
        '--reason',
        'reload',
        '--json',
      );
      expect(state.json()).toMatchObject({
        dataset: 'orders',
        kind: 'CUTOVER_STATE',
        from: 'ROLLED_BACK',
        to: 'PENDING',
        reason: 'reload',
        actor: 'service:external:cutover-jobs',
      });

      const refused = await cli(
        'read-source',
        '-m',
        'orders-v2',
        '-d',
        'orders',
        '--to',
        'NEW',
        '--reason',
        'go',
        '--json',
      );
      expect(refused.code).toBe(EXIT.error);
      expect(refused.json()).toEqual({
        error: {
          name: 'ConflictError',
          message: expect.stringMatching(/^Dataset "orders" is PENDING/),
          statusCode: 409,
        },
        exitCode: EXIT.error,
      });
      const unknown = await cli('status', '-m', 'no-such-migration', '--json');
      expect(unknown.json()).toEqual({
        error: {
          name: 'NotFoundError',
          message: expect.stringContaining('no-such-migration'),
          statusCode: 404,
        },
        exitCode: EXIT.error,
      });
      expect(
        (await cli('status', '-m', 'orders-v2', '--json')).json(),
      ).toMatchObject({
        migrationId: 'orders-v2',
        datasets: [{ name: 'customers' }, { name: 'orders' }],
      });
    });

    it('pauses, resumes and cancels the jobs, and plans, activates, completes and cancels freeze windows', async () => {
      const { api, cli, clock } = await setUp(databaseId);

      const pause = await cli(
        'pause',
        '-m',
        'orders-v2',
        '--reason',
        'legacy database under load',
      );
      expect(pause).toMatchObject({ code: EXIT.ok, err: [] });
      expect(pause.out).toEqual([
        'Migration orders-v2 paused: status PLANNED, jobs told to PAUSE',
      ]);
      expect(
        await cli(
          'wait-until-running',
          '-m',
          'orders-v2',
          '--timeout',
          '0s',
          '--json',
        ),
      ).toMatchObject({ code: EXIT.timeout });
      expect(
        (await cli('resume', '-m', 'orders-v2', '--json')).json(),
      ).toMatchObject({
        id: 'orders-v2',
        controlState: 'RUN',
      });
      expect(
        (await cli('wait-until-running', '-m', 'orders-v2', '--json')).json(),
      ).toEqual({
        controlState: 'RUN',
        status: 'PLANNED',
      });
      const audit = await api()
        .get('/api/cutover/migrations/orders-v2/audit')
        .set('authorization', as.owner);
      expect(JSON.stringify(audit.body)).toContain(
        'legacy database under load',
      );

      // Freeze windows, from "now" of the backend's clock.
      clock.pin();
      const create = await cli(
        'freeze',
        'create',
        '-m',
        'orders-v2',
        '-n',
        'tier 2 cutover',
        '-d',
        'orders',
        '--start',
        clock.iso(HOUR),
        '--end',
        clock.iso(3 * HOUR),
        '--no-read-source-switch',
        '--json',
      );
      expect(create.code).toBe(EXIT.ok);
      const window = create.json();
      expect(window).toMatchObject({
        name: 'tier 2 cutover',
        datasets: ['orders'],
        status: 'PLANNED',
        allowReadSourceSwitch: false,
        startsAt: new Date(clock.now() + HOUR).toISOString(),
        endsAt: new Date(clock.now() + 3 * HOUR).toISOString(),
        createdBy: 'service:external:cutover-jobs',
      });
      const overlapping = await cli(
        'freeze',
        'create',
        '-m',
        'orders-v2',
        '-n',
        'other',
        '-d',
        'orders,customers',
        '--start',
        clock.iso(2 * HOUR),
        '--end',
        clock.iso(4 * HOUR),
      );
      expect(overlapping.code).toBe(EXIT.error);
      expect(overlapping.err[0]).toMatch(
        /^cutover: 409 Freeze window overlaps "tier 2 cutover"/,
      );

      const activated = await cli(
        'freeze',
        'activate',
        '-m',
        'orders-v2',
        'tier 2 cutover',
      );
      expect(activated).toMatchObject({ code: EXIT.ok, err: [] });
      expect(activated.out).toEqual([
        expect.stringMatching(
          new RegExp(
            `^Freeze window ${window.id} "tier 2 cutover" ACTIVE: orders, \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d - .* UTC, read-source switches refused$`,
          ),
        ),
      ]);
      const again = await cli(
        'freeze',
        'activate',
        '-m',
        'orders-v2',
        window.id,
        '--json',
      );
      expect(again.code).toBe(EXIT.error);
      expect(again.json().error).toEqual({
        name: 'ConflictError',
        message:
          'Freeze window "tier 2 cutover" is ACTIVE; only a PLANNED window can be activated',
        statusCode: 409,
      });
      expect(
        (
          await cli(
            'freeze',
            'complete',
            '-m',
            'orders-v2',
            window.id,
            '--json',
          )
        ).json(),
      ).toMatchObject({
        id: window.id,
        status: 'COMPLETED',
        completedAt: expect.any(String),
      });

      const emergency = await cli(
        'freeze',
        'create',
        '-m',
        'orders-v2',
        '-n',
        'emergency',
        '-d',
        'customers',
        '--end',
        'now+2h',
        '--activate',
        '--json',
      );
      expect(emergency.json()).toMatchObject({
        name: 'emergency',
        status: 'ACTIVE',
      });
      expect(emergency.err).toEqual([
        expect.stringMatching(
          /^Freeze window \S+ "emergency" PLANNED: customers/,
        ),
      ]);
      const cancelled = await cli(
        'freeze',
        'cancel',
        '-m',
        'orders-v2',
        'emergency',
        '--reason',
        'false alarm',
        '--json',
      );
      expect(cancelled.json()).toMatchObject({
        status: 'CANCELLED',
        cancelledAt: expect.any(String),
      });

      // Listed by start: the emergency window started at once, the planned one in an hour.
      const list = await cli('freeze', 'list', '-m', 'orders-v2');
      expect(list.out).toEqual([
        expect.stringMatching(
          /^id\s+name\s+status\s+starts \(UTC\)\s+ends \(UTC\)\s+switches\s+datasets$/,
        ),
        expect.stringMatching(
          /^\S+ {2}emergency {7}CANCELLED {2}\d{4}-\d\d-\d\d \d\d:\d\d {2}\d{4}-\d\d-\d\d \d\d:\d\d {2}allowed {3}customers$/,
        ),
        expect.stringMatching(
          new RegExp(
            `^${window.id}  tier 2 cutover  COMPLETED  .*  refused   orders$`,
          ),
        ),
      ]);
      expect(
        (await cli('freeze', 'list', '-m', 'orders-v2', '--json')).json(),
      ).toMatchObject({
        items: [{ name: 'emergency' }, { name: 'tier 2 cutover' }],
        totalCount: 2,
      });

      const cancel = await cli(
        'cancel',
        '-m',
        'orders-v2',
        '--reason',
        'replanned',
        '--json',
      );
      expect(cancel.json()).toMatchObject({
        status: 'CANCELLED',
        controlState: 'CANCEL',
      });
      expect((await cli('wait-until-running', '-m', 'orders-v2')).code).toBe(
        EXIT.cancelled,
      );
      const resumeCancelled = await cli('resume', '-m', 'orders-v2');
      expect(resumeCancelled.code).toBe(EXIT.error);
      expect(resumeCancelled.err).toEqual([
        'cutover: 409 Migration "orders-v2" is cancelled; it cannot be resumed',
      ]);
    });

    it('reports sub-task progress, pauses and resumes a phase, and reports resources and error types', async () => {
      const { api, cli } = await setUp(databaseId);
      const put = await api()
        .put('/api/cutover/migrations/orders-v2/phases/load')
        .set('authorization', as.job)
        .send({ name: 'Load', datasets: ['orders'] });
      expect(put.status).toBe(200);

      const created = await cli(
        'phase',
        '-m',
        'orders-v2',
        'load',
        '--subtask',
        'Copy orders',
        '--progress',
        '40',
      );
      expect(created).toMatchObject({ code: EXIT.ok, err: [] });
      expect(created.out).toEqual([
        'Phase load (Load): IN_PROGRESS 40%',
        '  copy-orders (Copy orders): IN_PROGRESS 40%',
      ]);
      await cli('phase', '-m', 'orders-v2', 'load', '--subtask', 'verify', '--name', 'Verify');
      const done = await cli(
        'phase',
        '-m',
        'orders-v2',
        'load',
        '--subtask',
        'copy-orders',
        '--complete',
        '--json',
      );
      expect(done.json()).toMatchObject({
        progressPercent: 50,
        subTasks: [
          { id: 'copy-orders', status: 'COMPLETED', progressPercent: 100 },
          { id: 'verify', status: 'PENDING', progressPercent: 0 },
        ],
      });

      const paused = await cli(
        'phase',
        '-m',
        'orders-v2',
        'load',
        '--pause',
        '--reason',
        'destination vacuum',
      );
      expect(paused.code).toBe(EXIT.ok);
      expect(paused.out[0]).toBe('Phase load (Load): IN_PROGRESS 50% (paused)');
      // The orders job waits; the customers job runs on.
      const waiting = await cli(
        'wait-until-running',
        '-m',
        'orders-v2',
        '-d',
        'orders',
        '--timeout',
        '0s',
      );
      expect(waiting.code).toBe(EXIT.timeout);
      expect(waiting.out.join('\n')).toContain(
        'Migration orders-v2 dataset orders is paused (phase load); waiting',
      );
      expect(
        (await cli('wait-until-running', '-m', 'orders-v2', '-d', 'customers'))
          .code,
      ).toBe(EXIT.ok);

      // The job writes anyway: taken, and said so.
      const report = await cli(
        'report',
        '-m',
        'orders-v2',
        '-d',
        'orders',
        '--imported',
        '50',
        '--bytes',
        '1048576',
        '--cost',
        '0.75',
        '--cpu-seconds',
        '3.5',
        '--memory-peak',
        '104857600',
        '--error-type',
        'null_key=2',
        '--error-type',
        'bad_date=5',
      );
      expect(report).toMatchObject({ code: EXIT.ok, err: [] });
      expect(report.out).toEqual([
        'Reported 1 sample(s) for orders',
        '1 sample(s) taken while the job was told to pause (marked paused)',
      ]);
      const badType = await cli(
        'report', '-m', 'orders-v2', '-d', 'orders', '--error-type', 'oops',
      );
      expect(badType.code).toBe(EXIT.error);
      expect(badType.err.join('\n')).toContain('--error-type must be TYPE=COUNT');

      expect(
        (await cli('phase', '-m', 'orders-v2', 'load', '--resume')).out[0],
      ).toBe('Phase load (Load): IN_PROGRESS 50%');
      expect(
        (await cli('wait-until-running', '-m', 'orders-v2', '-d', 'orders'))
          .code,
      ).toBe(EXIT.ok);
      const dashboard = await api()
        .get('/api/cutover/migrations/orders-v2/dashboard')
        .set('authorization', as.owner);
      const orders = dashboard.body.datasets.find((d: any) => d.name === 'orders');
      expect(orders).toMatchObject({
        errorsByType: { null_key: 2, bad_date: 5 },
        resources: { bytesMoved: 1048576, cost: 0.75, cpuSeconds: 3.5, memoryPeakBytes: 104857600 },
      });
    });
  },
);

/**
 * The example portal's job token: the real auth service reads `backend.auth.externalAccess` as
 * app-config.yaml writes it, and the real permissions service applies its access restrictions.
 */
describe.each(databases.eachSupportedId())(
  "the example app-config's job token on %s",
  databaseId => {
    it("may run the README's runbook, and may not decide approvals", async () => {
      const knex = await databases.init(databaseId);
      await seedCliTables(knex);
      const appConfig = YAML.parse(
        fs.readFileSync(
          path.resolve(__dirname, '../../../../app-config.yaml'),
          'utf8',
        ),
      );
      const jobs = appConfig.backend.auth.externalAccess.find(
        (e: any) => e.options.subject === 'cutover-jobs',
      );
      expect(jobs.accessRestrictions).toBeDefined();
      const token = 'example-jobs-token-for-the-cli-test';
      const clock = new TestClock();
      const backend = await startTestBackend({
        features: [
          cutoverPlugin,
          cliEngines(knex),
          authServiceFactory,
          httpAuthServiceFactory,
          createServiceFactory({
            service: cutoverClockServiceRef,
            deps: {},
            factory: () => clock,
          }),
          // The notifications backend is not part of this test.
          createServiceFactory({
            service: notificationService,
            deps: {},
            factory: () => ({ async send() {} }),
          }),
          mockServices.database.factory({ knex }),
          catalogServiceMock.factory({ entities: testCatalogEntities() }),
          mockServices.rootConfig.factory({
            data: {
              permission: { enabled: true },
              cutover: { connections: TEST_CONNECTION_DECLARATIONS },
              backend: {
                auth: {
                  externalAccess: [
                    { ...jobs, options: { ...jobs.options, token } },
                  ],
                },
              },
            },
          }),
        ],
      });
      closeWhenTheTestEnds(() => backend.stop());
      const url = baseUrl(backend.server);
      const cli = cliFor(url, token);
      const ok = async (...args: string[]) => {
        const r = await cli(...args);
        // Under --json progress goes to stderr; what must not be there is an error.
        expect({
          args,
          code: r.code,
          errors: r.err.filter(l => l.startsWith('cutover:')),
        }).toEqual({ args, code: EXIT.ok, errors: [] });
        return r;
      };

      const planFile = path.join(
        fs.mkdtempSync(path.join(os.tmpdir(), 'cli-')),
        'plan.yaml',
      );
      fs.writeFileSync(planFile, YAML.stringify(cliPlan()));
      await ok('apply', '-f', planFile);
      for (const s of importedSamples.samples) {
        await ok(
          'report',
          '-m',
          'orders-v2',
          '-d',
          s.dataset,
          '--total',
          '200',
          '--imported',
          '200',
          '--completeness',
          '99',
          '--validity',
          '99',
          '--consistency',
          '99',
          '--accuracy',
          '99',
        );
      }
      await ok('status', '-m', 'orders-v2');
      await ok(
        'phase',
        '-m',
        'orders-v2',
        'tier1',
        '--start',
        '--name',
        'Tier 1 import',
      );
      await ok('alert', '-m', 'orders-v2', '-t', 'Loader slow', '-s', 'LOW');
      await ok('pause', '-m', 'orders-v2', '--reason', 'maintenance');
      await ok('resume', '-m', 'orders-v2');
      await ok('wait-until-running', '-m', 'orders-v2');
      const fast = ['--interval', '50ms'];
      const snapshot = (
        await ok(
          'snapshot',
          '-m',
          'orders-v2',
          '-n',
          'before cutover',
          '--json',
          ...fast,
        )
      ).json();
      await ok(
        'reconcile',
        '-m',
        'orders-v2',
        '--fail-on',
        'CRITICAL',
        ...fast,
      );
      await ok(
        'rollback',
        '-m',
        'orders-v2',
        '-s',
        snapshot.id,
        '-d',
        'orders',
        '--reason',
        'rehearsal',
        ...fast,
      );
      await ok(
        'state',
        '-m',
        'orders-v2',
        '-d',
        'orders',
        '--to',
        'PENDING',
        '--reason',
        'after the rehearsal',
      );
      await ok(
        'state',
        '-m',
        'orders-v2',
        '-d',
        'orders',
        '--to',
        'READY',
        '--reason',
        'imported',
      );
      await ok(
        'freeze',
        'create',
        '-m',
        'orders-v2',
        '-n',
        'cutover',
        '-d',
        'orders',
        '--end',
        'now+2h',
        '--activate',
      );
      // The token may run the runbook, but CUTOVER waits for a current approval (409, not 403)...
      const unapproved = await cli('state', '-m', 'orders-v2', '-d', 'orders', '--to', 'CUTOVER', '--reason', 'go');
      expect(unapproved.code).toBe(EXIT.error);
      expect(unapproved.err[0]).toMatch(/^cutover: 409 .*without a current cutover approval: no approval has been requested/);
      // ...which people give in the portal: this backend has no user sign-in, so the request and
      // the approval are recorded as the Readiness tab would record them.
      const store = new DatabaseCutoverStore(knex);
      const migration = (await store.getMigration('orders-v2'))!;
      const readiness = (
        await request(backend.server).get('/api/cutover/migrations/orders-v2/readiness').set('authorization', `Bearer ${token}`)
      ).body;
      await store.readiness().createRequest('orders-v2', { id: 'a5e3f9f0-0000-4000-8000-000000000001', requestedBy: 'user:default/olivia-owner', comments: null }, clock.now());
      await store.readiness().insertApproval(
        'orders-v2',
        {
          id: 'a5e3f9f0-0000-4000-8000-000000000002',
          requestId: 'a5e3f9f0-0000-4000-8000-000000000001',
          decision: 'APPROVED',
          approver: 'user:default/alice-approver',
          comments: null,
          conditions: [],
          recommendation: readiness.recommendation,
          riskLevel: readiness.riskLevel,
          score: readiness.score,
          expiresAt: null,
          overrideReason: null,
          planFingerprint: planFingerprint(migration),
        },
        clock.now(),
      );
      await store.readiness().setRequestStatus('a5e3f9f0-0000-4000-8000-000000000001', 'APPROVED', clock.now());
      await ok(
        'state',
        '-m',
        'orders-v2',
        '-d',
        'orders',
        '--to',
        'CUTOVER',
        '--reason',
        'go',
      );
      await ok(
        'read-source',
        '-m',
        'orders-v2',
        '-d',
        'orders',
        '--to',
        'NEW',
        '--reason',
        'go',
      );
      await ok('read-source', '-m', 'orders-v2');
      await ok('freeze', 'complete', '-m', 'orders-v2', 'cutover');
      await ok('freeze', 'list', '-m', 'orders-v2');

      // What the token is not given: approval decisions, archiving.
      const api = () => request(backend.server);
      const decide = await api()
        .post('/api/cutover/migrations/orders-v2/approvals')
        .set('authorization', `Bearer ${token}`)
        .send({ decision: 'APPROVED' });
      expect(decide.status).toBe(403);
      expect((await cli('status', '-m', 'orders-v2')).code).toBe(EXIT.ok);
      const archive = await api()
        .delete('/api/cutover/migrations/orders-v2')
        .set('authorization', `Bearer ${token}`);
      expect(archive.status).toBe(403);
      expect(
        (await cliFor(url, 'not-the-token')('status', '-m', 'orders-v2')).err,
      ).toEqual([
        expect.stringMatching(/^cutover: 401 /),
        'Set CUTOVER_TOKEN to a token the portal accepts.',
      ]);
    });
  },
);
