/*
 * The scaffolder's cutover actions against a real cutover backend: a template that applies a plan
 * acts as the person who runs it, so their permissions and the plan governance apply.
 */
import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import { createCutoverPlanApplyAction } from '@switchyard/plugin-scaffolder-backend-module-cutover';
import { AddressInfo } from 'node:net';
import YAML from 'yaml';
import { as, startCutoverBackend, testPlan } from '../__testUtils__/backend';
import { cutoverTestDatabases } from '../__testUtils__/databases';

jest.setTimeout(60_000);

const databases = cutoverTestDatabases();

describe.each(databases.eachSupportedId())(
  'the cutover:plan:apply template action on %s',
  databaseId => {
    async function setup() {
      const knex = await databases.init(databaseId);
      const started = await startCutoverBackend({ knex });
      const base = `http://127.0.0.1:${
        (started.server.address() as AddressInfo).port
      }/api/cutover`;
      const action = createCutoverPlanApplyAction({
        discovery: {
          getBaseUrl: async () => base,
          getExternalBaseUrl: async () => base,
        },
        auth: mockServices.auth({ pluginId: 'scaffolder' }),
      });
      const run = async (user: string, plan: unknown) => {
        const ctx = createMockActionContext({
          input: { plan } as any,
          getInitiatorCredentials: async () => mockCredentials.user(user),
        } as any);
        // createMockActionContext keeps its own credentials; the run's initiator is who we say.
        ctx.getInitiatorCredentials = async () => mockCredentials.user(user);
        await action.handler(ctx as any);
        return ctx;
      };
      return { ...started, run };
    }

    it("creates the migration as the template's user, then updates it, and says where its Migration tab is", async () => {
      const { run, api } = await setup();
      const first = await run(
        'user:default/olivia-owner',
        YAML.stringify(testPlan()),
      );
      expect(first.output).toHaveBeenCalledWith('migrationId', 'orders-v2');
      expect(first.output).toHaveBeenCalledWith('created', true);
      expect(first.output).toHaveBeenCalledWith(
        'migrationPath',
        '/catalog/default/component/orders-service/migration',
      );
      const again = await run(
        'user:default/olivia-owner',
        testPlan({ title: 'Orders, second run' }),
      );
      expect(again.output).toHaveBeenCalledWith('created', false);
      const migration = (
        await api()
          .get('/api/cutover/migrations/orders-v2')
          .set('authorization', as.reader)
      ).body;
      expect(migration).toMatchObject({
        title: 'Orders, second run',
        createdBy: 'user:default/olivia-owner',
      });
    });

    it('refuses what the user may not do, and a plan that is not one, naming the problem', async () => {
      const { run } = await setup();
      // Another team may not create a migration for the orders team through a template either.
      await expect(run('user:default/bob-billing', testPlan())).rejects.toThrow(
        /403|may not make group:default\/orders-team the owner/,
      );
      await expect(
        run('user:default/olivia-owner', { title: 'no id' }),
      ).rejects.toThrow(/^plan: id: /);
    });
  },
);
