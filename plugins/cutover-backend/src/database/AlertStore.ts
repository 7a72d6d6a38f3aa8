import type { Alert, AlertNote, AlertSeverity } from '@switchyard/plugin-cutover-common';
import { Knex } from 'knex';
import { iso, json } from './columnValues';

/** A new alert, before it is stored. */
export interface NewAlert {
  id: string;
  migrationId: string;
  alertType: Alert['alertType'];
  severity: AlertSeverity;
  title: string;
  message: string | null;
  dataset: string | null;
  recordId: string | null;
  source: Alert['source'];
  ruleKey: string | null;
  createdBy: string;
  createdAt: number;
  targetResolutionTime: number;
}

/** Alerts of migrations. The only place with their SQL. */
export class AlertStore {
  constructor(private readonly db: Knex | Knex.Transaction) {}

  /** Inserts an alert; with a rule key, only when no alert of that rule is open (returns false). */
  async insert(alert: NewAlert): Promise<boolean> {
    const row = {
      id: alert.id,
      migration_id: alert.migrationId,
      alert_type: alert.alertType,
      severity: alert.severity,
      title: alert.title,
      message: alert.message,
      dataset: alert.dataset,
      record_id: alert.recordId,
      status: 'OPEN',
      source: alert.source,
      rule_key: alert.ruleKey,
      created_at: alert.createdAt,
      created_by: alert.createdBy,
      target_resolution_time: alert.targetResolutionTime,
    };
    if (!alert.ruleKey) {
      await this.db('cutover_alerts').insert(row);
      return true;
    }
    const open = await this.db('cutover_alerts')
      .where({ migration_id: alert.migrationId, rule_key: alert.ruleKey, status: 'OPEN' })
      .first('id');
    if (open) return false;
    try {
      // In a savepoint: a refused insert must not abort the caller's transaction (PostgreSQL).
      await this.db.transaction(sp => sp('cutover_alerts').insert(row));
      return true;
    } catch (e) {
      // The partial unique index refused a concurrent twin: the rule's alert is already open.
      if (/unique|duplicate/i.test(String((e as Error).message))) return false;
      throw e;
    }
  }

  async get(migrationId: string, id: string): Promise<Alert | undefined> {
    const row = await this.db('cutover_alerts').where({ migration_id: migrationId, id }).first();
    return row ? toAlert(row) : undefined;
  }

  async list(
    migrationId: string,
    filter: { severity?: string; status?: string; assignee?: string },
  ): Promise<Alert[]> {
    const q = this.db('cutover_alerts').where({ migration_id: migrationId }).orderBy('created_at', 'desc').orderBy('id');
    if (filter.severity) q.where('severity', filter.severity);
    if (filter.status) q.where('status', filter.status);
    if (filter.assignee) q.where('assigned_to', filter.assignee.toLocaleLowerCase('en-US'));
    return (await q).map(toAlert);
  }

  async openRuleKeys(migrationId: string): Promise<Map<string, string>> {
    const rows = await this.db('cutover_alerts')
      .where({ migration_id: migrationId, status: 'OPEN' })
      .whereNotNull('rule_key')
      .select('id', 'rule_key');
    return new Map(rows.map(r => [r.rule_key, r.id]));
  }

  async update(migrationId: string, id: string, fields: Record<string, unknown>): Promise<void> {
    await this.db('cutover_alerts').where({ migration_id: migrationId, id }).update(fields);
  }

  async addNote(migrationId: string, id: string, note: AlertNote): Promise<void> {
    const row = await this.db('cutover_alerts').where({ migration_id: migrationId, id }).first('notes');
    const notes = parseNotes(row?.notes);
    notes.push(note);
    await this.update(migrationId, id, { notes: JSON.stringify(notes) });
  }

  /** Open alerts past their deadline whose escalation is due, across migrations. */
  async dueForEscalation(now: number): Promise<Alert[]> {
    const rows = await this.db('cutover_alerts')
      .where('status', 'OPEN')
      .where('target_resolution_time', '<=', now)
      .where('escalation_level', '<', 2)
      .orderBy('target_resolution_time');
    return rows.map(toAlert);
  }

  /** Moves an alert to the next escalation level, once: concurrent runners can't both do it. */
  async claimEscalation(id: string, fromLevel: number, now: number): Promise<boolean> {
    const updated = await this.db('cutover_alerts')
      .where({ id, escalation_level: fromLevel, status: 'OPEN' })
      .update({ escalation_level: fromLevel + 1, last_escalated_at: now });
    return updated > 0;
  }
}

function parseNotes(v: unknown): AlertNote[] {
  return json<AlertNote[]>(v, []);
}


function toAlert(r: any): Alert {
  return {
    id: r.id,
    migrationId: r.migration_id,
    alertType: r.alert_type,
    severity: r.severity,
    title: r.title,
    message: r.message ?? null,
    dataset: r.dataset ?? null,
    recordId: r.record_id ?? null,
    status: r.status,
    source: r.source,
    ruleKey: r.rule_key ?? null,
    createdAt: iso(r.created_at)!,
    createdBy: r.created_by,
    targetResolutionTime: iso(r.target_resolution_time)!,
    assignedTo: r.assigned_to ?? null,
    resolvedAt: iso(r.resolved_at),
    resolvedBy: r.resolved_by ?? null,
    resolution: r.resolution ?? null,
    notes: parseNotes(r.notes),
    escalationLevel: Number(r.escalation_level ?? 0),
  };
}
