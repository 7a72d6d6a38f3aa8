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

/** How much an audited action matters. */
export type AuditSeverity = 'low' | 'medium' | 'high' | 'critical';

const HIGH = [
  /^rollback\./,
  /^reconciliation\.auto-rollback/,
  /^migration\.(archive|restore|delete)/,
  /^snapshot\.delete/,
  /^approval\./,
  /override/,
  /^migration\.govern/,
];

/** Rollbacks, deletions, restores, overrides and approval decisions are high; the rest medium. */
export function severityOf(action: string): AuditSeverity {
  return HIGH.some(r => r.test(action)) ? 'high' : 'medium';
}

/**
 * Records every change twice: through Backstage's auditor (for the platform's audit pipeline) and
 * in the plugin's own table (for `GET /migrations/:id/audit` and the CSV export). Refused requests
 * are recorded too, as failures: an owner sees who tried to roll back their tables.
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
    options: { severity?: AuditSeverity } = {},
  ) {
    const severity = options.severity ?? severityOf(change.action);
    const event = await store.appendAudit(
      {
        migrationId: change.migrationId,
        actor: caller.actor,
        action: change.action,
        target: change.target ?? null,
        before: change.before,
        after: change.after,
        requestId: caller.requestId ?? null,
        outcome: 'success',
        severity,
      },
      this.clock.now(),
    );
    const auditorEvent = await this.auditorEvent(change, severity, req, {
      auditEventId: event.id,
    });
    await auditorEvent?.success();
    return event;
  }

  /** The event of a change in Backstage's auditor, when there is one. */
  private async auditorEvent(
    change: { migrationId?: string; action: string; target?: string | null },
    severity: AuditSeverity,
    req: Request | undefined,
    meta: Record<string, unknown>,
  ) {
    return this.auditor?.createEvent({
      eventId: auditorEventId(change.action),
      severityLevel: severity,
      request: req,
      meta: {
        migrationId: change.migrationId,
        target: change.target ?? undefined,
        ...meta,
      },
    });
  }

  /**
   * Records a refused request: always through the auditor, and in the migration's own trail when
   * the request named a migration that exists (`store` given). Never throws: a refusal is answered
   * whether or not it could be recorded.
   */
  async refused(
    store: CutoverStore | undefined,
    caller: { actor: string; requestId?: string | null },
    change: {
      migrationId?: string;
      action: string;
      target?: string | null;
      after?: unknown;
    },
    error: Error,
    req?: Request,
  ): Promise<void> {
    const severity = severityOf(change.action);
    try {
      if (store && change.migrationId) {
        await store.appendAudit(
          {
            migrationId: change.migrationId,
            actor: caller.actor,
            action: change.action,
            target: change.target ?? null,
            after: {
              refused: `${error.name}: ${error.message}`.slice(0, 2000),
              ...(change.after ? { request: change.after } : {}),
            },
            requestId: caller.requestId ?? null,
            outcome: 'failure',
            severity,
          },
          this.clock.now(),
        );
      }
      const auditorEvent = await this.auditorEvent(change, severity, req, {
        refused: true,
      });
      await auditorEvent?.fail({ error });
    } catch {
      // The answer to the caller does not depend on the audit trail of its refusal.
    }
  }
}

function auditorEventId(action: string) {
  return `cutover-${action.replace(/[^a-z0-9]+/gi, '-').toLowerCase()}`;
}
