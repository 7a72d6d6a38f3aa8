import { Config } from '@backstage/config';
import { NotificationSeverity } from '@backstage/plugin-notifications-common';

/** Severities from lowest to highest. */
export const SEVERITY_ORDER: readonly NotificationSeverity[] = [
  'low',
  'normal',
  'high',
  'critical',
];

/** One configured webhook. The URL is a secret: never log it. */
export interface MsTeamsWebhook {
  index: number;
  url: string;
  /** Hostname only, safe to log. */
  host: string;
  /** Lower-cased entity refs. */
  groups: string[];
  topics: string[];
  minSeverity: NotificationSeverity;
}

export interface MsTeamsProcessorConfig {
  webhooks: MsTeamsWebhook[];
  retries: number;
  retryBaseMs: number;
  maxRetryAfterMs: number;
  timeoutMs: number;
  baseUrl?: string;
}

export const CONFIG_ROOT = 'notifications.processors.msteams';

function readNonNegative(
  config: Config | undefined,
  key: string,
  fallback: number,
): number {
  const value = config?.getOptionalNumber(key);
  if (value === undefined) {
    return fallback;
  }
  if (!Number.isFinite(value) || value < 0) {
    throw new Error(
      `Invalid ${CONFIG_ROOT}.${key}: must be a non-negative number`,
    );
  }
  return value;
}

function isSeverity(value: string): value is NotificationSeverity {
  return (SEVERITY_ORDER as readonly string[]).includes(value);
}

export function readProcessorConfig(
  rootConfig: Config,
): MsTeamsProcessorConfig {
  const config = rootConfig.getOptionalConfig(CONFIG_ROOT);
  const webhooks = (config?.getOptionalConfigArray('webhooks') ?? []).map(
    (webhookConfig, index): MsTeamsWebhook => {
      const where = `${CONFIG_ROOT}.webhooks[${index}]`;
      const url = webhookConfig.getString('url');
      let parsed: URL;
      try {
        parsed = new URL(url);
      } catch {
        // never include the (secret) value in the message
        throw new Error(`Invalid ${where}.url: not a valid URL`);
      }
      if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
        throw new Error(`Invalid ${where}.url: must be an http(s) URL`);
      }
      const minSeverity =
        webhookConfig.getOptionalString('minSeverity') ?? 'low';
      if (!isSeverity(minSeverity)) {
        throw new Error(
          `Invalid ${where}.minSeverity '${minSeverity}': expected one of ${SEVERITY_ORDER.join(
            ', ',
          )}`,
        );
      }
      return {
        index,
        url,
        host: parsed.hostname,
        groups: (webhookConfig.getOptionalStringArray('groups') ?? []).map(g =>
          g.toLocaleLowerCase('en-US'),
        ),
        topics: webhookConfig.getOptionalStringArray('topics') ?? [],
        minSeverity,
      };
    },
  );

  return {
    webhooks,
    retries: Math.floor(readNonNegative(config, 'retries', 3)),
    retryBaseMs: readNonNegative(config, 'retryBaseMs', 500),
    maxRetryAfterMs: readNonNegative(config, 'maxRetryAfterMs', 30_000),
    timeoutMs: readNonNegative(config, 'timeoutMs', 5_000),
    baseUrl: rootConfig.getOptionalString('app.baseUrl'),
  };
}
