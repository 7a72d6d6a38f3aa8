import { LoggerService } from '@backstage/backend-plugin-api';
import { NotificationService } from '@backstage/plugin-notifications-node';
import type { Migration } from '@switchyard/plugin-cutover-common';

/** The path of an entity tab in the portal, e.g. /catalog/default/component/orders-service/readiness. */
export function entityTabLink(entityRef: string, tab: string): string {
  const match = /^([^:]+):(?:([^/]+)\/)?(.+)$/.exec(entityRef);
  if (!match) return '/catalog';
  const [, kind, namespace = 'default', name] = match;
  return `/catalog/${namespace}/${kind.toLowerCase()}/${name}/${tab}`;
}

/** A notification about a migration. */
export interface MigrationNotification {
  recipients: string[];
  title: string;
  description: string;
  severity: 'critical' | 'high' | 'normal' | 'low';
  /** The migration's tab the notification links to (on its first entity)… */
  tab?: string;
  /** …or a link of its own. */
  link?: string;
  /** Default `cutover:<migrationId>`. */
  topic?: string;
  scope?: string;
}

/**
 * Sends a notification about a migration through Backstage notifications. It never throws: a
 * notification that can't be delivered must not undo what it reports (that is in the audit trail).
 * Returns the delivery error, if any, for callers that record it.
 */
export async function notifyAboutMigration(
  deps: { notifications?: NotificationService; logger?: LoggerService },
  migration: Migration,
  n: MigrationNotification,
): Promise<string | null> {
  if (!deps.notifications || !n.recipients.length) return null;
  const entity = migration.entityRefs[0];
  let link = n.link;
  if (!link && n.tab && entity) link = entityTabLink(entity, n.tab);
  try {
    await deps.notifications.send({
      recipients: { type: 'entity', entityRef: n.recipients },
      payload: {
        title: n.title,
        description: n.description,
        severity: n.severity,
        link,
        topic: n.topic ?? `cutover:${migration.id}`,
        ...(n.scope ? { scope: n.scope } : {}),
      },
    });
    return null;
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    deps.logger?.warn(
      `Could not send the notification "${n.title}" of ${migration.id}: ${message}`,
    );
    return message;
  }
}

/**
 * `notifyAboutMigration` for a service whose notifications all link to one tab of the migration:
 * `(recipients, migration, { title, description, severity })`.
 */
export function tabNotifier(
  deps: { notifications?: NotificationService; logger?: LoggerService },
  tab: string,
) {
  return async (
    recipients: string[],
    migration: Migration,
    payload: Pick<MigrationNotification, 'title' | 'description' | 'severity'>,
  ): Promise<void> => {
    await notifyAboutMigration(deps, migration, {
      ...payload,
      recipients,
      tab,
    });
  };
}
