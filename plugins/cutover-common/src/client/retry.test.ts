import { ResponseError } from '@backstage/errors';
import http from 'node:http';
import { AddressInfo } from 'node:net';
import { CutoverClient } from './CutoverClient';
import { CutoverRetryEvent } from './retry';
import { backoffDelayMs, isIdempotentRequest, parseRetryAfter } from './retry';

/**
 * What the test backend does: fail the next `failures` requests (with `failWith`: a status, or `'drop'` to
 * close the connection without an answer) and then answers, counting every attempt.
 */
interface Script {
  failures: number;
  failWith: number | 'drop';
  headers?: Record<string, string>;
}

describe('CutoverClient retries', () => {
  let server: http.Server;
  let baseUrl: string;
  let script: Script;
  let attempts: Array<{ method?: string; url?: string; at: number }>;

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      attempts.push({ method: req.method, url: req.url, at: Date.now() });
      req.resume();
      req.on('end', () => {
        if (script.failures > 0) {
          script.failures -= 1;
          if (script.failWith === 'drop') {
            req.socket.destroy();
            return;
          }
          res.writeHead(script.failWith, {
            'content-type': 'application/json',
            ...script.headers,
          });
          res.end(
            JSON.stringify({
              error: {
                name: 'Error',
                message: `try again (${script.failWith})`,
              },
              response: { statusCode: script.failWith },
            }),
          );
          return;
        }
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({
            controlState: 'RUN',
            status: 'IN_PROGRESS',
            accepted: 1,
            duplicates: 0,
            datasets: ['orders'],
          }),
        );
      });
    });
    await new Promise<void>(r => server.listen(0, '127.0.0.1', r));
    baseUrl = `http://127.0.0.1:${
      (server.address() as AddressInfo).port
    }/api/cutover`;
  });
  afterAll(() => new Promise(r => server.close(r)));
  beforeEach(() => {
    attempts = [];
    script = { failures: 0, failWith: 503 };
  });

  const client = (retry?: object, events: CutoverRetryEvent[] = []) =>
    CutoverClient.fromBaseUrl(baseUrl, {
      token: 'secret',
      retry: retry && {
        minDelayMs: 5,
        maxDelayMs: 50,
        ...retry,
        onRetry: e => events.push(e),
      },
    });

  it.each([429, 502, 503, 504])(
    'retries a GET answered %i until it succeeds',
    async status => {
      script = { failures: 2, failWith: status };
      const events: CutoverRetryEvent[] = [];
      expect(
        await client({ retries: 3 }, events).getControl('orders-v2'),
      ).toEqual(expect.objectContaining({ controlState: 'RUN' }));
      expect(attempts).toHaveLength(3);
      expect(events.map(e => [e.retry, e.retries, e.status, e.method])).toEqual(
        [
          [1, 3, status, 'GET'],
          [2, 3, status, 'GET'],
        ],
      );
      expect(events[0].url).toBe(`${baseUrl}/migrations/orders-v2/control`);
    },
  );

  it('retries when the connection drops without an answer', async () => {
    script = { failures: 2, failWith: 'drop' };
    const events: CutoverRetryEvent[] = [];
    await client({ retries: 2 }, events).applyPlan({
      id: 'orders-v2',
      title: 'Orders',
      owner: 'group:default/orders-team',
      datasets: [{ name: 'orders', tier: 1 }],
    });
    expect(attempts.map(a => a.method)).toEqual(['PUT', 'PUT', 'PUT']);
    expect(events.map(e => e.status)).toEqual([undefined, undefined]);
    expect(events[0].reason).toMatch(/fetch failed/);
  });

  it('gives up after the allowed retries with the last answer as the error', async () => {
    script = { failures: 10, failWith: 503 };
    const error = await client({ retries: 2 })
      .getDashboard('orders-v2')
      .catch(e => e);
    expect(error).toBeInstanceOf(ResponseError);
    expect(error.response.status).toBe(503);
    expect(error.body.error.message).toBe('try again (503)');
    expect(attempts).toHaveLength(3);

    attempts = [];
    script = { failures: 10, failWith: 'drop' };
    await expect(
      client({ retries: 1 }).getDashboard('orders-v2'),
    ).rejects.toThrow(/fetch failed/);
    expect(attempts).toHaveLength(2);
  });

  it('retries a POST only when it carries an idempotency key', async () => {
    script = { failures: 1, failWith: 503 };
    const error = await client({ retries: 3 })
      .createSnapshot('orders-v2', { name: 'before' })
      .catch(e => e);
    expect(error.response.status).toBe(503);
    expect(attempts).toHaveLength(1);

    attempts = [];
    script = { failures: 1, failWith: 'drop' };
    await expect(
      client({ retries: 3 }).reportMetrics('orders-v2', [
        { dataset: 'orders' },
      ]),
    ).rejects.toThrow(/fetch failed/);
    expect(attempts).toHaveLength(1);

    attempts = [];
    script = { failures: 2, failWith: 503 };
    expect(
      await client({ retries: 3 }).reportMetrics(
        'orders-v2',
        [{ dataset: 'orders', importedRecords: 10 }],
        { idempotencyKey: 'batch-1' },
      ),
    ).toEqual(expect.objectContaining({ accepted: 1, duplicates: 0 }));
    expect(attempts.map(a => a.method)).toEqual(['POST', 'POST', 'POST']);
  });

  it('does not retry a PATCH, answers that are final, or without the option', async () => {
    script = { failures: 1, failWith: 503 };
    await expect(
      client({ retries: 3 }).updateMigration('orders-v2', {
        controlState: 'PAUSE',
      }),
    ).rejects.toMatchObject({ name: 'ResponseError' });
    expect(attempts).toHaveLength(1);

    for (const status of [500, 404, 409, 400]) {
      attempts = [];
      script = { failures: 1, failWith: status };
      await expect(
        client({ retries: 3 }).getControl('orders-v2'),
      ).rejects.toMatchObject({ name: 'ResponseError' });
      expect(attempts).toHaveLength(1);
    }

    attempts = [];
    script = { failures: 1, failWith: 503 };
    await expect(client().getControl('orders-v2')).rejects.toMatchObject({
      name: 'ResponseError',
    });
    script = { failures: 1, failWith: 503 };
    await expect(
      client({ retries: 0 }).getControl('orders-v2'),
    ).rejects.toMatchObject({ name: 'ResponseError' });
    expect(attempts).toHaveLength(2);
  });

  it('waits as long as Retry-After says, and gives up at once when that is longer than allowed', async () => {
    script = { failures: 1, failWith: 429, headers: { 'retry-after': '1' } };
    const events: CutoverRetryEvent[] = [];
    await client({ retries: 1, maxDelayMs: 2000 }, events).getControl(
      'orders-v2',
    );
    expect(attempts).toHaveLength(2);
    expect(events[0].delayMs).toBe(1000);
    expect(attempts[1].at - attempts[0].at).toBeGreaterThanOrEqual(950);

    attempts = [];
    script = { failures: 1, failWith: 503, headers: { 'retry-after': '120' } };
    const error = await client({ retries: 3, maxDelayMs: 2000 })
      .getControl('orders-v2')
      .catch(e => e);
    expect(error.response.status).toBe(503);
    expect(attempts).toHaveLength(1);
  });

  it('sends the token on every attempt', async () => {
    const auth: Array<string | undefined> = [];
    const listener = (req: http.IncomingMessage) =>
      auth.push(req.headers.authorization);
    server.on('request', listener);
    try {
      script = { failures: 1, failWith: 502 };
      await client({ retries: 1 }).getControl('orders-v2');
    } finally {
      server.off('request', listener);
    }
    expect(auth).toEqual(['Bearer secret', 'Bearer secret']);
  });
});

