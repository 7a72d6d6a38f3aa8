import { mockServices } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { Notification } from '@backstage/plugin-notifications-common';
import { NotificationSendOptions } from '@backstage/plugin-notifications-node';
import { JsonObject } from '@backstage/types';
import { once } from 'node:events';
import http from 'node:http';
import { AddressInfo } from 'node:net';
import { MsTeamsNotificationProcessor } from './MsTeamsNotificationProcessor';

type Reply = {
  status: number;
  headers?: Record<string, string>;
  delayMs?: number;
};

interface Received {
  path: string;
  contentType?: string;
  body: any;
  at: number;
}

/** A local HTTP server acting as Microsoft Teams. */
class FakeTeams {
  readonly received: Received[] = [];
  private replies: Reply[] = [];
  private fallback: Reply = { status: 200 };
  private readonly server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', c => chunks.push(c));
    req.on('end', () => {
      this.received.push({
        path: req.url ?? '',
        contentType: req.headers['content-type'],
        body: JSON.parse(Buffer.concat(chunks).toString('utf8')),
        at: Date.now(),
      });
      const reply = this.replies.shift() ?? this.fallback;
      const respond = () => {
        res.writeHead(reply.status, reply.headers);
        res.end(reply.status < 300 ? '1' : 'error');
      };
      if (reply.delayMs) {
        setTimeout(respond, reply.delayMs);
      } else {
        respond();
      }
    });
  });

  async start() {
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
  }

  async stop() {
    this.server.closeAllConnections();
    await new Promise(resolve => this.server.close(resolve));
  }

  url(path: string) {
    const { port } = this.server.address() as AddressInfo;
    return `http://127.0.0.1:${port}${path}`;
  }

  reply(...replies: Reply[]) {
    this.replies.push(...replies);
  }

  always(reply: Reply) {
    this.fallback = reply;
  }

  reset() {
    this.received.length = 0;
    this.replies = [];
    this.fallback = { status: 200 };
  }

  paths() {
    return this.received.map(r => r.path);
  }
}

const SECRET_PATH = '/webhookb2/secret-token-123';

function notification(
  payload: Partial<Notification['payload']> = {},
): Notification {
  return {
    id: 'n-1',
    user: 'user:default/jane',
    created: new Date('2025-01-01T00:00:00Z'),
    origin: 'plugin:cutover',
    payload: { title: 'Cutover approval requested', ...payload },
  };
}

function sendOptions(
  payload: Notification['payload'],
  recipients: NotificationSendOptions['recipients'],
): NotificationSendOptions {
  return { recipients, payload };
}

function loggedText(logger: ReturnType<typeof mockServices.logger.mock>) {
  return [
    ...logger.error.mock.calls,
    ...logger.warn.mock.calls,
    ...logger.info.mock.calls,
    ...logger.debug.mock.calls,
  ]
    .map(call => JSON.stringify(call))
    .join('\n');
}

