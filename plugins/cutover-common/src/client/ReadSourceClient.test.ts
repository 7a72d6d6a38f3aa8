import http from 'node:http';
import { AddressInfo } from 'node:net';
import { ReadSourceClient } from './ReadSourceClient';
import { rolloutBucket } from '../logic/rollout';

describe('ReadSourceClient', () => {
  let server: http.Server;
  let baseUrl: string;
  let answer: { status: number; body: unknown; delayMs?: number };
  let requests: Array<{ url?: string; auth?: string }>;

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      requests.push({ url: req.url, auth: req.headers.authorization });
      setTimeout(() => {
        res.writeHead(answer.status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(answer.body));
      }, answer.delayMs ?? 0);
    });
    await new Promise<void>(r => server.listen(0, '127.0.0.1', r));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/cutover/`;
  });
  afterAll(() => new Promise(r => server.close(r)));
  beforeEach(() => {
    requests = [];
    answer = { status: 200, body: { migrationId: 'orders-v2', datasets: { orders: 'NEW', customers: 'DUAL' }, updatedAt: '2026-11-22T00:00:00Z' } };
  });

  it('reads switches with the token, caches them, and shares one request between callers', async () => {
    let now = 0;
    const client = new ReadSourceClient({ baseUrl, migrationId: 'orders-v2', token: 'secret', clock: () => now });
    const [a, b] = await Promise.all([client.get('orders'), client.get('customers')]);
    expect([a, b]).toEqual(['NEW', 'DUAL']);
    expect(requests).toEqual([{ url: '/api/cutover/migrations/orders-v2/read-sources', auth: 'Bearer secret' }]);
    now = 5_000;
    expect(await client.get('unknown-dataset')).toBe('LEGACY');
    expect(requests).toHaveLength(1);
    answer.body = { migrationId: 'orders-v2', datasets: { orders: 'LEGACY' }, updatedAt: '' };
    now = 11_000;
    expect(await client.get('orders')).toBe('LEGACY');
    expect(requests).toHaveLength(2);
  });

  it('keeps the last answer briefly when the portal fails, then falls back to LEGACY, and never throws', async () => {
    let now = 0;
    const errors: string[] = [];
    const client = new ReadSourceClient({ baseUrl, migrationId: 'orders-v2', clock: () => now, maxStaleMs: 30_000, onError: e => errors.push(e.message) });
    expect(await client.get('orders')).toBe('NEW');
    answer = { status: 503, body: { error: 'down' } };
    now = 20_000;
    expect(await client.get('orders')).toBe('NEW');
    expect(errors).toEqual(['read-sources answered 503 Service Unavailable']);
    now = 45_000;
    expect(await client.get('orders')).toBe('LEGACY');
    expect(await client.getAll()).toEqual({});
  });

  it('falls back to LEGACY when the portal is unreachable or slow', async () => {
    const unreachable = new ReadSourceClient({ baseUrl: 'http://127.0.0.1:9/api/cutover', migrationId: 'orders-v2' });
    expect(await unreachable.get('orders')).toBe('LEGACY');
    answer.delayMs = 500;
    const errors: string[] = [];
    const slow = new ReadSourceClient({ baseUrl, migrationId: 'orders-v2', timeoutMs: 50, onError: e => errors.push(e.name) });
    expect(await slow.get('orders')).toBe('LEGACY');
    expect(errors).toEqual(['AbortError']);
  });
});

describe('ReadSourceClient with gradual rollouts', () => {
  let server: http.Server;
  let baseUrl: string;
  const keys = Array.from({ length: 1000 }, (_, i) => `user-${i}`);

  beforeAll(async () => {
    server = http.createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({
        migrationId: 'orders-v2',
        datasets: { orders: 'DUAL', customers: 'LEGACY' },
        rollouts: { orders: { source: 'NEW', percent: 20 } },
        updatedAt: '2026-12-01T00:00:00.000Z',
      }));
    });
    await new Promise<void>(r => server.listen(0, '127.0.0.1', r));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/cutover`;
  });
  afterAll(() => new Promise(r => server.close(r)));

  it('gives the rollout source to the callers whose key falls in the rollout, the switch to everyone else', async () => {
    const client = new ReadSourceClient({ baseUrl, migrationId: 'orders-v2' });
    const sources = await Promise.all(keys.map(targetingKey => client.get('orders', { targetingKey })));
    const inRollout = keys.filter((_, i) => sources[i] === 'NEW');
    expect(inRollout).toEqual(keys.filter(k => rolloutBucket('orders-v2', 'orders', k) < 20));
    expect(inRollout.length).toBeGreaterThan(150);
    expect(inRollout.length).toBeLessThan(250);
    expect(new Set(sources)).toEqual(new Set(['NEW', 'DUAL']));
    expect(await client.get('orders')).toBe('DUAL');
    expect(await client.get('customers', { targetingKey: inRollout[0] })).toBe('LEGACY');
    expect(client.peek('orders', { targetingKey: inRollout[0] })).toBe('NEW');
    expect(await client.getAll({ targetingKey: inRollout[0] })).toEqual({ orders: 'NEW', customers: 'LEGACY' });
    expect(await client.getAll()).toEqual({ orders: 'DUAL', customers: 'LEGACY' });
  });

  it('reads LEGACY for a dataset it does not know, whatever its name', async () => {
    const client = new ReadSourceClient({ baseUrl, migrationId: 'orders-v2' });
    for (const name of ['payments', 'constructor', '__proto__', 'toString']) {
      expect(await client.get(name, { targetingKey: 'user-1' })).toBe('LEGACY');
    }
  });
});