describe('retry rules', () => {
  it.each([
    ['GET', undefined, true],
    ['PUT', { id: 'x' }, true],
    ['DELETE', undefined, true],
    ['POST', { samples: [] }, false],
    ['POST', { samples: [], idempotencyKey: '' }, false],
    ['POST', { samples: [], idempotencyKey: 'k' }, true],
    ['PATCH', { idempotencyKey: 'k' }, false],
  ])('%s %j may be retried: %s', (method, body, expected) => {
    expect(isIdempotentRequest(method, body)).toBe(expected);
  });

  it('reads Retry-After as seconds or as an HTTP date', () => {
    const now = Date.parse('2030-01-01T00:00:00Z');
    expect(parseRetryAfter('7', now)).toBe(7000);
    expect(parseRetryAfter('Tue, 01 Jan 2030 00:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Mon, 31 Dec 2029 23:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter(null, now)).toBeUndefined();
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter('-3', now)).toBeUndefined();
  });

  it('backs off exponentially up to the cap, with jitter in the upper half', () => {
    const options = { minDelayMs: 100, maxDelayMs: 1000 };
    expect(
      [1, 2, 3, 4, 5].map(n => backoffDelayMs(n, options, () => 1)),
    ).toEqual([100, 200, 400, 800, 1000]);
    expect(
      [1, 2, 3, 4, 5].map(n => backoffDelayMs(n, options, () => 0)),
    ).toEqual([50, 100, 200, 400, 500]);
  });
});
