import { cutoverTestDatabases } from '../__testUtils__/databases';
import { as, startCutoverBackend, testPlan } from '../__testUtils__/backend';

jest.setTimeout(90_000);

const databases = cutoverTestDatabases();
const m = '/api/cutover/migrations/orders-v2';
const schedule = {
  name: 'Monday status for the steering group',
  reportType: 'AUDIT_TRAIL',
  format: 'CSV',
  frequency: 'WEEKLY',
  dayOfWeek: 1,
  time: '09:00',
  timezone: 'Europe/Berlin',
  recipients: ['group:default/cutover-approvers', 'user:default/olivia-owner'],
};

describe.each(databases.eachSupportedId())('report schedules on %s', databaseId => {
  async function setup() {
    const knex = await databases.init(databaseId);
    const started = await startCutoverBackend({ knex });
    await started.api().put(m).set('authorization', as.job).send(testPlan());
    return { ...started, knex };
  }

  it('creates, lists, pauses, resumes and deletes schedules, with their next run', async () => {
    const { api } = await setup();
    const created = await api().post(`${m}/report-schedules`).set('authorization', as.owner).send(schedule);
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      name: schedule.name,
      reportType: 'AUDIT_TRAIL',
      frequency: 'WEEKLY',
      dayOfWeek: 1,
      timezone: 'Europe/Berlin',
      enabled: true,
      createdBy: 'user:default/olivia-owner',
      lastRunAt: null,
    });
    const next = new Date(created.body.nextRunAt);
    expect(next.getTime()).toBeGreaterThan(Date.now());
    expect(next.getTime() - Date.now()).toBeLessThanOrEqual(7 * 86_400_000);
    // Monday 09:00 in Berlin is 07:00 or 08:00 UTC depending on daylight saving time.
    expect(next.getUTCDay()).toBe(1);
    expect([7, 8]).toContain(next.getUTCHours());

    const s = `${m}/report-schedules/${created.body.id}`;
    expect((await api().get(`${m}/report-schedules`).set('authorization', as.owner)).body.items).toHaveLength(1);
    const paused = await api().patch(s).set('authorization', as.owner).send({ enabled: false });
    expect(paused.body).toMatchObject({ enabled: false, nextRunAt: null });
    const resumed = await api().patch(s).set('authorization', as.owner).send({ enabled: true });
    expect(resumed.body.enabled).toBe(true);
    expect(resumed.body.nextRunAt).toBe(created.body.nextRunAt);
    expect((await api().delete(s).set('authorization', as.owner)).status).toBe(204);
    expect((await api().get(s).set('authorization', as.owner)).status).toBe(404);
    expect((await api().delete(s).set('authorization', as.owner)).status).toBe(404);

    const audit = (await api().get(`${m}/audit?limit=100`).set('authorization', as.reader)).body.items.map((e: any) => e.action);
    expect(audit).toEqual(expect.arrayContaining([
      'report-schedule.create', 'report-schedule.pause', 'report-schedule.update', 'report-schedule.delete',
    ]));
  });

  it('refuses bad schedules with a message naming the field, and callers without report.schedule', async () => {
    const { api } = await setup();
    const post = (body: object, who = as.owner) => api().post(`${m}/report-schedules`).set('authorization', who).send(body);
    const cases: Array<[object, RegExp]> = [
      [{ ...schedule, dayOfWeek: undefined }, /dayOfWeek/],
      [{ ...schedule, frequency: 'MONTHLY', dayOfWeek: undefined }, /dayOfMonth/],
      [{ ...schedule, time: '25:00' }, /time/],
      [{ ...schedule, timezone: 'Mars/Olympus_Mons' }, /timezone/],
      [{ ...schedule, format: 'PDF' }, /format/],
      [{ ...schedule, recipients: [] }, /recipients/],
      [{ ...schedule, recipients: ['not a ref'] }, /recipients\.0/],
      [{ ...schedule, frequency: 'HOURLY' }, /frequency/],
      [{ ...schedule, extra: true }, /extra|unrecognized/i],
    ];
    for (const [body, message] of cases) {
      const res = await post(body);
      expect(res.status).toBe(400);
      expect(res.body.error.message).toMatch(message);
    }
    expect((await post(schedule, as.reader)).status).toBe(403);
    expect((await post(schedule, as.otherTeam)).status).toBe(403);
    expect((await api().post(`${m}/report-schedules`).send(schedule)).status).toBe(401);
    expect((await api().get(`${m}/report-schedules`).set('authorization', as.reader)).status).toBe(403);
    expect((await api().patch(`${m}/report-schedules/not-an-id`).set('authorization', as.owner).send({ enabled: false })).status).toBe(400);
    expect((await api().get(`${m}/report-schedules`).set('authorization', as.owner)).body.items).toEqual([]);
  });

  it('serves the executive PDF to readers of reports and delivers it on schedule', async () => {
    const { api, knex, scheduler, notifications } = await setup();
    await api().post(`${m}/metrics`).set('authorization', as.job)
      .send({ samples: [{ dataset: 'customers', importedRecords: 400, validity: 93 }] });
    const pdf = await api().get(`${m}/reports/executive.pdf`).set('authorization', as.reader).buffer(true)
      .parse((r, cb) => {
        const chunks: Buffer[] = [];
        r.on('data', (c: Buffer) => chunks.push(c));
        r.on('end', () => cb(null, Buffer.concat(chunks)));
      });
    expect(pdf.status).toBe(200);
    expect(pdf.headers['content-type']).toBe('application/pdf');
    expect(pdf.headers['content-disposition']).toBe('attachment; filename="orders-v2-executive.pdf"');
    expect((pdf.body as Buffer).subarray(0, 5).toString()).toBe('%PDF-');
    expect((await api().get(`${m}/reports/executive.pdf`)).status).toBe(401);

    await api().post(`${m}/report-schedules`).set('authorization', as.owner)
      .send({ ...schedule, reportType: 'EXECUTIVE', format: 'PDF', frequency: 'DAILY', dayOfWeek: undefined });
    await knex('cutover_report_schedules').update({ next_run_at: Date.now() - 1000 });
    await scheduler.triggerTask('cutover-report-dispatcher');
    expect(notifications.at(-1)!.payload.title).toBe('Executive summary: Orders database to PostgreSQL');
    const stored = (await api().get(`${m}/reports/stored`).set('authorization', as.reader)).body.items;
    expect(stored[0]).toMatchObject({ reportType: 'EXECUTIVE', contentType: 'application/pdf' });
    expect(stored[0].fileName).toMatch(/^orders-v2-\d{4}-\d{2}-\d{2}-executive\.pdf$/);
    expect(stored[0].sizeBytes).toBeGreaterThan(1000);
  });

  it('delivers a due schedule exactly once when two backends on one database race for the slot', async () => {
    const knex = await databases.init(databaseId);
    const one = await startCutoverBackend({ knex });
    const two = await startCutoverBackend({ knex });
    await one.api().put(m).set('authorization', as.job).send(testPlan());
    const created = await one.api().post(`${m}/report-schedules`).set('authorization', as.owner).send(schedule);
    const other = await one.api().post(`${m}/report-schedules`).set('authorization', as.owner)
      .send({ ...schedule, name: 'Paused one', enabled: false });
    const slot = Date.now() - 60_000;
    await knex('cutover_report_schedules').update({ next_run_at: slot });

    for (let round = 0; round < 3; round++) {
      await Promise.all([
        one.scheduler.triggerTask('cutover-report-dispatcher'),
        two.scheduler.triggerTask('cutover-report-dispatcher'),
      ]);
    }
    const sent = [...one.notifications, ...two.notifications].filter(n => n.payload.topic === 'cutover:orders-v2:reports');
    expect(sent).toHaveLength(1);
    expect(sent[0].recipients).toEqual({
      type: 'entity',
      entityRef: ['group:default/cutover-approvers', 'user:default/olivia-owner'],
    });
    expect(sent[0].payload.title).toBe('Audit trail: Orders database to PostgreSQL');
    const link = sent[0].payload.link!;
    expect(link).toMatch(/^\/catalog\/default\/component\/orders-service\/migration\?migration=orders-v2&report=[0-9a-f-]{36}$/);

    const after = (await one.api().get(`${m}/report-schedules/${created.body.id}`).set('authorization', as.owner)).body;
    expect(Date.parse(after.lastRunAt)).toBeGreaterThanOrEqual(slot);
    expect(Date.parse(after.nextRunAt)).toBeGreaterThan(Date.now());
    expect(after.lastReportUrl).toBe(link);
    expect(after.lastError).toBeNull();
    const paused = (await one.api().get(`${m}/report-schedules/${other.body.id}`).set('authorization', as.owner)).body;
    expect(paused.lastRunAt).toBeNull();

    // The stored report is served by either backend to readers of reports, not to anonymous callers.
    const reportId = link.split('report=')[1];
    const stored = await two.api().get(`${m}/reports/stored`).set('authorization', as.reader);
    expect(stored.body.items).toHaveLength(1);
    expect(stored.body.items[0]).toMatchObject({ id: reportId, reportType: 'AUDIT_TRAIL', contentType: 'text/csv; charset=utf-8' });
    const file = await two.api().get(`${m}/reports/stored/${reportId}`).set('authorization', as.reader);
    expect(file.status).toBe(200);
    expect(file.text).toMatch(/report-schedule\.create/);
    expect((await two.api().get(`${m}/reports/stored/${reportId}`)).status).toBe(401);

    // Past its retention the report is gone.
    await knex('cutover_stored_reports').update({ expires_at: Date.now() - 1 });
    expect((await one.api().get(`${m}/reports/stored/${reportId}`).set('authorization', as.reader)).status).toBe(404);
    await one.scheduler.triggerTask('cutover-report-dispatcher');
    expect(await knex('cutover_stored_reports').count({ n: '*' }).first()).toMatchObject({ n: expect.anything() });
    expect(Number((await knex('cutover_stored_reports').count({ n: '*' }).first())!.n)).toBe(0);
  });
});
