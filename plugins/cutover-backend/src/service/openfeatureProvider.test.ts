/*
 * An application reading read switches as OpenFeature flags: the real OpenFeature SDK with
 * `@switchyard/openfeature-provider`, against a real cutover backend over real HTTP. Operators
 * move a dataset's read source through the routes; the application sees the flag change and the
 * provider's ConfigurationChanged event. (Rollouts against a portal serving them, and the outage
 * rules, are tested in the provider package.)
 */
import {
  Client,
  ErrorCode,
  EventDetails,
  OpenFeature,
  ProviderEvents,
  ProviderStatus,
} from '@openfeature/server-sdk';
import { SwitchyardProvider } from '@switchyard/openfeature-provider';
import {
  ReadSourceClient,
  rolloutBucket,
} from '@switchyard/plugin-cutover-common';
import { AddressInfo } from 'node:net';
import { cutoverTestDatabases } from '../__testUtils__/databases';
import { approveCutover, as, startCutoverBackend, testPlan } from '../__testUtils__/backend';
import { importedInFull } from '../__testUtils__/reconciledTables';

jest.setTimeout(90_000);

const databases = cutoverTestDatabases();
const m = '/api/cutover/migrations/orders-v2';
const token = as.job.replace(/^Bearer /, '');

function nextEvent(
  client: Client,
  event: ProviderEvents,
): Promise<EventDetails> {
  return new Promise(resolve => {
    const handler = (details?: EventDetails) => {
      client.removeHandler(event, handler);
      resolve(details!);
    };
    client.addHandler(event, handler);
  });
}