describe('MsTeamsNotificationProcessor', () => {
  const teams = new FakeTeams();
  let logger: ReturnType<typeof mockServices.logger.mock>;

  beforeAll(() => teams.start());
  afterAll(() => teams.stop());
  beforeEach(() => {
    teams.reset();
    logger = mockServices.logger.mock();
  });

  function createProcessor(msteams: JsonObject = {}) {
    return MsTeamsNotificationProcessor.fromConfig(
      new ConfigReader({
        app: { baseUrl: 'https://backstage.example.com' },
        notifications: {
          processors: {
            msteams: {
              retryBaseMs: 5,
              timeoutMs: 2000,
              webhooks: [
                {
                  url: teams.url('/approvers'),
                  groups: ['group:default/cutover-approvers'],
                },
                { url: teams.url('/cutover'), topics: ['cutover:*'] },
                {
                  url: teams.url('/incidents'),
                  topics: ['incident'],
                  minSeverity: 'high',
                },
              ],
              ...msteams,
            },
          },
        },
      }),
      { logger },
    );
  }

  async function post(
    processor: MsTeamsNotificationProcessor,
    payload: Partial<Notification['payload']>,
    recipients: NotificationSendOptions['recipients'] = {
      type: 'entity',
      entityRef: 'user:default/jane',
    },
  ) {
    const n = notification(payload);
    await processor.postProcess(n, sendOptions(n.payload, recipients));
    await processor.idle();
  }

  it('has the name msteams', () => {
    expect(createProcessor().getName()).toBe('msteams');
  });

  it('posts the exact card for a group-matched notification', async () => {
    const processor = createProcessor();
    await post(
      processor,
      {
        title: 'Cutover approval requested',
        description: 'Migration orders-db is ready for cutover.',
        link: '/cutover/migrations/orders-db',
        severity: 'high',
        topic: 'approvals',
      },
      {
        type: 'entity',
        entityRef: ['user:default/jane', 'group:default/cutover-approvers'],
      },
    );

    expect(teams.paths()).toEqual(['/approvers']);
    expect(teams.received[0].contentType).toBe('application/json');
    expect(teams.received[0].body).toEqual({
      type: 'message',
      summary: 'Cutover approval requested',
      attachments: [
        {
          contentType: 'application/vnd.microsoft.card.adaptive',
          contentUrl: null,
          content: {
            $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
            type: 'AdaptiveCard',
            version: '1.4',
            msteams: { width: 'Full' },
            body: [
              {
                type: 'Container',
                style: 'warning',
                bleed: true,
                items: [
                  {
                    type: 'TextBlock',
                    text: 'Cutover approval requested',
                    size: 'Large',
                    weight: 'Bolder',
                    wrap: true,
                  },
                  {
                    type: 'TextBlock',
                    text: 'HIGH',
                    color: 'Warning',
                    weight: 'Bolder',
                    spacing: 'None',
                  },
                ],
              },
              {
                type: 'TextBlock',
                text: 'Migration orders-db is ready for cutover.',
                wrap: true,
              },
              {
                type: 'FactSet',
                facts: [
                  { title: 'Severity', value: 'high' },
                  { title: 'Topic', value: 'approvals' },
                ],
              },
            ],
            actions: [
              {
                type: 'Action.OpenUrl',
                title: 'Open in Backstage',
                url: 'https://backstage.example.com/cutover/migrations/orders-db',
              },
            ],
          },
        },
      ],
    });
  });

  it('posts the exact card for a topic-matched notification', async () => {
    const processor = createProcessor();
    await post(
      processor,
      {
        title: 'Cutover started',
        link: 'https://elsewhere.example.com/runs/42',
        severity: 'critical',
        topic: 'cutover:started',
      },
      { type: 'broadcast' },
    );

    expect(teams.paths()).toEqual(['/cutover']);
    expect(teams.received[0].body.attachments[0].content).toEqual({
      $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
      type: 'AdaptiveCard',
      version: '1.4',
      msteams: { width: 'Full' },
      body: [
        {
          type: 'Container',
          style: 'attention',
          bleed: true,
          items: [
            {
              type: 'TextBlock',
              text: 'Cutover started',
              size: 'Large',
              weight: 'Bolder',
              wrap: true,
            },
            {
              type: 'TextBlock',
              text: 'CRITICAL',
              color: 'Attention',
              weight: 'Bolder',
              spacing: 'None',
            },
          ],
        },
        {
          type: 'FactSet',
          facts: [
            { title: 'Severity', value: 'critical' },
            { title: 'Topic', value: 'cutover:started' },
          ],
        },
      ],
      actions: [
        {
          type: 'Action.OpenUrl',
          title: 'Open in Backstage',
          url: 'https://elsewhere.example.com/runs/42',
        },
      ],
    });
  });

  it('maps the default severity to normal and omits missing links', async () => {
    const processor = createProcessor();
    await post(processor, { title: 'Plain', topic: 'cutover:x' });
    const content = teams.received[0].body.attachments[0].content;
    expect(content.body[0].style).toBe('accent');
    expect(content.body[0].items[1]).toMatchObject({
      text: 'NORMAL',
      color: 'Accent',
    });
    expect(content.body[1].facts[0]).toEqual({
      title: 'Severity',
      value: 'normal',
    });
    expect(content.actions).toBeUndefined();
  });

  it('posts once per webhook although postProcess runs for every recipient', async () => {
    const processor = createProcessor();
    const options = sendOptions(
      { title: 'T', topic: 'cutover:x' },
      { type: 'entity', entityRef: 'group:default/cutover-approvers' },
    );
    await processor.postProcess(
      { ...notification(options.payload), id: 'a' },
      options,
    );
    await processor.postProcess(
      {
        ...notification(options.payload),
        id: 'b',
        user: 'user:default/joe',
      },
      options,
    );
    await processor.idle();
    expect(teams.paths().sort()).toEqual(['/approvers', '/cutover']);
  });

  it('sends nothing when no webhook matches', async () => {
    const processor = createProcessor();
    await post(processor, { title: 'x', topic: 'other:thing' });
    await post(
      processor,
      { title: 'x' },
      { type: 'entity', entityRef: ['group:default/someone-else'] },
    );
    // broadcasts never match groups
    await post(
      processor,
      { title: 'x', topic: 'approvals' },
      {
        type: 'broadcast',
      },
    );
    // the topic glob needs the prefix
    await post(processor, { title: 'x', topic: 'cutover' });
    expect(teams.received).toEqual([]);
    expect(logger.error).not.toHaveBeenCalled();
  });

  it('sends nothing below minSeverity', async () => {
    const processor = createProcessor();
    await post(processor, {
      title: 'x',
      topic: 'incident',
      severity: 'normal',
    });
    await post(processor, { title: 'x', topic: 'incident', severity: 'low' });
    expect(teams.received).toEqual([]);

    await post(processor, { title: 'x', topic: 'incident', severity: 'high' });
    await post(processor, {
      title: 'y',
      topic: 'incident',
      severity: 'critical',
    });
    expect(teams.paths()).toEqual(['/incidents', '/incidents']);
  });

  it('retries and then succeeds after two 500s', async () => {
    const processor = createProcessor();
    teams.reply({ status: 500 }, { status: 500 });
    await post(processor, { title: 'retry me', topic: 'cutover:x' });
    expect(teams.received).toHaveLength(3);
    expect(
      teams.received.map(r => r.body.attachments[0].content.body[0].items[0]),
    ).toEqual(Array(3).fill(expect.objectContaining({ text: 'retry me' })));
    expect(logger.warn).toHaveBeenCalledTimes(2);
    expect(logger.error).not.toHaveBeenCalled();
    expect(logger.info).toHaveBeenCalledWith(
      expect.stringContaining('after 3 attempts'),
    );
  });

  it('gives up after the configured retries on persistent 503 and logs without the URL', async () => {
    const processor = MsTeamsNotificationProcessor.fromConfig(
      new ConfigReader({
        notifications: {
          processors: {
            msteams: {
              retries: 2,
              retryBaseMs: 5,
              webhooks: [{ url: teams.url(SECRET_PATH), topics: ['*'] }],
            },
          },
        },
      }),
      { logger },
    );
    teams.always({ status: 503 });
    await post(processor, { title: 'down', topic: 'anything' });

    expect(teams.paths()).toEqual([SECRET_PATH, SECRET_PATH, SECRET_PATH]);
    expect(logger.error).toHaveBeenCalledTimes(1);
    expect(logger.error).toHaveBeenCalledWith(
      'Failed to post notification n-1 to Microsoft Teams webhook #0 (127.0.0.1): HTTP 503; giving up after 3 attempts',
      { webhook: 0, host: '127.0.0.1' },
    );
    const logged = loggedText(logger);
    expect(logged).not.toContain(SECRET_PATH);
    expect(logged).not.toContain('secret-token');
    expect(logged).not.toContain(teams.url(''));
  });

  it('does not retry on 400', async () => {
    const processor = createProcessor();
    teams.always({ status: 400 });
    await post(processor, { title: 'bad', topic: 'cutover:x' });
    expect(teams.received).toHaveLength(1);
    expect(logger.warn).not.toHaveBeenCalled();
    expect(logger.error).toHaveBeenCalledWith(
      expect.stringContaining('HTTP 400; not retrying'),
      { webhook: 1, host: '127.0.0.1' },
    );
  });

  it('honours Retry-After on 429', async () => {
    const processor = createProcessor();
    teams.reply({ status: 429, headers: { 'Retry-After': '1' } });
    await post(processor, { title: 'throttled', topic: 'cutover:x' });
    expect(teams.received).toHaveLength(2);
    const waited = teams.received[1].at - teams.received[0].at;
    expect(waited).toBeGreaterThanOrEqual(950);
    expect(logger.warn).toHaveBeenCalledWith(
      expect.stringContaining('HTTP 429; retrying in 1000ms'),
    );
  });

  it('caps Retry-After at maxRetryAfterMs', async () => {
    const processor = createProcessor({ maxRetryAfterMs: 50 });
    teams.reply({ status: 503, headers: { 'Retry-After': '3600' } });
    const start = Date.now();
    await post(processor, { title: 'capped', topic: 'cutover:x' });
    expect(teams.received).toHaveLength(2);
    expect(Date.now() - start).toBeLessThan(1000);
  });

  it('retries on network errors and timeouts without logging the URL', async () => {
    const processor = MsTeamsNotificationProcessor.fromConfig(
      new ConfigReader({
        notifications: {
          processors: {
            msteams: {
              retries: 1,
              retryBaseMs: 5,
              timeoutMs: 100,
              webhooks: [
                // nothing listens on port 9 (discard) locally
                { url: `http://127.0.0.1:9${SECRET_PATH}`, topics: ['a'] },
                { url: teams.url(SECRET_PATH), topics: ['a'] },
              ],
            },
          },
        },
      }),
      { logger },
    );
    teams.always({ status: 200, delayMs: 500 });
    await post(processor, { title: 'x', topic: 'a' });
    expect(teams.received).toHaveLength(2);
    expect(logger.error).toHaveBeenCalledWith(
      expect.stringMatching(
        /webhook #0 \(127\.0\.0\.1\): network error .*giving up after 2 attempts/,
      ),
      { webhook: 0, host: '127.0.0.1' },
    );
    expect(logger.error).toHaveBeenCalledWith(
      expect.stringContaining(
        'webhook #1 (127.0.0.1): timed out after 100ms; giving up after 2 attempts',
      ),
      { webhook: 1, host: '127.0.0.1' },
    );
    expect(loggedText(logger)).not.toContain('secret-token');
  });

  it('returns from postProcess promptly while Teams is slow', async () => {
    const processor = createProcessor();
    teams.always({ status: 200, delayMs: 1000 });
    const n = notification({ title: 'slow', topic: 'cutover:x' });
    const start = Date.now();
    await processor.postProcess(
      n,
      sendOptions(n.payload, { type: 'broadcast' }),
    );
    expect(Date.now() - start).toBeLessThan(100);
    expect(teams.received).toEqual([]);

    await processor.idle();
    expect(Date.now() - start).toBeGreaterThanOrEqual(1000);
    expect(teams.paths()).toEqual(['/cutover']);
    expect(logger.error).not.toHaveBeenCalled();
  });

  it('never throws out of postProcess', async () => {
    const processor = MsTeamsNotificationProcessor.fromConfig(
      new ConfigReader({
        notifications: {
          processors: {
            msteams: {
              retries: 0,
              webhooks: [{ url: teams.url('/x'), topics: ['a'] }],
            },
          },
        },
      }),
      {
        logger,
        fetch: () => {
          throw new Error('boom');
        },
      },
    );
    await expect(
      processor.postProcess(notification({ topic: 'a' }), {
        recipients: { type: 'broadcast' },
        payload: { title: 'x' },
      }),
    ).resolves.toBeUndefined();
    await expect(
      processor.postProcess(undefined as any, undefined as any),
    ).resolves.toBeUndefined();
    await processor.idle();
    expect(logger.error).toHaveBeenCalledWith(
      expect.stringContaining(
        'network error Error; giving up after 1 attempts',
      ),
      { webhook: 0, host: '127.0.0.1' },
    );
    expect(logger.error).toHaveBeenCalledWith(
      expect.stringContaining('Failed to prepare Microsoft Teams message'),
    );
  });

  it('rejects invalid config without revealing the URL', () => {
    expect(() =>
      MsTeamsNotificationProcessor.fromConfig(
        new ConfigReader({
          notifications: {
            processors: {
              msteams: { webhooks: [{ url: 'not a url secret-token' }] },
            },
          },
        }),
        { logger },
      ),
    ).toThrow(
      'Invalid notifications.processors.msteams.webhooks[0].url: not a valid URL',
    );
    expect(() =>
      createProcessor({
        webhooks: [{ url: teams.url('/x'), minSeverity: 'urgent' }],
      }),
    ).toThrow(/minSeverity 'urgent'/);
  });
});
