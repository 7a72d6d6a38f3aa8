import { cutoverTestDatabases } from '../__testUtils__/databases';
import { as, startCutoverBackend, testPlan } from '../__testUtils__/backend';

jest.setTimeout(60_000);

const databases = cutoverTestDatabases();
const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000).toISOString();

describe.each(databases.eachSupportedId())('alerts on %s', databaseId => {
  async function setup(config: Record<string, unknown> = {}) {
    const knex = await databases.init(databaseId);
    const started = await startCutoverBackend({ knex, config: { cutover: config } });
    const { api } = started;
    await api().put('/api/cutover/migrations/orders-v2').set('authorization', as.job).send(testPlan({ plannedStart: undefined, plannedEnd: undefined }));
    const m = '/api/cutover/migrations/orders-v2';
    const list = async (query = '') => (await api().get(`${m}/alerts${query}`).set('authorization', as.reader)).body;
    const report = (samples: object[]) => api().post(`${m}/metrics`).set('authorization', as.job).send({ samples });
    const wait = () => new Promise(r => setTimeout(r, 2100)); // rule evaluation is throttled to one per 2 s
    return { ...started, knex, m, list, report, wait };
  }

  it('raises, assigns, annotates, resolves and reopens an alert, with an SLA deadline by severity', async () => {
    const { api, m, list, notifications } = await setup({ alerts: { sla: { CRITICAL: { minutes: 30 } } } });
    const raised = await api().post(`${m}/alerts`).set('authorization', as.job).send({
      alertType: 'ERROR', severity: 'CRITICAL', title: 'Orders import failing', message: 'FK violations', dataset: 'orders', recordId: '42',
    });
    expect(raised.status).toBe(201);
    const alert = raised.body;
    expect(alert).toMatchObject({ status: 'OPEN', source: 'JOB', createdBy: 'service:external:cutover-jobs', dataset: 'orders', recordId: '42' });
    const sla = Date.parse(alert.targetResolutionTime) - Date.parse(alert.createdAt);
    expect(sla).toBe(30 * 60_000);
    expect(notifications.at(-1)).toMatchObject({
      recipients: { type: 'entity', entityRef: ['group:default/orders-team'] },
      payload: { title: 'CRITICAL alert: Orders import failing', severity: 'critical', topic: 'cutover:orders-v2' },
    });

    const a = `${m}/alerts/${alert.id}`;
    expect((await api().post(`${a}/assign`).set('authorization', as.reader).send({ assignedTo: 'user:default/oscar-owner' })).status).toBe(403);
    const assigned = await api().post(`${a}/assign`).set('authorization', as.owner).send({ assignedTo: 'user:default/oscar-owner' });
    expect(assigned.body.assignedTo).toBe('user:default/oscar-owner');
    expect(notifications.at(-1)).toMatchObject({ recipients: { entityRef: ['user:default/oscar-owner'] } });
    await api().post(`${a}/notes`).set('authorization', as.owner).send({ text: 'Looking at the FK mapping' });
    expect((await api().post(`${a}/resolve`).set('authorization', as.owner).send({})).status).toBe(400);
    const resolved = await api().post(`${a}/resolve`).set('authorization', as.owner2).send({ resolution: 'Mapping fixed, re-imported' });
    expect(resolved.body).toMatchObject({ status: 'RESOLVED', resolvedBy: 'user:default/oscar-owner', resolution: 'Mapping fixed, re-imported' });
    expect(resolved.body.notes).toEqual([expect.objectContaining({ by: 'user:default/olivia-owner', text: 'Looking at the FK mapping' })]);
    expect((await api().post(`${a}/resolve`).set('authorization', as.owner).send({ resolution: 'again' })).status).toBe(409);
    const reopened = await api().post(`${a}/reopen`).set('authorization', as.owner).send({ reason: 'Came back' });
    expect(reopened.body).toMatchObject({ status: 'OPEN', resolution: null });
    await api().post(`${a}/assign`).set('authorization', as.owner).send({ assignedTo: null });

    const all = await list();
    expect(all.stats).toMatchObject({ open: 1, resolved: 0, bySeverity: { CRITICAL: { open: 1, resolved: 0 } } });
    // Reopened: it counts as created today and not (any more) as resolved.
    expect(all.stats.trend).toEqual([{ date: alert.createdAt.slice(0, 10), created: 1, resolved: 0 }]);
    expect((await list('?severity=LOW')).items).toHaveLength(0);
    expect((await list('?status=OPEN')).items).toHaveLength(1);
    // Filtered by type and dataset, as the page's filters ask.
    await api().post(`${m}/alerts`).set('authorization', as.owner).send({ alertType: 'WARNING', severity: 'LOW', title: 'Slow batch', dataset: 'customers' });
    expect((await list('?alertType=ERROR')).items.map((x: any) => x.id)).toEqual([alert.id]);
    expect((await list('?dataset=customers')).items.map((x: any) => x.title)).toEqual(['Slow batch']);
    expect((await list('?alertType=WARNING&dataset=orders')).items).toHaveLength(0);
    const badType = await api().get(`${m}/alerts?alertType=LOUD`).set('authorization', as.reader);
    expect(badType.status).toBe(400);
    expect(badType.body.error.message).toMatch(/alertType/);
    const bad = await api().get(`${m}/alerts?severity=NOPE`).set('authorization', as.reader);
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/severity/);
    const unknown = await api().post(`${m}/alerts/00000000-0000-4000-8000-000000000000/resolve`).set('authorization', as.owner).send({ resolution: 'x' });
    expect(unknown.status).toBe(404);
    const malformed = await api().post(`${m}/alerts/not-an-id/resolve`).set('authorization', as.owner).send({ resolution: 'x' });
    expect(malformed.status).toBe(400);
    expect(malformed.body.error.message).toBe('Invalid path: alertId: must be an alert id');
  });

  it('raises one alert per threshold condition and resolves it when the condition clears', async () => {
    const { report, list, wait } = await setup();
    await report([{ dataset: 'customers', at: minutesAgo(3), importedRecords: 100, failedRecords: 50, validity: 60 }]);
    await wait();
    await report([{ dataset: 'customers', at: minutesAgo(2), importedRecords: 150, failedRecords: 80, validity: 61 }]);
    let alerts = (await list('?status=OPEN')).items;
    expect(alerts.map((a: any) => a.ruleKey).sort()).toEqual(['error-rate:customers', 'quality:customers']);
    expect(alerts.every((a: any) => a.alertType === 'THRESHOLD' && a.source === 'RULE')).toBe(true);
    await wait();
    await report([{ dataset: 'customers', at: minutesAgo(1), importedRecords: 200, failedRecords: 90, validity: 62 }]);
    expect((await list('?status=OPEN')).items).toHaveLength(2);

    // Quality recovers and failures become rare: both alerts resolve themselves.
    await wait();
    await report([{ dataset: 'customers', at: minutesAgo(0), importedRecords: 5000, failedRecords: 90, validity: 95 }]);
    alerts = (await list()).items;
    expect(alerts).toHaveLength(2);
    expect(alerts.every((a: any) => a.status === 'RESOLVED' && a.resolvedBy === 'switchyard')).toBe(true);
  });

  it('lets jobs raise alerts but refuses strangers and bad bodies', async () => {
    const { api, m } = await setup();
    expect((await api().post(`${m}/alerts`).set('authorization', as.otherTeam).send({ alertType: 'INFO', severity: 'LOW', title: 'x' })).status).toBe(403);
    const bad = await api().post(`${m}/alerts`).set('authorization', as.job).send({ alertType: 'PANIC', severity: 'LOW', title: 'x' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/alertType/);
  });

  it('raises a retried alert once when the job sends the same idempotencyKey, even concurrently', async () => {
    const { api, m, list, notifications } = await setup();
    const body = { alertType: 'ERROR', severity: 'HIGH', title: 'Orders import failing', idempotencyKey: 'job-42-failure' };
    const sent = await Promise.all([1, 2, 3].map(() => api().post(`${m}/alerts`).set('authorization', as.job).send(body)));
    expect(sent.map(r => r.status)).toEqual([201, 201, 201]);
    expect(new Set(sent.map(r => r.body.id)).size).toBe(1);
    const again = await api().post(`${m}/alerts`).set('authorization', as.job).send(body);
    expect(again.body.id).toBe(sent[0].body.id);
    expect((await list()).items).toHaveLength(1);
    expect(notifications.filter(n => n.payload.title === 'HIGH alert: Orders import failing')).toHaveLength(1);

    // Another key, or none, is another alert; a metrics batch with the same key is not affected.
    const other = await api().post(`${m}/alerts`).set('authorization', as.job).send({ ...body, idempotencyKey: 'job-43-failure' });
    expect(other.body.id).not.toBe(sent[0].body.id);
    const { idempotencyKey: _unused, ...withoutKey } = body;
    await api().post(`${m}/alerts`).set('authorization', as.job).send(withoutKey);
    await api().post(`${m}/alerts`).set('authorization', as.job).send(withoutKey);
    expect((await list()).items).toHaveLength(4);
    const batch = await api().post(`${m}/metrics`).set('authorization', as.job)
      .send({ samples: [{ dataset: 'orders', importedRecords: 10 }], idempotencyKey: 'job-42-failure' });
    expect(batch.body).toMatchObject({ accepted: 1, duplicates: 0 });
  });

  it('refuses a body that is not sent as JSON instead of reading it as empty', async () => {
    const { api, m, list } = await setup();
    const res = await api().post(`${m}/alerts`).set('authorization', as.job).set('content-type', 'text/plain')
      .send(JSON.stringify({ alertType: 'INFO', severity: 'LOW', title: 'x' }));
    expect(res.status).toBe(415);
    expect(res.body.error).toMatchObject({ name: 'UnsupportedMediaTypeError', message: expect.stringMatching(/application\/json.*text\/plain/) });
    expect((await list()).items).toHaveLength(0);
  });
});
