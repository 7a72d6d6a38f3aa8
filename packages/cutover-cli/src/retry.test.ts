/*
 * The CLI's own client over real HTTP: a local server that fails a few times before it answers,
 * counting the attempts, to show that the CLI retries what may be retried and nothing else.
 */
import http from 'node:http';
import { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { EXIT, run } from './index';

describe('cutover retries', () => {
  let server: http.Server;
  let url: string;
  let failures: number;
  let attempts: string[];

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      attempts.push(`${req.method} ${req.url} ${req.headers.authorization}`);
      req.resume();
      req.on('end', () => {
        if (failures > 0) {
          failures -= 1;
          res.writeHead(503, {
            'content-type': 'application/json',
            'retry-after': '0',
          });
          res.end(
            JSON.stringify({
              error: { name: 'ServiceUnavailableError', message: 'restarting' },
              response: { statusCode: 503 },
            }),
          );
          return;
        }
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({
            migrationId: 'orders-v2',
            datasets: { orders: 'DUAL' },
            updatedAt: '',
          }),
        );
      });
    });
    await new Promise<void>(r => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${
      (server.address() as AddressInfo).port
    }/api/cutover`;
  });
  afterAll(() => new Promise(r => server.close(r)));
  beforeEach(() => {
    attempts = [];
  });

  async function cutover(...args: string[]) {
    const out: string[] = [];
    const err: string[] = [];
    const code = await run(['node', 'cutover', '--url', url, ...args], {
      out: l => out.push(l),
      err: l => err.push(l),
      stdin: Readable.from(['']),
      env: { CUTOVER_TOKEN: 'job-token' },
      sleep: async () => {},
    });
    return { code, out, err };
  }

  it('retries reads until the backend answers, saying so on stderr', async () => {
    failures = 2;
    const r = await cutover('read-source', '-m', 'orders-v2', '--json');
    expect(r.code).toBe(EXIT.ok);
    expect(JSON.parse(r.out.join('\n'))).toMatchObject({
      datasets: { orders: 'DUAL' },
    });
    expect(attempts).toEqual(
      Array(3).fill(
        'GET /api/cutover/migrations/orders-v2/read-sources Bearer job-token',
      ),
    );
    expect(r.err).toEqual([
      expect.stringMatching(
        /^cutover: GET http:\/\/127\.0\.0\.1:\d+\/api\/cutover\/migrations\/orders-v2\/read-sources: 503 Service Unavailable; retry 1 of 5 in \d\.\d s$/,
      ),
      expect.stringMatching(
        /: 503 Service Unavailable; retry 2 of 5 in \d\.\d s$/,
      ),
    ]);
  });

  it('gives up after --retries, and --retries 0 turns retrying off', async () => {
    failures = 10;
    const r = await cutover(
      'read-source',
      '-m',
      'orders-v2',
      '--retries',
      '1',
      '--json',
    );
    expect(r.code).toBe(EXIT.error);
    expect(attempts).toHaveLength(2);
    expect(JSON.parse(r.out.join('\n'))).toEqual({
      error: {
        name: 'ServiceUnavailableError',
        message: 'restarting',
        statusCode: 503,
      },
      exitCode: EXIT.error,
    });

    attempts = [];
    const off = await cutover(
      'read-source',
      '-m',
      'orders-v2',
      '--retries',
      '0',
    );
    expect(off.code).toBe(EXIT.error);
    expect(attempts).toHaveLength(1);
    expect(off.err).toEqual(['cutover: 503 restarting']);

    const bad = await cutover(
      'read-source',
      '-m',
      'orders-v2',
      '--retries',
      'many',
    );
    expect(bad.code).toBe(EXIT.error);
    expect(bad.err).toEqual([
      'cutover: --retries must be a whole number, 0 or more, got "many"',
    ]);
  });

  it('does not retry what would be done twice: a snapshot, a switch, a report without a key', async () => {
    for (const args of [
      ['snapshot', '-m', 'orders-v2', '-n', 'before'],
      ['pause', '-m', 'orders-v2'],
      ['report', '-m', 'orders-v2', '-d', 'orders', '--imported', '5'],
    ]) {
      failures = 1;
      attempts = [];
      expect((await cutover(...args)).code).toBe(EXIT.error);
      expect(attempts).toHaveLength(1);
    }
    failures = 1;
    attempts = [];
    await cutover(
      'report',
      '-m',
      'orders-v2',
      '-d',
      'orders',
      '--imported',
      '5',
      '--idempotency-key',
      'k1',
    );
    expect(attempts).toEqual(
      Array(2).fill(
        'POST /api/cutover/migrations/orders-v2/metrics Bearer job-token',
      ),
    );
  });
});
