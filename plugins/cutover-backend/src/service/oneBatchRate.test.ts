import { cutoverTestDatabases } from '../__testUtils__/databases';
import { as, startCutoverBackend, TestClock, testPlan } from '../__testUtils__/backend';

jest.setTimeout(60_000);
const databases = cutoverTestDatabases();

describe.each(databases.eachSupportedId())('rates from one batch on %s', databaseId => {
  it('measures records/min and bytes/s from two samples of one batch', async () => {
    const knex = await databases.init(databaseId);
    const clock = new TestClock().pin(Date.now());
    const { api } = await startCutoverBackend({ knex, clock });
    const m = '/api/cutover/migrations/orders-v2';
    await api().put(m).set('authorization', as.owner).send(testPlan({}, clock.now()));
    const at = (ago: number) => new Date(clock.now() - ago).toISOString();
    const res = await api().post(`${m}/metrics`).set('authorization', as.job).send({
      samples: [
        { dataset: 'customers', at: at(600_000), importedRecords: 100, bytesMoved: 0 },
        { dataset: 'customers', at: at(0), importedRecords: 300, bytesMoved: 600_000 },
      ],
    });
    expect(res.status).toBe(200);
    const d = (await api().get(`${m}/dashboard`).set('authorization', as.owner)).body;
    const c = d.datasets.find((x: any) => x.name === 'customers');
    expect(c.importRate).toBe(20);
    expect(c.resources.bytesPerSecond).toBe(1000);
  });
});