describe.each(databases.eachSupportedId())(
  'OpenFeature provider against the cutover backend on %s',
  databaseId => {
    afterEach(() => OpenFeature.clearProviders());
    afterAll(() => OpenFeature.close());

    async function setup() {
      const knex = await databases.init(databaseId);
      const started = await startCutoverBackend({ knex });
      const { api } = started;
      expect(
        (await api().put(m).set('authorization', as.job).send(testPlan()))
          .status,
      ).toBe(201);
      const baseUrl = `http://127.0.0.1:${
        (started.server.address() as AddressInfo).port
      }/api/cutover`;
      const state = (dataset: string, s: string) =>
        api()
          .put(`${m}/datasets/${dataset}/cutover-state`)
          .set('authorization', as.owner)
          .send({ state: s, reason: `to ${s}` });
      const source = (dataset: string, s: string) =>
        api()
          .put(`${m}/datasets/${dataset}/read-source`)
          .set('authorization', as.owner)
          .send({ source: s, reason: `read ${s}` });
      const complete = (dataset: string, total: number) =>
        api()
          .post(`${m}/metrics`)
          .set('authorization', as.job)
          .send(importedInFull([dataset], total));
      return { ...started, baseUrl, state, source, complete };
    }

    it('serves each dataset as a flag, and the application sees switches change as operators make them', async () => {
      const { api, baseUrl, state, source, complete } = await setup();
      const provider = new SwitchyardProvider({
        baseUrl,
        token,
        migrations: ['orders-v2'],
        cacheTtlMs: 200,
      });
      await OpenFeature.setProviderAndWait(databaseId, provider);
      const client = OpenFeature.getClient(databaseId);
      expect(client.providerStatus).toBe(ProviderStatus.READY);

      expect(
        await client.getStringDetails('orders-v2.customers', 'NEW', {
          targetingKey: 'user-1',
        }),
      ).toMatchObject({
        flagKey: 'orders-v2.customers',
        value: 'LEGACY',
        variant: 'LEGACY',
        reason: 'STATIC',
        flagMetadata: {
          migrationId: 'orders-v2',
          dataset: 'customers',
          baseline: 'LEGACY',
        },
      });

      await complete('customers', 1000);
      expect((await state('customers', 'READY')).status).toBe(200);
      const toDual = nextEvent(client, ProviderEvents.ConfigurationChanged);
      expect((await source('customers', 'DUAL')).status).toBe(200);
      expect(await toDual).toMatchObject({
        flagsChanged: ['orders-v2.customers'],
        metadata: { migrationId: 'orders-v2' },
      });
      expect(
        await client.getStringValue('orders-v2.customers', 'LEGACY', {
          targetingKey: 'user-1',
        }),
      ).toBe('DUAL');

      // CUTOVER and NEW reads need a current approval.
      await approveCutover(api, 'orders-v2');
      expect((await state('customers', 'CUTOVER')).status).toBe(200);
      const toNew = nextEvent(client, ProviderEvents.ConfigurationChanged);
      expect((await source('customers', 'NEW')).status).toBe(200);
      expect((await toNew).flagsChanged).toEqual(['orders-v2.customers']);
      expect(await client.getStringValue('orders-v2.customers', 'LEGACY')).toBe(
        'NEW',
      );
      expect(await client.getStringValue('orders-v2.orders', 'NEW')).toBe(
        'LEGACY',
      );

      // Rolling the dataset back sends its reads to LEGACY in the same transaction.
      const back = nextEvent(client, ProviderEvents.ConfigurationChanged);
      expect((await state('customers', 'ROLLED_BACK')).status).toBe(200);
      expect((await back).flagsChanged).toEqual(['orders-v2.customers']);
      expect(await client.getStringValue('orders-v2.customers', 'NEW')).toBe(
        'LEGACY',
      );
    });

    it('decides a rollout set through the routes per targeting key: the same key gets the same answer, raising the percentage only adds keys', async () => {
      const { api, baseUrl, state, complete } = await setup();
      const rollout = (percent: number) =>
        api()
          .put(`${m}/datasets/customers/read-source`)
          .set('authorization', as.owner)
          .send({ source: 'DUAL', reason: `canary ${percent}%`, rolloutPercent: percent });
      await complete('customers', 1000);
      expect((await state('customers', 'READY')).status).toBe(200);
      const provider = new SwitchyardProvider({
        baseUrl,
        token,
        migrations: ['orders-v2'],
        cacheTtlMs: 100,
      });
      await OpenFeature.setProviderAndWait(databaseId, provider);
      const client = OpenFeature.getClient(databaseId);
      const switches = new ReadSourceClient({
        baseUrl,
        token,
        migrationId: 'orders-v2',
        cacheTtlMs: 100,
      });
      const keys = Array.from({ length: 300 }, (_, i) => `tenant-${i}`);
      /** The keys reading DUAL, by the provider and by ReadSourceClient (they must agree). */
      const dualKeys = async () => {
        const byFlag = await Promise.all(
          keys.map(targetingKey =>
            client.getStringValue('orders-v2.customers', 'LEGACY', {
              targetingKey,
            }),
          ),
        );
        const byClient = await Promise.all(
          keys.map(targetingKey => switches.get('customers', { targetingKey })),
        );
        expect(byClient).toEqual(byFlag);
        return keys.filter((_, i) => byFlag[i] === 'DUAL');
      };

      const changed = nextEvent(client, ProviderEvents.ConfigurationChanged);
      expect((await rollout(20)).status).toBe(200);
      expect((await changed).flagsChanged).toEqual(['orders-v2.customers']);
      await new Promise(r => setTimeout(r, 150));
      const at20 = await dualKeys();
      expect(at20).toEqual(
        keys.filter(k => rolloutBucket('orders-v2', 'customers', k) < 20),
      );
      // About a fifth of the keys (300 keys: well within 10..30%).
      expect(at20.length).toBeGreaterThan(30);
      expect(at20.length).toBeLessThan(90);
      // The same key gets the same answer, evaluation after evaluation.
      expect(await dualKeys()).toEqual(at20);
      expect(
        await client.getStringDetails('orders-v2.customers', 'LEGACY', {
          targetingKey: at20[0],
        }),
      ).toMatchObject({
        value: 'DUAL',
        reason: 'TARGETING_MATCH',
        flagMetadata: { baseline: 'LEGACY', rolloutSource: 'DUAL', rolloutPercent: 20 },
      });
      // Without a targeting key: the switch everyone else reads.
      expect(await client.getStringValue('orders-v2.customers', 'NEW')).toBe('LEGACY');

      const raised = nextEvent(client, ProviderEvents.ConfigurationChanged);
      expect((await rollout(60)).status).toBe(200);
      await raised;
      await new Promise(r => setTimeout(r, 150));
      const at60 = await dualKeys();
      expect(at60).toEqual(expect.arrayContaining(at20));
      expect(at60.length).toBeGreaterThan(at20.length);
      expect(at60).toEqual(
        keys.filter(k => rolloutBucket('orders-v2', 'customers', k) < 60),
      );

      // Rolled back: LEGACY for everyone.
      const back = nextEvent(client, ProviderEvents.ConfigurationChanged);
      expect((await state('customers', 'PENDING')).status).toBe(200);
      await back;
      await new Promise(r => setTimeout(r, 150));
      expect(await dualKeys()).toEqual([]);
    });

    it('answers FLAG_NOT_FOUND for datasets and migrations the backend does not know', async () => {
      const { baseUrl } = await setup();
      await OpenFeature.setProviderAndWait(
        databaseId,
        new SwitchyardProvider({ baseUrl, token, migrations: ['orders-v2'] }),
      );
      const client = OpenFeature.getClient(databaseId);
      expect(
        await client.getStringDetails('orders-v2.payments', 'LEGACY'),
      ).toMatchObject({
        value: 'LEGACY',
        reason: 'ERROR',
        errorCode: ErrorCode.FLAG_NOT_FOUND,
        errorMessage: 'Migration orders-v2 has no dataset "payments"',
      });
      expect(
        await client.getStringDetails('billing-ledger.invoices', 'LEGACY'),
      ).toMatchObject({
        value: 'LEGACY',
        errorCode: ErrorCode.FLAG_NOT_FOUND,
        errorMessage: expect.stringMatching(
          /^No migration billing-ledger: read-sources answered 404 Not Found: /,
        ),
      });
      expect(client.providerStatus).toBe(ProviderStatus.READY);
    });

    it('is refused without a token the backend accepts, and says so', async () => {
      const { baseUrl } = await setup();
      const set = OpenFeature.setProviderAndWait(
        databaseId,
        new SwitchyardProvider({ baseUrl, migrations: ['orders-v2'] }),
      );
      await expect(set).rejects.toThrow(
        /Read switches unavailable for orders-v2 \(read-sources answered 401 Unauthorized: /,
      );
      const client = OpenFeature.getClient(databaseId);
      expect(client.providerStatus).toBe(ProviderStatus.ERROR);
      expect(
        await client.getStringDetails('orders-v2.customers', 'LEGACY'),
      ).toMatchObject({
        value: 'LEGACY',
        errorCode: ErrorCode.GENERAL,
        errorMessage: expect.stringMatching(
          /^Read switches of orders-v2 refused \(the token needs cutover.migration.read\): read-sources answered 401/,
        ),
      });
    });
  },
);
