import http from 'node:http';
import { AddressInfo } from 'node:net';
import {
  Client,
  ErrorCode,
  EventDetails,
  OpenFeature,
  ProviderEvents,
  ProviderStatus,
} from '@openfeature/server-sdk';
import { rolloutBucket } from '@switchyard/plugin-cutover-common';
import {
  SwitchyardProvider,
  SwitchyardProviderOptions,
} from './SwitchyardProvider';
import { parseFlagKey } from './flagKey';

/**
 * The provider through the real OpenFeature SDK, against a local portal that answers what each
 * test sets, rollouts included (the cutover backend's own answers are tested in the backend's
 * openfeatureProvider.test.ts).
 */
describe('SwitchyardProvider', () => {
  let server: http.Server;
  let baseUrl: string;
  let answers: Record<
    string,
    { status: number; body: unknown; delayMs?: number }
  >;
  let requests: string[];
  /** While set, the portal answers this to every request. */
  let down: { status: number; body: unknown; delayMs?: number } | undefined;
  let domains = 0;

  const readSources = (
    migrationId: string,
    datasets: Record<string, string>,
    rollouts?: Record<string, { source: string; percent: number }>,
  ) => ({
    status: 200,
    body: {
      migrationId,
      datasets,
      ...(rollouts ? { rollouts } : {}),
      updatedAt: '2026-12-01T00:00:00.000Z',
    },
  });

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      requests.push(`${req.url} ${req.headers.authorization ?? '-'}`);
      const id = decodeURIComponent(
        req.url!.match(/\/migrations\/([^/]+)\/read-sources$/)?.[1] ?? '',
      );
      const answer = down ??
        answers[id] ?? {
          status: 404,
          body: {
            error: { name: 'NotFoundError', message: `No migration ${id}` },
          },
        };
      setTimeout(() => {
        res.writeHead(answer.status, { 'content-type': 'application/json' });
        res.end(
          typeof answer.body === 'string'
            ? answer.body
            : JSON.stringify(answer.body),
        );
      }, answer.delayMs ?? 0);
    });
    await new Promise<void>(r => server.listen(0, '127.0.0.1', r));
    baseUrl = `http://127.0.0.1:${
      (server.address() as AddressInfo).port
    }/api/cutover`;
  });
  afterAll(async () => {
    await OpenFeature.close();
    await new Promise(r => server.close(r));
  });
  afterEach(() => OpenFeature.clearProviders());
  beforeEach(() => {
    requests = [];
    down = undefined;
    answers = {
      'orders-v2': readSources(
        'orders-v2',
        { orders: 'DUAL', customers: 'LEGACY', 'order.items': 'NEW' },
        { orders: { source: 'NEW', percent: 20 } },
      ),
      'billing-ledger': readSources('billing-ledger', { invoices: 'NEW' }),
    };
  });

  /** A provider in a domain of its own, so that tests don't share the SDK's default provider. */
  async function connect(
    options: Partial<SwitchyardProviderOptions> = {},
    wait = true,
  ) {
    const domain = `test-${++domains}`;
    const provider = new SwitchyardProvider({
      baseUrl,
      token: 'app-token',
      migrations: ['orders-v2'],
      ...options,
    });
    const client = OpenFeature.getClient(domain);
    const set = OpenFeature.setProviderAndWait(domain, provider);
    if (wait) await set;
    return { provider, client, set };
  }

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

  const keys = Array.from({ length: 400 }, (_, i) => `user-${i}`);
  const inRollout = keys.filter(
    k => rolloutBucket('orders-v2', 'orders', k) < 20,
  );
  const outsideRollout = keys.filter(
    k => rolloutBucket('orders-v2', 'orders', k) >= 20,
  );

  it('resolves <migration>.<dataset> to the read source, with variant, reason and metadata', async () => {
    const { client } = await connect();
    expect(client.providerStatus).toBe(ProviderStatus.READY);
    expect(requests).toEqual([
      '/api/cutover/migrations/orders-v2/read-sources Bearer app-token',
    ]);
    expect(await client.getStringDetails('orders-v2.customers', 'NEW')).toEqual(
      {
        flagKey: 'orders-v2.customers',
        value: 'LEGACY',
        variant: 'LEGACY',
        reason: 'STATIC',
        flagMetadata: {
          migrationId: 'orders-v2',
          dataset: 'customers',
          baseline: 'LEGACY',
          updatedAt: '2026-12-01T00:00:00.000Z',
        },
      },
    );
    expect(
      await client.getStringDetails('orders-v2.order.items', 'LEGACY'),
    ).toMatchObject({ value: 'NEW', variant: 'NEW', reason: 'STATIC' });
    expect(await client.getStringValue('orders-v2.customers', 'NEW')).toBe(
      'LEGACY',
    );
    expect(requests).toHaveLength(1);
  });

  it('decides a rollout per targeting key: the same key always gets the same answer', async () => {
    const { client } = await connect();
    const key = inRollout[0];
    expect(
      await client.getStringDetails('orders-v2.orders', 'LEGACY', {
        targetingKey: key,
      }),
    ).toEqual({
      flagKey: 'orders-v2.orders',
      value: 'NEW',
      variant: 'NEW',
      reason: 'TARGETING_MATCH',
      flagMetadata: {
        migrationId: 'orders-v2',
        dataset: 'orders',
        baseline: 'DUAL',
        updatedAt: '2026-12-01T00:00:00.000Z',
        rolloutSource: 'NEW',
        rolloutPercent: 20,
      },
    });
    expect(
      await client.getStringDetails('orders-v2.orders', 'LEGACY', {
        targetingKey: outsideRollout[0],
      }),
    ).toMatchObject({ value: 'DUAL', reason: 'SPLIT' });
    expect(
      await client.getStringDetails('orders-v2.orders', 'LEGACY'),
    ).toMatchObject({ value: 'DUAL', reason: 'DEFAULT' });

    const values = await Promise.all(
      keys.map(targetingKey =>
        client.getStringValue('orders-v2.orders', 'LEGACY', { targetingKey }),
      ),
    );
    expect(keys.filter((_, i) => values[i] === 'NEW')).toEqual(inRollout);
    const again = await Promise.all(
      keys.map(targetingKey =>
        client.getStringValue('orders-v2.orders', 'LEGACY', { targetingKey }),
      ),
    );
    expect(again).toEqual(values);
    // The key may come from the client's (or the global, or the transaction's) context as well.
    client.setContext({ targetingKey: key });
    expect(await client.getStringValue('orders-v2.orders', 'LEGACY')).toBe(
      'NEW',
    );
  });

  it('maps what it cannot answer to OpenFeature error codes, answering the default', async () => {
    answers.broken = { status: 200, body: '<html>not the portal</html>' };
    answers.odd = readSources('odd', { orders: 'SIDEWAYS' });
    const { client } = await connect();
    const details = (flagKey: string) =>
      client.getStringDetails(flagKey, 'LEGACY');
    expect(await details('orders-v2.payments')).toEqual({
      flagKey: 'orders-v2.payments',
      value: 'LEGACY',
      reason: 'ERROR',
      flagMetadata: {},
      errorCode: ErrorCode.FLAG_NOT_FOUND,
      errorMessage: 'Migration orders-v2 has no dataset "payments"',
    });
    expect(await details('orders-v3.orders')).toMatchObject({
      value: 'LEGACY',
      errorCode: ErrorCode.FLAG_NOT_FOUND,
      errorMessage:
        'No migration orders-v3: read-sources answered 404 Not Found: No migration orders-v3',
    });
    for (const key of [
      'orders',
      'orders.',
      '.orders',
      'Orders-V2.orders',
      'orders_v2.orders',
    ]) {
      expect(await details(key)).toMatchObject({
        value: 'LEGACY',
        errorCode: ErrorCode.FLAG_NOT_FOUND,
        errorMessage: `"${key}" is not a Switchyard flag key: expected <migrationId>.<dataset>`,
      });
    }
    expect(
      await client.getBooleanDetails('orders-v2.orders', true),
    ).toMatchObject({
      value: true,
      reason: 'ERROR',
      errorCode: ErrorCode.TYPE_MISMATCH,
    });
    expect(await client.getNumberDetails('orders-v2.orders', 3)).toMatchObject({
      value: 3,
      errorCode: ErrorCode.TYPE_MISMATCH,
    });
    expect(
      await client.getObjectDetails('orders-v2.orders', { a: 1 }),
    ).toMatchObject({ value: { a: 1 }, errorCode: ErrorCode.TYPE_MISMATCH });
    // An answer that isn't one (a proxy's login page, an unknown source) is that flag's error.
    expect(await details('broken.orders')).toMatchObject({
      value: 'LEGACY',
      errorCode: ErrorCode.PARSE_ERROR,
      errorMessage:
        'Read switches of broken: read-sources answered an unexpected body: not JSON',
    });
    expect(await details('odd.orders')).toMatchObject({
      errorCode: ErrorCode.PARSE_ERROR,
      errorMessage: expect.stringMatching(/datasets\.orders: Invalid option/),
    });
    // None of these is the provider's failure: the migrations it serves still answer.
    expect(client.providerStatus).toBe(ProviderStatus.READY);
    expect(await details('orders-v2.customers')).toMatchObject({
      value: 'LEGACY',
      reason: 'STATIC',
    });
  });

  it('serves several migrations, loading one it was not given on its first evaluation with one shared request', async () => {
    const { client } = await connect();
    answers['billing-ledger'].delayMs = 50;
    const values = await Promise.all(
      Array.from({ length: 20 }, () =>
        client.getStringValue('billing-ledger.invoices', 'LEGACY'),
      ),
    );
    expect(new Set(values)).toEqual(new Set(['NEW']));
    expect(requests.filter(r => r.includes('billing-ledger'))).toHaveLength(1);
    expect(await client.getStringValue('orders-v2.customers', 'NEW')).toBe(
      'LEGACY',
    );
  });

  it('fires ConfigurationChanged naming the flags whose switch or rollout changed, polling on the cache TTL', async () => {
    const { client } = await connect({
      cacheTtlMs: 100,
      migrations: ['orders-v2', 'billing-ledger'],
    });
    const changed = nextEvent(client, ProviderEvents.ConfigurationChanged);
    answers['orders-v2'] = readSources(
      'orders-v2',
      { orders: 'DUAL', customers: 'DUAL', 'order.items': 'NEW' },
      { orders: { source: 'NEW', percent: 50 } },
    );
    expect(await changed).toMatchObject({
      flagsChanged: ['orders-v2.customers', 'orders-v2.orders'],
      message: 'Read switches of orders-v2 changed: customers, orders',
      metadata: { migrationId: 'orders-v2' },
    });
    expect(await client.getStringValue('orders-v2.customers', 'LEGACY')).toBe(
      'DUAL',
    );
    // Raising the percentage only adds keys.
    const now = await Promise.all(
      keys.map(targetingKey =>
        client.getStringValue('orders-v2.orders', 'LEGACY', { targetingKey }),
      ),
    );
    const selected = keys.filter((_, i) => now[i] === 'NEW');
    expect(selected).toEqual(expect.arrayContaining(inRollout));
    expect(selected.length).toBeGreaterThan(inRollout.length);

    const ended = nextEvent(client, ProviderEvents.ConfigurationChanged);
    answers['billing-ledger'] = readSources('billing-ledger', {
      invoices: 'LEGACY',
    });
    expect((await ended).flagsChanged).toEqual(['billing-ledger.invoices']);
  });

  it('follows the outage rules: Stale with the last answer, then Error and the default, then Ready again', async () => {
    const { client } = await connect({ cacheTtlMs: 100, maxStaleMs: 1000 });
    const events: string[] = [];
    for (const event of [
      ProviderEvents.Stale,
      ProviderEvents.Error,
      ProviderEvents.Ready,
    ]) {
      client.addHandler(event, d => events.push(`${event}: ${d?.message}`));
    }
    events.length = 0; // the Ready handler ran at once: the provider was ready
    // A migration that does not exist, asked about before the outage, does not count during it.
    expect(
      (await client.getStringDetails('orders-v3.orders', 'LEGACY')).errorCode,
    ).toBe(ErrorCode.FLAG_NOT_FOUND);

    const stale = nextEvent(client, ProviderEvents.Stale);
    down = {
      status: 503,
      body: { error: { name: 'ServiceUnavailable', message: 'restarting' } },
    };
    expect(await stale).toMatchObject({
      message:
        'Read switches of orders-v2: read-sources answered 503 Service Unavailable: restarting',
    });
    expect(client.providerStatus).toBe(ProviderStatus.STALE);
    expect(
      await client.getStringDetails('orders-v2.customers', 'NEW'),
    ).toMatchObject({ value: 'LEGACY', reason: 'STALE' });
    expect(
      await client.getStringDetails('orders-v2.orders', 'LEGACY', {
        targetingKey: inRollout[0],
      }),
    ).toMatchObject({ value: 'NEW', reason: 'STALE' });

    const error = nextEvent(client, ProviderEvents.Error);
    expect(await error).toMatchObject({
      metadata: { migrationId: 'orders-v2' },
    });
    expect(client.providerStatus).toBe(ProviderStatus.ERROR);
    expect(
      await client.getStringDetails('orders-v2.orders', 'LEGACY', {
        targetingKey: inRollout[0],
      }),
    ).toMatchObject({
      value: 'LEGACY',
      reason: 'ERROR',
      errorCode: ErrorCode.GENERAL,
      errorMessage: expect.stringMatching(
        /^Read switches of orders-v2 unavailable for longer than the outage allowance: read-sources answered 503/,
      ),
    });

    const ready = nextEvent(client, ProviderEvents.Ready);
    answers['orders-v2'] = readSources('orders-v2', {
      orders: 'NEW',
      customers: 'LEGACY',
    });
    down = undefined;
    await ready;
    expect(client.providerStatus).toBe(ProviderStatus.READY);
    expect(
      await client.getStringDetails('orders-v2.orders', 'LEGACY'),
    ).toMatchObject({ value: 'NEW', reason: 'STATIC' });
    const prefix = 'Read switches of orders-v2';
    expect(events).toEqual([
      `PROVIDER_STALE: ${prefix}: read-sources answered 503 Service Unavailable: restarting`,
      `PROVIDER_ERROR: ${prefix}: read-sources answered 503 Service Unavailable: restarting`,
      `PROVIDER_READY: ${prefix} answered`,
    ]);
  });

  it('names the cause when the portal cannot be reached', async () => {
    const probe = http.createServer();
    await new Promise<void>(r => probe.listen(0, '127.0.0.1', r));
    const closed = (probe.address() as AddressInfo).port;
    await new Promise(r => probe.close(r));
    const nowhere = `http://127.0.0.1:${closed}/api/cutover`;
    const { client, set } = await connect({ baseUrl: nowhere }, false);
    await expect(set).rejects.toThrow(
      `Read switches unavailable for orders-v2 (could not reach ${nowhere}: connect ECONNREFUSED 127.0.0.1:${closed})`,
    );
    expect(
      (await client.getStringDetails('orders-v2.orders', 'LEGACY'))
        .errorMessage,
    ).toBe(
      `Read switches of orders-v2 not loaded yet: could not reach ${nowhere}: connect ECONNREFUSED 127.0.0.1:${closed}`,
    );
  });

  it('is not ready while the portal has never answered: setProviderAndWait rejects, evaluations answer PROVIDER_NOT_READY, Ready fires once it answers', async () => {
    answers['orders-v2'] = { status: 502, body: 'bad gateway' };
    const { client, set } = await connect({ cacheTtlMs: 100 }, false);
    await expect(set).rejects.toThrow(
      'Read switches unavailable for orders-v2 (read-sources answered 502 Bad Gateway)',
    );
    expect(client.providerStatus).toBe(ProviderStatus.ERROR);
    expect(
      await client.getStringDetails('orders-v2.orders', 'LEGACY'),
    ).toMatchObject({
      value: 'LEGACY',
      reason: 'ERROR',
      errorCode: ErrorCode.PROVIDER_NOT_READY,
      errorMessage:
        'Read switches of orders-v2 not loaded yet: read-sources answered 502 Bad Gateway',
    });
    const ready = nextEvent(client, ProviderEvents.Ready);
    answers['orders-v2'] = readSources('orders-v2', { orders: 'DUAL' });
    expect(await ready).toMatchObject({
      message: 'Read switches of orders-v2 answered',
    });
    expect(await client.getStringValue('orders-v2.orders', 'LEGACY')).toBe(
      'DUAL',
    );
  });

  it('stops polling when closed', async () => {
    const { provider } = await connect({ cacheTtlMs: 50 });
    await provider.onClose();
    const before = requests.length;
    await new Promise(r => setTimeout(r, 200));
    expect(requests).toHaveLength(before);
  });

  it('asks again on evaluation when due if polling is off', async () => {
    const { client } = await connect({ cacheTtlMs: 50, poll: false });
    await new Promise(r => setTimeout(r, 120));
    expect(requests).toHaveLength(1);
    answers['orders-v2'] = readSources('orders-v2', { orders: 'NEW' });
    // This evaluation answers from the cache and starts a request in the background...
    const changed = nextEvent(client, ProviderEvents.ConfigurationChanged);
    expect(await client.getStringValue('orders-v2.orders', 'LEGACY')).toBe(
      'DUAL',
    );
    expect((await changed).flagsChanged).toEqual([
      'orders-v2.customers',
      'orders-v2.order.items',
      'orders-v2.orders',
    ]);
    // ...whose answer the next one reads.
    expect(await client.getStringValue('orders-v2.orders', 'LEGACY')).toBe(
      'NEW',
    );
    expect(requests).toHaveLength(2);
  });
});

describe('parseFlagKey', () => {
  it.each([
    ['orders-v2.orders', { migrationId: 'orders-v2', dataset: 'orders' }],
    [
      'orders-v2.order.items',
      { migrationId: 'orders-v2', dataset: 'order.items' },
    ],
    ['a.b', { migrationId: 'a', dataset: 'b' }],
    ['orders', undefined],
    ['orders.', undefined],
    ['.orders', undefined],
    ['Orders.orders', undefined],
    ['-orders.orders', undefined],
  ])('takes %j apart', (key, expected) => {
    expect(parseFlagKey(key)).toEqual(expected);
  });
});
