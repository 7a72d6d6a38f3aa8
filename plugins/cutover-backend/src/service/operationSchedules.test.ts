import { Knex } from 'knex';
import { cutoverTestDatabases } from '../__testUtils__/databases';
import {
  as,
  startCutoverBackend,
  TestClock,
} from '../__testUtils__/backend';
import { CutoverConnections } from '../snapshots/connections';
import {
  putPlan,
  reconcilerModule,
  seedOrders,
  tablePair,
  importedInFull,
} from '../__testUtils__/reconciledTables';

jest.setTimeout(120_000);

const databases = cutoverTestDatabases();
const m = '/api/cutover/migrations/orders-v2';
const ROWS = 200;
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

const seed = (knex: Knex) => seedOrders(knex, ROWS, 17);

const daily = { frequency: 'DAILY', time: '02:30', timezone: 'Europe/Berlin' };

describe.each(databases.eachSupportedId())(
  'scheduled operations and freeze windows on the clock, on %s',
  databaseId => {
    /** Backends on one database, each with the test tables as its src / dst connections. */
    async function setup(
      options: { config?: Record<string, unknown>; backends?: number } = {},
    ) {
      const knex = await databases.init(databaseId);
      await seed(knex);
      const clock = new TestClock();
      const connections = new CutoverConnections({ src: knex, dst: knex });
      const backends: Array<Awaited<ReturnType<typeof startCutoverBackend>>> =
        [];
      for (let i = 0; i < (options.backends ?? 1); i++) {
        backends.push(
          await startCutoverBackend({
            knex,
            clock,
            config: options.config,
            extraFeatures: [
              reconcilerModule(connections, { snapshots: true }),
            ],
          }),
        );
      }
      const { api } = backends[0];
      await putPlan(api, m, [tablePair('orders', ROWS)]);
      const until = async (path: string, done: (body: any) => boolean) => {
        for (let i = 0; i < 400; i++) {
          const res = await api().get(path).set('authorization', as.reader);
          if (done(res.body)) return res.body;
          await new Promise(r => setTimeout(r, 50));
        }
        throw new Error(`timed out waiting for ${path}`);
      };
      const finished = (b: any) =>
        b.status === 'SUCCEEDED' || b.status === 'FAILED';
      /** Runs the dispatcher on every backend at once, as replicas would. */
      const dispatch = () =>
        Promise.all(
          backends.map(b =>
            b.scheduler.triggerTask('cutover-operation-schedules'),
          ),
        );
      const openAlerts = async () =>
        (
          await api()
            .get(`${m}/alerts?status=OPEN`)
            .set('authorization', as.reader)
        ).body.items;
      return {
        ...backends[0],
        backends,
        knex,
        clock,
        until,
        finished,
        dispatch,
        openAlerts,
      };
    }

    it('creates, lists, pauses, resumes and deletes schedules of each operation, with permissions, validation and audit', async () => {
      const { api } = await setup();
      const snap = await api()
        .post(`${m}/snapshot-schedules`)
        .set('authorization', as.owner)
        .send({ name: 'Nightly baseline', ...daily, retentionDays: 3 });
      expect(snap.status).toBe(201);
      expect(snap.body).toMatchObject({
        operation: 'SNAPSHOT',
        name: 'Nightly baseline',
        frequency: 'DAILY',
        timezone: 'Europe/Berlin',
        retentionDays: 3,
        datasets: null,
        enabled: true,
        lastRunAt: null,
        lastStatus: null,
        runCount: 0,
        createdBy: 'user:default/olivia-owner',
      });
      // 02:30 in Berlin is 00:30 or 01:30 UTC, within the next day.
      const next = new Date(snap.body.nextRunAt);
      expect(next.getTime() - Date.now()).toBeLessThanOrEqual(86_400_000);
      expect(next.getTime()).toBeGreaterThan(Date.now());
      expect([0, 1]).toContain(next.getUTCHours());
      expect(next.getUTCMinutes()).toBe(30);

      const rec = await api()
        .post(`${m}/reconciliation-schedules`)
        .set('authorization', as.owner)
        .send({
          name: 'Monday check',
          frequency: 'WEEKLY',
          dayOfWeek: 1,
          time: '06:00',
          datasets: ['orders'],
        });
      expect(rec.status).toBe(201);
      expect(rec.body).toMatchObject({
        operation: 'RECONCILIATION',
        dayOfWeek: 1,
        timezone: 'UTC',
        datasets: ['orders'],
      });
      expect(new Date(rec.body.nextRunAt).getUTCDay()).toBe(1);

      // Each kind lists only its own; an id of one kind is not found under the other.
      const list = (kind: string) =>
        api().get(`${m}/${kind}-schedules`).set('authorization', as.reader);
      expect((await list('snapshot')).body.items.map((s: any) => s.id)).toEqual([
        snap.body.id,
      ]);
      expect(
        (await list('reconciliation')).body.items.map((s: any) => s.id),
      ).toEqual([rec.body.id]);
      expect(
        (
          await api()
            .get(`${m}/reconciliation-schedules/${snap.body.id}`)
            .set('authorization', as.reader)
        ).status,
      ).toBe(404);

      const s = `${m}/snapshot-schedules/${snap.body.id}`;
      const paused = await api()
        .patch(s)
        .set('authorization', as.owner)
        .send({ enabled: false });
      expect(paused.body).toMatchObject({ enabled: false, nextRunAt: null });
      const resumed = await api()
        .patch(s)
        .set('authorization', as.owner)
        .send({ enabled: true, name: 'Nightly' });
      expect(resumed.body).toMatchObject({
        enabled: true,
        name: 'Nightly',
        nextRunAt: snap.body.nextRunAt,
      });

      // Who may snapshot manages snapshot schedules; readers see them; other teams neither.
      const post = (kind: string, body: object, who = as.owner) =>
        api()
          .post(`${m}/${kind}-schedules`)
          .set('authorization', who)
          .send(body);
      const valid = { name: 'x', ...daily };
      expect((await post('snapshot', valid, as.reader)).status).toBe(403);
      expect((await post('reconciliation', valid, as.otherTeam)).status).toBe(
        403,
      );
      expect((await api().post(`${m}/snapshot-schedules`).send(valid)).status).toBe(401);
      expect((await api().delete(s).set('authorization', as.reader)).status).toBe(403);
      expect(
        (await api().post(`${s}/run`).set('authorization', as.reader).send({}))
          .status,
      ).toBe(403);

      const cases: Array<[string, object, RegExp]> = [
        ['snapshot', { ...valid, frequency: 'WEEKLY' }, /dayOfWeek/],
        ['snapshot', { ...valid, frequency: 'MONTHLY' }, /dayOfMonth/],
        ['snapshot', { ...valid, time: '24:00' }, /time/],
        ['snapshot', { ...valid, timezone: 'Mars/Base' }, /timezone/],
        ['snapshot', { ...valid, datasets: ['nope'] }, /datasets: unknown dataset "nope"/],
        ['snapshot', { ...valid, retentionDays: 400 }, /retentionDays: at most 90 days/],
        ['reconciliation', { ...valid, retentionDays: 3 }, /retentionDays: only snapshot schedules/],
        ['reconciliation', { ...valid, extra: 1 }, /extra|unrecognized/i],
      ];
      for (const [kind, body, message] of cases) {
        const res = await post(kind, body);
        expect(res.status).toBe(400);
        expect(res.body.error.message).toMatch(message);
      }
      expect(
        (
          await api()
            .patch(`${m}/snapshot-schedules/not-an-id`)
            .set('authorization', as.owner)
            .send({ enabled: false })
        ).status,
      ).toBe(400);

      expect((await api().delete(s).set('authorization', as.owner)).status).toBe(204);
      expect((await api().get(s).set('authorization', as.owner)).status).toBe(404);
      const audit = (
        await api().get(`${m}/audit?limit=100`).set('authorization', as.reader)
      ).body.items;
      expect(audit.map((e: any) => e.action)).toEqual(
        expect.arrayContaining([
          'operation-schedule.create',
          'operation-schedule.pause',
          'operation-schedule.update',
          'operation-schedule.delete',
        ]),
      );
      // Refused requests are in the audit trail as well.
      expect(
        audit.some(
          (e: any) =>
            e.outcome === 'failure' && e.actor === 'user:default/rita-reader',
        ),
      ).toBe(true);
    });

    it('takes a due scheduled snapshot once across two backends, with its retention, and settles it', async () => {
      const { api, knex, dispatch, until, finished, clock } = await setup({
        backends: 2,
      });
      const created = (
        await api()
          .post(`${m}/snapshot-schedules`)
          .set('authorization', as.owner)
          .send({ name: 'Nightly baseline', ...daily, retentionDays: 3 })
      ).body;
      // The slot comes: the clock moves to a minute after it.
      clock.pin(Date.parse(created.nextRunAt) + MINUTE);
      for (let round = 0; round < 3; round++) await dispatch();
      const snapshots = (
        await api().get(`${m}/snapshots`).set('authorization', as.reader)
      ).body.items;
      expect(snapshots).toHaveLength(1);
      expect(snapshots[0]).toMatchObject({
        createdBy: 'plugin:cutover',
        datasets: ['orders'],
      });
      expect(snapshots[0].name).toMatch(/^Nightly baseline · /);
      expect(
        Date.parse(snapshots[0].expiresAt) - Date.parse(snapshots[0].createdAt),
      ).toBe(3 * 86_400_000);
      const snap = await until(`${m}/snapshots/${snapshots[0].id}`, finished);
      expect(snap.status).toBe('SUCCEEDED');

      let after = (
        await api()
          .get(`${m}/snapshot-schedules/${created.id}`)
          .set('authorization', as.reader)
      ).body;
      expect(after).toMatchObject({
        lastTrigger: 'SCHEDULE',
        lastTargetId: snapshots[0].id,
        runCount: 1,
      });
      expect(Date.parse(after.nextRunAt)).toBe(
        Date.parse(created.nextRunAt) + 86_400_000,
      );
      await dispatch();
      after = (
        await api()
          .get(`${m}/snapshot-schedules/${created.id}`)
          .set('authorization', as.reader)
      ).body;
      expect(after).toMatchObject({
        lastStatus: 'SUCCEEDED',
        consecutiveFailures: 0,
        lastError: null,
      });
      const rows = await knex('cutover_operation_schedules').where({
        id: created.id,
      });
      expect(rows).toHaveLength(1);
    });

    it('honours the snapshot quota: a scheduled snapshot over it fails and raises one alert', async () => {
      const { api, dispatch, clock, openAlerts, notifications } = await setup({
        config: { cutover: { snapshots: { quota: { count: 1 } } } },
      });
      expect(
        (
          await api()
            .post(`${m}/snapshots`)
            .set('authorization', as.owner)
            .send({ name: 'Kept by hand' })
        ).status,
      ).toBe(202);
      const created = (
        await api()
          .post(`${m}/snapshot-schedules`)
          .set('authorization', as.owner)
          .send({ name: 'Nightly baseline', ...daily })
      ).body;
      clock.pin(Date.parse(created.nextRunAt) + MINUTE);
      await dispatch();
      const after = (
        await api()
          .get(`${m}/snapshot-schedules/${created.id}`)
          .set('authorization', as.reader)
      ).body;
      expect(after).toMatchObject({
        lastStatus: 'FAILED',
        consecutiveFailures: 1,
        lastTargetId: null,
      });
      expect(after.lastError).toMatch(/quota \(cutover\.snapshots\.quota\.count 1\)/);
      expect(
        (await api().get(`${m}/snapshots`).set('authorization', as.reader)).body
          .items,
      ).toHaveLength(1);
      const alerts = (await openAlerts()).filter((a: any) =>
        a.title.startsWith('Scheduled snapshot'),
      );
      expect(alerts).toHaveLength(1);
      expect(alerts[0]).toMatchObject({
        title: 'Scheduled snapshot "Nightly baseline" failed',
        alertType: 'ERROR',
        severity: 'HIGH',
        source: 'RULE',
      });
      expect(alerts[0].message).toMatch(/could not start: .*quota/);
      // The owner hears of it (a HIGH alert), and the next failing slot adds no second alert.
      expect(
        notifications.some(
          n => n.payload.title === 'HIGH alert: Scheduled snapshot "Nightly baseline" failed',
        ),
      ).toBe(true);
      clock.advance(86_400_000);
      await dispatch();
      expect(
        (await openAlerts()).filter((a: any) =>
          a.title.startsWith('Scheduled snapshot'),
        ),
      ).toHaveLength(1);
      expect(
        (
          await api()
            .get(`${m}/snapshot-schedules/${created.id}`)
            .set('authorization', as.reader)
        ).body.consecutiveFailures,
      ).toBe(2);
      // "Run now" over the quota is refused as a manual snapshot would be.
      const now = await api()
        .post(`${m}/snapshot-schedules/${created.id}/run`)
        .set('authorization', as.owner)
        .send({});
      expect(now.status).toBe(409);
      expect(now.body.error.message).toMatch(/quota/);
    });

    it('runs a reconciliation schedule now, records a missed slot and a failed run with alerts', async () => {
      const { api, knex, dispatch, clock, until, finished, openAlerts } =
        await setup();
      const created = (
        await api()
          .post(`${m}/reconciliation-schedules`)
          .set('authorization', as.owner)
          .send({ name: 'Hourly-ish check', ...daily })
      ).body;
      const ran = await api()
        .post(`${m}/reconciliation-schedules/${created.id}/run`)
        .set('authorization', as.owner)
        .send({});
      expect(ran.status).toBe(200);
      expect(ran.body).toMatchObject({
        lastTrigger: 'MANUAL',
        lastStatus: 'STARTED',
        runCount: 1,
        nextRunAt: created.nextRunAt,
      });
      const run = await until(
        `${m}/reconciliations/${ran.body.lastTargetId}`,
        finished,
      );
      expect(run).toMatchObject({
        status: 'SUCCEEDED',
        trigger: 'SCHEDULED',
        createdBy: 'user:default/olivia-owner',
      });
      await dispatch();
      expect(
        (
          await api()
            .get(`${m}/reconciliation-schedules/${created.id}`)
            .set('authorization', as.reader)
        ).body.lastStatus,
      ).toBe('SUCCEEDED');

      // No backend ran for two hours past the slot: it runs late, once, and says it was missed.
      // The destination table is gone meanwhile, so the run itself fails too.
      await knex.schema.dropTable('dst_orders');
      clock.pin(Date.parse(created.nextRunAt) + 2 * HOUR);
      await dispatch();
      const late = (
        await api()
          .get(`${m}/reconciliation-schedules/${created.id}`)
          .set('authorization', as.reader)
      ).body;
      expect(late).toMatchObject({ lastStatus: 'STARTED', lastTrigger: 'SCHEDULE', runCount: 2 });
      expect(Date.parse(late.nextRunAt)).toBeGreaterThan(clock.now());
      const failedRun = await until(
        `${m}/reconciliations/${late.lastTargetId}`,
        finished,
      );
      expect(failedRun.status).toBe('FAILED');
      await dispatch();
      const settled = (
        await api()
          .get(`${m}/reconciliation-schedules/${created.id}`)
          .set('authorization', as.reader)
      ).body;
      expect(settled).toMatchObject({ lastStatus: 'FAILED', consecutiveFailures: 2 });
      const titles = (await openAlerts()).map((a: any) => a.title);
      expect(titles).toEqual(
        expect.arrayContaining([
          'Scheduled reconciliation "Hourly-ish check" missed',
          'Scheduled reconciliation "Hourly-ish check" failed',
        ]),
      );
      const audit = (
        await api().get(`${m}/audit?limit=200`).set('authorization', as.reader)
      ).body.items.map((e: any) => e.action);
      expect(audit).toEqual(
        expect.arrayContaining(['reconciliation.start', 'alert.raise', 'operation-schedule.run']),
      );
    });

    it('activates and completes freeze windows on the clock, once across backends, as the system, telling the owner', async () => {
      const { api, backends, clock } = await setup({ backends: 2 });
      const sent = () => backends.flatMap(b => b.notifications);
      clock.pin();
      const window = (
        await api()
          .post(`${m}/freeze-windows`)
          .set('authorization', as.owner)
          .send({
            name: 'Cutover night',
            datasets: ['orders'],
            startsAt: clock.iso(HOUR),
            endsAt: clock.iso(3 * HOUR),
          })
      ).body;
      const missed = (
        await api()
          .post(`${m}/freeze-windows`)
          .set('authorization', as.owner)
          .send({
            name: 'Rehearsal',
            datasets: ['orders'],
            startsAt: clock.iso(5 * HOUR),
            endsAt: clock.iso(6 * HOUR),
          })
      ).body;
      const tick = () =>
        Promise.all(
          backends.map(b => b.scheduler.triggerTask('cutover-freeze-windows')),
        );
      const get = async (id: string) =>
        (
          await api()
            .get(`${m}/freeze-windows`)
            .set('authorization', as.reader)
        ).body.items.find((w: any) => w.id === id);

      await tick();
      expect((await get(window.id)).status).toBe('PLANNED');
      clock.advance(HOUR + MINUTE);
      await tick();
      await tick();
      expect(await get(window.id)).toMatchObject({
        status: 'ACTIVE',
        activatedBy: 'switchyard',
        activatedAt: clock.iso(),
      });
      const activated = sent().filter(
        n => n.payload.title === 'Freeze window activated: Cutover night (Orders database to PostgreSQL)',
      );
      expect(activated).toHaveLength(1);
      expect(activated[0].recipients).toEqual({
        type: 'entity',
        entityRef: ['group:default/orders-team'],
      });
      clock.advance(2 * HOUR);
      await tick();
      expect(await get(window.id)).toMatchObject({
        status: 'COMPLETED',
        completedBy: 'switchyard',
      });
      // A window whose whole span passed while no backend ran is cancelled, saying why.
      clock.advance(4 * HOUR);
      await tick();
      const gone = await get(missed.id);
      expect(gone.status).toBe('CANCELLED');
      expect(gone.cancelReason).toMatch(/passed before it could be activated/);
      const audit = (
        await api().get(`${m}/audit?limit=200`).set('authorization', as.reader)
      ).body.items.filter((e: any) => e.action.startsWith('freeze.'));
      expect(
        audit
          .filter((e: any) => e.actor === 'switchyard')
          .map((e: any) => e.action)
          .sort(),
      ).toEqual(['freeze.activate', 'freeze.cancel', 'freeze.complete']);
      expect(
        sent().filter(n => n.payload.title.startsWith('Freeze window')),
      ).toHaveLength(3);
    });
    it('records an automatic rollback during an active freeze window on the window', async () => {
      const { api, knex, clock, until, finished, scheduler } = await setup();
      await api()
        .post(`${m}/metrics`)
        .set('authorization', as.job)
        .send(importedInFull(['orders'], ROWS));
      // Approvals are not under test here: the owner uses the emergency override.
      const overrideReason = 'approval is not what this test is about';
      for (const state of ['READY', 'CUTOVER']) {
        const r = await api()
          .put(`${m}/datasets/orders/cutover-state`)
          .set('authorization', as.owner)
          .send({ state, reason: 'go', ...(state === 'CUTOVER' ? { overrideReason } : {}) });
        expect(r.status).toBe(200);
      }
      expect(
        (
          await api()
            .put(`${m}/datasets/orders/read-source`)
            .set('authorization', as.owner)
            .send({ source: 'NEW', reason: 'go', overrideReason })
        ).status,
      ).toBe(200);
      const window = (
        await api()
          .post(`${m}/freeze-windows`)
          .set('authorization', as.owner)
          .send({
            name: 'Hypercare',
            datasets: ['orders'],
            startsAt: clock.iso(MINUTE),
            endsAt: clock.iso(4 * HOUR),
          })
      ).body;
      clock.advance(2 * MINUTE);
      await scheduler.triggerTask('cutover-freeze-windows');
      // 12 of 200 rows differ on the destination: far past the rollback threshold.
      await knex('dst_orders').whereIn('id', [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]).update({ amount: -1 });
      const started = await api()
        .post(`${m}/reconciliations`)
        .set('authorization', as.owner)
        .send({});
      expect(started.status).toBe(202);
      await until(`${m}/reconciliations/${started.body.id}`, finished);
      const after = await until(`${m}/freeze-windows`, body =>
        body.items?.[0]?.autoRollbacks?.length > 0,
      );
      expect(after.items[0]).toMatchObject({ id: window.id, status: 'ACTIVE' });
      expect(after.items[0].autoRollbacks).toEqual([
        {
          at: expect.any(String),
          dataset: 'orders',
          reason: expect.stringMatching(/crossed the automatic rollback threshold/),
        },
      ]);
      expect(
        (await api().get(m).set('authorization', as.reader)).body.datasets[0],
      ).toMatchObject({ cutoverState: 'ROLLED_BACK', readSource: 'LEGACY' });
    });
  },
);
