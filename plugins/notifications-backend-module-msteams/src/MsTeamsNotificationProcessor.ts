import { LoggerService } from '@backstage/backend-plugin-api';
import { Config } from '@backstage/config';
import {
  Notification,
  NotificationSeverity,
} from '@backstage/plugin-notifications-common';
import {
  NotificationProcessor,
  NotificationSendOptions,
} from '@backstage/plugin-notifications-node';
import { absoluteLink, buildTeamsMessage } from './card';
import {
  MsTeamsProcessorConfig,
  MsTeamsWebhook,
  readProcessorConfig,
  SEVERITY_ORDER,
} from './config';

/**
 * Options of {@link MsTeamsNotificationProcessor.fromConfig}.
 *
 * @public
 */
export interface MsTeamsNotificationProcessorOptions {
  logger: LoggerService;
  /** The fetch implementation to post with; defaults to the global `fetch`. */
  fetch?: typeof fetch;
}

type Attempt =
  | { outcome: 'sent' }
  | { outcome: 'fatal'; reason: string }
  | { outcome: 'retry'; reason: string; retryAfterMs?: number };

const MAX_BACKOFF_MS = 60_000;

function severityRank(severity: NotificationSeverity): number {
  return SEVERITY_ORDER.indexOf(severity);
}

function topicMatches(pattern: string, topic: string): boolean {
  if (pattern.endsWith('*')) {
    return topic.startsWith(pattern.slice(0, -1));
  }
  return pattern === topic;
}

function toArray(value: string | string[] | undefined): string[] {
  if (value === undefined) {
    return [];
  }
  return Array.isArray(value) ? value : [value];
}

function parseRetryAfter(value: string | null): number | undefined {
  if (!value) {
    return undefined;
  }
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) {
    return Number(trimmed) * 1000;
  }
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) {
    return undefined;
  }
  return Math.max(0, date - Date.now());
}

function sleep(ms: number): Promise<void> {
  return new Promise(resolve => setTimeout(resolve, ms));
}

/**
 * A notification processor that posts notifications to Microsoft Teams incoming webhooks.
 *
 * @remarks
 *
 * Posting happens in `postProcess`, after the notification has been stored, and in the
 * background: `postProcess` only starts the delivery and returns. Failed posts are retried with
 * exponential backoff (network errors, timeouts, 429 and 5xx; `Retry-After` is honoured up to
 * `maxRetryAfterMs`), other 4xx responses are not retried. Failures are logged with the index and
 * host of the webhook, never with its (secret) URL. `postProcess` is called once per recipient
 * user with the same send options; each notification request is posted once per webhook.
 *
 * @public
 */
export class MsTeamsNotificationProcessor implements NotificationProcessor {
  private readonly config: MsTeamsProcessorConfig;
  private readonly logger: LoggerService;
  private readonly fetchFn: typeof fetch;
  private readonly pending = new Set<Promise<void>>();
  private readonly handled = new WeakSet<NotificationSendOptions>();

  /**
   * Creates the processor from the root config (`notifications.processors.msteams` and
   * `app.baseUrl`). Throws if the configuration is invalid.
   */
  static fromConfig(
    config: Config,
    options: MsTeamsNotificationProcessorOptions,
  ): MsTeamsNotificationProcessor {
    return new MsTeamsNotificationProcessor(
      readProcessorConfig(config),
      options.logger,
      options.fetch ?? ((input, init) => fetch(input, init)),
    );
  }

  private constructor(
    config: MsTeamsProcessorConfig,
    logger: LoggerService,
    fetchFn: typeof fetch,
  ) {
    this.config = config;
    this.logger = logger;
    this.fetchFn = fetchFn;
    for (const webhook of config.webhooks) {
      if (webhook.groups.length === 0 && webhook.topics.length === 0) {
        logger.warn(
          `Microsoft Teams webhook #${webhook.index} (${webhook.host}) has neither groups nor topics and will never be used`,
        );
      }
    }
  }

  getName(): string {
    return 'msteams';
  }

  async postProcess(
    notification: Notification,
    options: NotificationSendOptions,
  ): Promise<void> {
    try {
      // postProcess runs once per recipient user with the same options object;
      // post each notification request only once.
      if (this.handled.has(options)) {
        return;
      }
      this.handled.add(options);

      const webhooks = this.matchingWebhooks(notification, options);
      if (webhooks.length === 0) {
        return;
      }
      const { payload } = notification;
      const message = buildTeamsMessage({
        title: payload.title,
        description: payload.description,
        link: absoluteLink(payload.link, this.config.baseUrl),
        severity: payload.severity ?? 'normal',
        topic: payload.topic,
      });
      const body = JSON.stringify(message);
      for (const webhook of webhooks) {
        this.track(this.deliver(webhook, body, notification.id));
      }
    } catch (error) {
      this.logger.error(
        `Failed to prepare Microsoft Teams message for notification ${
          notification?.id
        }: ${String(error)}`,
      );
    }
  }

