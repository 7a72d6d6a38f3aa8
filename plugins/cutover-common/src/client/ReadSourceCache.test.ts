import http from 'node:http';
import { AddressInfo } from 'node:net';
import { ReadSourceCache, ReadSourceUpdate } from './ReadSourceCache';

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const probe = http.createServer();
  await new Promise<void>(r => probe.listen(0, '127.0.0.1', r));
  const port = (probe.address() as AddressInfo).port;
  await new Promise(r => probe.close(r));
  return port;
}

type Answer = { status: number; body: unknown; raw?: string; delayMs?: number };

describe('ReadSourceCache', () => {
  let server: http.Server;
  let baseUrl: string;
  let answers: Record<string, Answer>;
  let requests: string[];

  const ok = (
    migrationId: string,
    datasets: Record<string, string>,
    rollouts?: unknown,
  ): Answer => ({
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
      requests.push(req.url!);
      const id = req.url!.match(
        /^\/api\/cutover\/migrations\/([^/]+)\/read-sources$/,
      )?.[1];
      const answer = answers[decodeURIComponent(id ?? '')] ?? {
        status: 404,
        body: {
          error: { name: 'NotFoundError', message: `No migration ${id}` },
        },
      };
      setTimeout(() => {
        res.writeHead(answer.status, { 'content-type': 'application/json' });
        res.end(answer.raw ?? JSON.stringify(answer.body));
      }, answer.delayMs ?? 0);
    });
    await new Promise<void>(r => server.listen(0, '127.0.0.1', r));
    baseUrl = `http://127.0.0.1:${
      (server.address() as AddressInfo).port
    }/api/cutover`;
  });
  afterAll(() => new Promise(r => server.close(r)));
  beforeEach(() => {
    requests = [];
    answers = {
      'orders-v2': ok(
        'orders-v2',
        { orders: 'DUAL', customers: 'LEGACY' },
        { orders: { source: 'NEW', percent: 20 } },
      ),
      'billing-ledger': ok('billing-ledger', { invoices: 'NEW' }),
    };
  });

  it('keeps one answer per migration and shares one request per migration between concurrent callers', async () => {
    const cache = new ReadSourceCache({ baseUrl, clock: () => 0 });
    const views = await Promise.all([
      cache.get('orders-v2'),
      cache.get('billing-ledger'),
      cache.get('orders-v2'),
    ]);
    expect(views.map(v => [v.state, v.answer?.migrationId])).toEqual([
      ['FRESH', 'orders-v2'],
      ['FRESH', 'billing-ledger'],
      ['FRESH', 'orders-v2'],
    ]);
    expect(views[0].answer!.rollouts).toEqual({
      orders: { source: 'NEW', percent: 20 },
    });
    expect(requests.sort()).toEqual([
      '/api/cutover/migrations/billing-ledger/read-sources',
      '/api/cutover/migrations/orders-v2/read-sources',
    ]);
    expect(cache.migrationIds().sort()).toEqual([
      'billing-ledger',
      'orders-v2',
    ]);
    expect(cache.view('never-asked')).toEqual({
      state: 'NONE',
      everAnswered: false,
    });
  });

  it.each([
    [
      'a 404, with the message of the backend',
      {
        status: 404,
        body: {
          error: { name: 'NotFoundError', message: 'No migration orders-v2' },
        },
      },
      'NOT_FOUND',
      'read-sources answered 404 Not Found: No migration orders-v2',
    ],
    [
      'a 403',
      {
        status: 403,
        body: { error: { name: 'NotAllowedError', message: 'Unauthorized' } },
      },
      'UNAUTHORIZED',
      'read-sources answered 403 Forbidden: Unauthorized',
    ],
    [
      'a 401',
      { status: 401, body: {} },
      'UNAUTHORIZED',
      'read-sources answered 401 Unauthorized',
    ],
    [
      'a 502',
      { status: 502, body: 'bad gateway' },
      'HTTP_ERROR',
      'read-sources answered 502 Bad Gateway',
    ],
    [
      'a body that is not JSON',
      { status: 200, body: null, raw: '<html>portal</html>' },
      'INVALID_ANSWER',
      'read-sources answered an unexpected body: not JSON',
    ],
    [
      'an unknown read source',
      ok('orders-v2', { orders: 'OLD' }),
      'INVALID_ANSWER',
      'read-sources answered an unexpected body: datasets.orders: Invalid option: expected one of "LEGACY"|"DUAL"|"NEW"',
    ],
    [
      'a rollout over 100%',
      ok(
        'orders-v2',
        { orders: 'DUAL' },
        { orders: { source: 'NEW', percent: 150 } },
      ),
      'INVALID_ANSWER',
      'read-sources answered an unexpected body: rollouts.orders.percent: Too big: expected number to be <=100',
    ],
    [
      'no datasets',
      { status: 200, body: { migrationId: 'orders-v2' } },
      'INVALID_ANSWER',
      'read-sources answered an unexpected body: datasets: Invalid input: expected record, received undefined',
    ],
  ])(
    'names %s as the failure, keeps the last answer and tells onError',
    async (_, answer, kind, message) => {
      let now = 0;
      const errors: string[] = [];
      const cache = new ReadSourceCache({
        baseUrl,
        clock: () => now,
        onError: (e, m) => errors.push(`${m}: ${e.message}`),
      });
      const before = (await cache.get('orders-v2')).answer;
      answers['orders-v2'] = answer as Answer;
      now = 10_000;
      const view = await cache.get('orders-v2');
      expect(view).toMatchObject({
        state: 'STALE',
        answer: before,
        answeredAt: 0,
        everAnswered: true,
        failure: { kind, at: 10_000 },
      });
      expect(view.failure!.error.message).toBe(message);
      expect(view.failure!.message).toBe(message);
      expect(errors).toEqual([`orders-v2: ${message}`]);
    },
  );

  it('fails a request that takes longer than timeoutMs as UNREACHABLE, as it does an unreachable portal', async () => {
    answers['orders-v2'].delayMs = 300;
    const slow = new ReadSourceCache({ baseUrl, timeoutMs: 30 });
    expect(await slow.get('orders-v2')).toMatchObject({
      state: 'NONE',
      everAnswered: false,
      failure: {
        kind: 'UNREACHABLE',
        message: `${baseUrl} gave no answer within 30 ms`,
        error: { name: 'AbortError' },
      },
    });
    const closed = await closedPort();
    const nowhere = new ReadSourceCache({
      baseUrl: `http://127.0.0.1:${closed}/api/cutover`,
    });
    expect(await nowhere.get('orders-v2')).toMatchObject({
      state: 'NONE',
      failure: {
        kind: 'UNREACHABLE',
        message: expect.stringMatching(
          new RegExp(
            `^could not reach http://127.0.0.1:${closed}/api/cutover: .*ECONNREFUSED`,
          ),
        ),
      },
    });
  });

  it('follows the outage rules: fresh, stale for maxStaleMs past the TTL, then nothing; fresh again when the portal answers', async () => {
    let now = 0;
    const cache = new ReadSourceCache({
      baseUrl,
      clock: () => now,
      cacheTtlMs: 10_000,
      maxStaleMs: 30_000,
    });
    const updates: ReadSourceUpdate[] = [];
    const unsubscribe = cache.subscribe(u => updates.push(u));
    expect((await cache.get('orders-v2')).state).toBe('FRESH');
    const first = updates[0].view.answer;
    expect(updates[0]).toMatchObject({
      migrationId: 'orders-v2',
      previous: undefined,
      view: { state: 'FRESH' },
    });

    answers['orders-v2'] = { status: 503, body: {} };
    now = 10_000;
    expect(await cache.get('orders-v2')).toMatchObject({
      state: 'STALE',
      answer: first,
      failure: { kind: 'HTTP_ERROR' },
    });
    // A failed request waits cacheTtlMs before the next one, like an answered one.
    now = 15_000;
    expect(cache.isDue('orders-v2')).toBe(false);
    await cache.get('orders-v2');
    expect(requests).toHaveLength(2);
    now = 40_000;
    expect(await cache.get('orders-v2')).toMatchObject({
      state: 'STALE',
      answer: first,
    });
    now = 40_001;
    expect(cache.view('orders-v2')).toMatchObject({
      state: 'NONE',
      everAnswered: true,
      failure: { kind: 'HTTP_ERROR', at: 40_000 },
    });
    expect(cache.view('orders-v2').answer).toBeUndefined();

    answers['orders-v2'] = ok('orders-v2', {
      orders: 'NEW',
      customers: 'LEGACY',
    });
    now = 50_000;
    expect(await cache.get('orders-v2')).toMatchObject({
      state: 'FRESH',
      answer: { datasets: { orders: 'NEW' } },
      answeredAt: 50_000,
    });
    expect(updates.map(u => u.view.state)).toEqual([
      'FRESH',
      'STALE',
      'STALE',
      'FRESH',
    ]);
    expect(updates[3].previous).toBe(first);
    unsubscribe();
    await cache.refresh('orders-v2');
    expect(updates).toHaveLength(4);
    expect(requests).toHaveLength(5);
  });

  it('asks again when forced, sharing the request under way', async () => {
    const cache = new ReadSourceCache({ baseUrl });
    await cache.get('orders-v2');
    expect(cache.isDue('orders-v2')).toBe(false);
    await Promise.all([
      cache.refresh('orders-v2'),
      cache.refresh('orders-v2'),
      cache.refreshIfDue('orders-v2'),
    ]);
    expect(requests).toHaveLength(2);
  });
});
