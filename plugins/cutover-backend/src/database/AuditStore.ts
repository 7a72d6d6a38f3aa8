import type { AuditEvent } from '@switchyard/plugin-cutover-common';
import { Knex } from 'knex';
import { iso, json } from './columnValues';
import { NewAuditEvent } from './CutoverStore';

/** The migrations' own audit trail. */
export class AuditStore {
  constructor(private readonly db: Knex | Knex.Transaction) {}

  async appendAudit(event: NewAuditEvent, now: number): Promise<AuditEvent> {
    const row = {
      migration_id: event.migrationId,
      at: now,
      actor: event.actor,
      action: event.action,
      target: event.target ?? null,
      before: event.before === undefined ? null : JSON.stringify(event.before),
      after: event.after === undefined ? null : JSON.stringify(event.after),
      request_id: event.requestId ?? null,
      outcome: event.outcome ?? 'success',
      severity: event.severity ?? 'medium',
    };
    const [inserted] = await this.db('cutover_audit_events').insert(row, [
      'id',
    ]);
    const id = typeof inserted === 'object' ? inserted.id : inserted;
    return toAuditEvent({ ...row, id });
  }

  async listAudit(
    migrationId: string,
    page: { limit: number; afterId?: number },
  ) {
    const query = this.db('cutover_audit_events')
      .where({ migration_id: migrationId })
      .orderBy('id', 'desc')
      .limit(page.limit);
    if (page.afterId !== undefined) query.where('id', '<', page.afterId);
    const [rows, [{ count }]] = await Promise.all([
      query,
      this.db('cutover_audit_events')
        .where({ migration_id: migrationId })
        .count({ count: '*' }),
    ]);
    return { items: rows.map(toAuditEvent), totalCount: Number(count) };
  }
}
function toAuditEvent(row: any): AuditEvent {
  return {
    id: String(row.id),
    migrationId: row.migration_id,
    at: iso(row.at)!,
    actor: row.actor,
    action: row.action,
    target: row.target ?? null,
    before: json(row.before, null),
    after: json(row.after, null),
    requestId: row.request_id ?? null,
    outcome: row.outcome === 'failure' ? 'failure' : 'success',
    severity: row.severity ?? 'medium',
  };
}
