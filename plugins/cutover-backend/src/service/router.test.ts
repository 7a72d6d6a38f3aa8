import { mockCredentials } from '@backstage/backend-test-utils';
import { cutoverTestDatabases } from '../__testUtils__/databases';
import { as, startCutoverBackend, testPlan } from '../__testUtils__/backend';

jest.setTimeout(60_000);

const databases = cutoverTestDatabases();

describe.each(databases.eachSupportedId())(
  'cutover router on %s',
  databaseId => {
    async function setup() {
      const knex = await databases.init(databaseId);
      return startCutoverBackend({ knex });
    }

    it('answers /health without credentials', async () => {
      const { api } = await setup();
      const res = await api().get('/api/cutover/health');
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ status: 'ok' });
    });

    it('refuses requests without credentials (401)', async () => {
      const { api } = await setup();
      const res = await api().get('/api/cutover/migrations');
      expect(res.status).toBe(401);
      const bad = await api()
        .get('/api/cutover/migrations')
        .set('authorization', mockCredentials.user.invalidHeader());
      expect(bad.status).toBe(401);
    });

    it('lets a job create a migration from a plan, and everyone signed in read it', async () => {
      const { api } = await setup();
      const created = await api()
        .post('/api/cutover/migrations')
        .set('authorization', as.job)
        .send(testPlan());
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({
        id: 'orders-v2',
        status: 'PLANNED',
        controlState: 'RUN',
        owner: 'group:default/orders-team',
        datasets: [
          {
            name: 'customers',
            tier: 1,
            totalRecords: 1000,
            cutoverState: 'PENDING',
            readSource: 'LEGACY',
          },
          { name: 'orders', tier: 2, totalRecords: 4000 },
        ],
      });

      const read = await api()
        .get('/api/cutover/migrations/orders-v2')
        .set('authorization', as.reader);
      expect(read.status).toBe(200);
      expect(read.body.title).toBe('Orders database to PostgreSQL');

      const list = await api()
        .get(
          '/api/cutover/migrations?entityRef=component:default/orders-service',
        )
        .set('authorization', as.reader);
      expect(list.status).toBe(200);
      expect(list.body).toMatchObject({ totalCount: 1, nextCursor: null });
      expect(list.body.items.map((m: any) => m.id)).toEqual(['orders-v2']);

      const none = await api()
        .get('/api/cutover/migrations?entityRef=component:default/unrelated')
        .set('authorization', as.reader);
      expect(none.body).toEqual({ items: [], totalCount: 0, nextCursor: null });
    });

    it('refuses changes from users who do not own the migration (403)', async () => {
      const { api } = await setup();
      await api()
        .put('/api/cutover/migrations/orders-v2')
        .set('authorization', as.job)
        .send(testPlan());

      const patch = await api()
        .patch('/api/cutover/migrations/orders-v2')
        .set('authorization', as.otherTeam)
        .send({ controlState: 'PAUSE' });
      expect(patch.status).toBe(403);
      expect(patch.body.error.name).toBe('NotAllowedError');

      const reapply = await api()
        .put('/api/cutover/migrations/orders-v2')
        .set('authorization', as.reader)
        .send(testPlan({ title: 'Hijacked' }));
      expect(reapply.status).toBe(403);

      const metrics = await api()
        .post('/api/cutover/migrations/orders-v2/metrics')
        .set('authorization', as.otherTeam)
        .send({ samples: [{ dataset: 'customers', importedRecords: 5 }] });
      expect(metrics.status).toBe(403);

      const del = await api()
        .delete('/api/cutover/migrations/orders-v2')
        .set('authorization', as.reader);
      expect(del.status).toBe(403);

      // Nothing changed.
      const after = await api()
        .get('/api/cutover/migrations/orders-v2')
        .set('authorization', as.reader);
      expect(after.body.title).toBe('Orders database to PostgreSQL');
      expect(after.body.controlState).toBe('RUN');
    });

    it('lets the owner (through group membership) control the migration', async () => {
      const { api } = await setup();
      await api()
        .put('/api/cutover/migrations/orders-v2')
        .set('authorization', as.job)
        .send(testPlan());

      const paused = await api()
        .patch('/api/cutover/migrations/orders-v2')
        .set('authorization', as.owner)
        .send({ controlState: 'PAUSE', reason: 'database maintenance' });
      expect(paused.status).toBe(200);
      expect(paused.body.controlState).toBe('PAUSE');

      const control = await api()
        .get('/api/cutover/migrations/orders-v2/control')
        .set('authorization', as.job);
      expect(control.status).toBe(200);
      expect(control.body).toEqual({
        controlState: 'PAUSE',
        status: 'PLANNED',
      });

      const audit = await api()
        .get('/api/cutover/migrations/orders-v2/audit')
        .set('authorization', as.reader);
      expect(audit.status).toBe(200);
      expect(audit.body.items[0]).toMatchObject({
        action: 'migration.control',
        actor: 'user:default/olivia-owner',
        after: { controlState: 'PAUSE', reason: 'database maintenance' },
      });
      expect(audit.body.items.map((e: any) => e.action)).toEqual([
        'migration.control',
        'migration.create',
      ]);
    });

    it('answers 404 for unknown migrations and 400 naming the bad field', async () => {
      const { api } = await setup();
      const missing = await api()
        .get('/api/cutover/migrations/nope')
        .set('authorization', as.reader);
      expect(missing.status).toBe(404);
      expect(missing.body.error.name).toBe('NotFoundError');

      const badId = await api()
        .get('/api/cutover/migrations/Not_A_Slug')
        .set('authorization', as.reader);
      expect(badId.status).toBe(400);
      expect(badId.body.error.message).toMatch(/path/);

      const badPlan = await api()
        .post('/api/cutover/migrations')
        .set('authorization', as.job)
        .send({
          ...testPlan(),
          owner: 'not a ref',
          datasets: [{ name: 'x', table: 'drop table;' }],
        });
      expect(badPlan.status).toBe(400);
      expect(badPlan.body.error.name).toBe('InputError');
      expect(badPlan.body.error.message).toMatch(/owner/);
      expect(badPlan.body.error.message).toMatch(/datasets\.0\.table/);

      const malformed = await api()
        .post('/api/cutover/migrations')
        .set('authorization', as.job)
        .set('content-type', 'application/json')
        .send('{"id": ');
      expect(malformed.status).toBe(400);
      expect(malformed.body.error.message).toMatch(/not valid JSON/);
    });
  },
);
