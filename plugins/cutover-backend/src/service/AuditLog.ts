import type { CutoverClock } from '@switchyard/plugin-cutover-node';
import { AuditorService } from '@backstage/backend-plugin-api';
import { Request } from 'express';
import { CutoverStore } from '../database/CutoverStore';
import { Caller } from './access';

/** What changed, for the audit trail. */
export interface AuditChange {
  migrationId: string;
  action: string;
  target?: string | null;
  before?: unknown;
  after?: unknown;
}

/**
 * Records every change twice: through Backstage's auditor (for the platform's audit pipeline) and
 * in the plugin's own table (for `GET /migrations/:id/audit` and the CSV export).
 */
export class AuditLog {
  constructor(
    private readonly auditor: AuditorService | undefined,
    private readonly clock: CutoverClock,
  ) {}

  async record(
    store: CutoverStore,
    caller: Caller | { actor: string; requestId?: string | null },
    change: AuditChange,
    req?: Request,
  ) {
    const event = await store.appendAudit(
      {
        migrationId: change.migrationId,
        actor: caller.actor,
        action: change.action,
        target: change.target ?? null,
        before: change.before,
        after: change.after,
        requestId: caller.requestId ?? null,
      },
      this.clock.now(),
    );
    if (this.auditor) {
      const auditorEvent = await this.auditor.createEvent({
        eventId: `cutover-${change.action
          .replace(/[^a-z0-9]+/gi, '-')
          .toLowerCase()}`,
        severityLevel: 'medium',
        request: req,
        meta: {
          migrationId: change.migrationId,
          target: change.target ?? undefined,
          auditEventId: event.id,
        },
      });
      await auditorEvent.success();
    }
    return event;
  }
}