  /**
   * Resolves when all deliveries started so far (including their retries) have finished.
   * Never rejects.
   */
  async idle(): Promise<void> {
    while (this.pending.size > 0) {
      await Promise.allSettled([...this.pending]);
    }
  }

  private matchingWebhooks(
    notification: Notification,
    options: NotificationSendOptions,
  ): MsTeamsWebhook[] {
    const { payload } = notification;
    const rank = severityRank(payload.severity ?? 'normal');
    const topic = payload.topic;
    const recipients = options.recipients;
    const refs = new Set(
      recipients.type === 'entity'
        ? toArray(recipients.entityRef).map(r => r.toLocaleLowerCase('en-US'))
        : [],
    );
    return this.config.webhooks.filter(webhook => {
      if (rank < severityRank(webhook.minSeverity)) {
        return false;
      }
      const groupMatch = webhook.groups.some(group => refs.has(group));
      const topicMatch =
        topic !== undefined &&
        webhook.topics.some(pattern => topicMatches(pattern, topic));
      return groupMatch || topicMatch;
    });
  }

  private track(promise: Promise<void>) {
    const tracked = promise
      .catch(error => {
        this.logger.error(
          `Unexpected error while posting to Microsoft Teams: ${String(error)}`,
        );
      })
      .finally(() => {
        this.pending.delete(tracked);
      });
    this.pending.add(tracked);
  }

  private async deliver(
    webhook: MsTeamsWebhook,
    body: string,
    notificationId: string,
  ): Promise<void> {
    const { retries } = this.config;
    const target = `Microsoft Teams webhook #${webhook.index} (${webhook.host})`;
    for (let attempt = 0; ; attempt++) {
      const result = await this.attempt(webhook, body);
      if (result.outcome === 'sent') {
        if (attempt > 0) {
          this.logger.info(
            `Posted notification ${notificationId} to ${target} after ${
              attempt + 1
            } attempts`,
          );
        }
        return;
      }
      if (result.outcome === 'fatal') {
        this.logger.error(
          `Failed to post notification ${notificationId} to ${target}: ${result.reason}; not retrying`,
          { webhook: webhook.index, host: webhook.host },
        );
        return;
      }
      if (attempt >= retries) {
        this.logger.error(
          `Failed to post notification ${notificationId} to ${target}: ${
            result.reason
          }; giving up after ${attempt + 1} attempts`,
          { webhook: webhook.index, host: webhook.host },
        );
        return;
      }
      const delay =
        result.retryAfterMs !== undefined
          ? Math.min(result.retryAfterMs, this.config.maxRetryAfterMs)
          : this.backoff(attempt);
      this.logger.warn(
        `Failed to post notification ${notificationId} to ${target}: ${
          result.reason
        }; retrying in ${Math.round(delay)}ms (attempt ${attempt + 1} of ${
          retries + 1
        })`,
      );
      await sleep(delay);
    }
  }

  private backoff(attempt: number): number {
    const exponential = Math.min(
      this.config.retryBaseMs * 2 ** attempt,
      MAX_BACKOFF_MS,
    );
    // "equal jitter": between half and the full exponential delay
    return exponential / 2 + Math.random() * (exponential / 2);
  }

  private async attempt(
    webhook: MsTeamsWebhook,
    body: string,
  ): Promise<Attempt> {
    const { timeoutMs } = this.config;
    try {
      const response = await this.fetchFn(webhook.url, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body,
        signal: AbortSignal.timeout(timeoutMs),
      });
      // drain the body so the connection can be reused
      await response.text().catch(() => undefined);
      if (response.ok) {
        return { outcome: 'sent' };
      }
      const reason = `HTTP ${response.status}`;
      if (response.status === 429 || response.status >= 500) {
        return {
          outcome: 'retry',
          reason,
          retryAfterMs: parseRetryAfter(response.headers.get('retry-after')),
        };
      }
      return { outcome: 'fatal', reason };
    } catch (error) {
      return { outcome: 'retry', reason: this.describeError(error, webhook) };
    }
  }

  /** Describes a fetch error without the webhook URL. */
  private describeError(error: unknown, webhook: MsTeamsWebhook): string {
    const err = error as { name?: string; cause?: { code?: string } };
    if (err?.name === 'TimeoutError' || err?.name === 'AbortError') {
      return `timed out after ${this.config.timeoutMs}ms`;
    }
    const code = err?.cause?.code;
    const text = code ? `network error ${code}` : `network error ${err?.name}`;
    return text.split(webhook.url).join('<redacted>');
  }
}
