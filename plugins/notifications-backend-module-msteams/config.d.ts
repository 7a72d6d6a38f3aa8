export interface Config {
  notifications?: {
    processors?: {
      /**
       * Posts notifications to Microsoft Teams incoming webhooks
       * (`@switchyard/plugin-notifications-backend-module-msteams`).
       */
      msteams?: {
        /**
         * Incoming webhooks. A notification is posted to every webhook it matches:
         * any of `groups` is among its entity recipients, or its topic matches one of `topics`.
         */
        webhooks?: Array<{
          /**
           * Incoming webhook URL of the Teams channel (Workflows or connector webhook).
           * @visibility secret
           */
          url: string;
          /**
           * Entity refs (e.g. `group:default/cutover-approvers`); matches notifications sent
           * to an entity recipient list that contains one of them. Broadcasts never match groups.
           */
          groups?: string[];
          /**
           * Topics to match against the notification topic; a trailing `*` matches any suffix
           * (e.g. `cutover:*`).
           */
          topics?: string[];
          /**
           * Skip notifications with a lower severity. Default `low` (everything).
           */
          minSeverity?: 'critical' | 'high' | 'normal' | 'low';
        }>;
        /** Retries after a failed post (network error, timeout, 429 or 5xx). Default 3. */
        retries?: number;
        /** Base delay of the exponential backoff (with jitter) in milliseconds. Default 500. */
        retryBaseMs?: number;
        /** Upper bound for a `Retry-After` delay in milliseconds. Default 30000. */
        maxRetryAfterMs?: number;
        /** Timeout of one post in milliseconds. Default 5000. */
        timeoutMs?: number;
      };
    };
  };
}
