import type {
  OperationSchedule,
  ScheduledOperation,
  ScheduledRunStatus,
} from '@switchyard/plugin-cutover-common';
import { Knex } from 'knex';
import { iso, json, numOrNull } from './columnValues';

/** A scheduled operation as the dispatcher needs it. */
export interface StoredOperationSchedule extends OperationSchedule {
  anchorAt: number;
  nextRunMs: number | null;
}

/** The outcome of one run, as recorded on its schedule. */
export interface OperationRunRecord {
  status: ScheduledRunStatus;
  error: string | null;
  targetId?: string | null;
}

const TABLE = 'cutover_operation_schedules';

/** Scheduled snapshots and reconciliations. The only place with their SQL. */
export class OperationScheduleStore {
  constructor(private readonly db: Knex | Knex.Transaction) {}

  async insert(s: {
    id: string;
    migrationId: string;
    operation: ScheduledOperation;
    name: string;
    frequency: string;
    dayOfWeek: number | null;
    dayOfMonth: number | null;
    time: string;
    timezone: string;
    datasets: string[] | null;
    retentionDays: number | null;
    enabled: boolean;
    createdAt: number;
    createdBy: string;
    nextRunAt: number | null;
  }) {
    await this.db(TABLE).insert({
      id: s.id,
      migration_id: s.migrationId,
      operation: s.operation,
      name: s.name,
      frequency: s.frequency,
      day_of_week: s.dayOfWeek,
      day_of_month: s.dayOfMonth,
      time: s.time,
      timezone: s.timezone,
      datasets: s.datasets ? JSON.stringify(s.datasets) : null,
      retention_days: s.retentionDays,
      enabled: s.enabled,
      created_at: s.createdAt,
      created_by: s.createdBy,
      anchor_at: s.createdAt,
      next_run_at: s.nextRunAt,
    });
  }

  async get(
    migrationId: string,
    operation: ScheduledOperation,
    id: string,
  ): Promise<StoredOperationSchedule | undefined> {
    const row = await this.db(TABLE)
      .where({ migration_id: migrationId, operation, id })
      .first();
    return row ? toSchedule(row) : undefined;
  }

  async list(
    migrationId: string,
    operation?: ScheduledOperation,
  ): Promise<StoredOperationSchedule[]> {
    const q = this.db(TABLE)
      .where({ migration_id: migrationId })
      .orderBy('created_at')
      .orderBy('id');
    if (operation) q.where({ operation });
    return (await q).map(toSchedule);
  }

  async update(
    id: string,
    patch: { name?: string; enabled?: boolean; nextRunAt?: number | null },
  ) {
    const row: Record<string, unknown> = {};
    if (patch.name !== undefined) row.name = patch.name;
    if (patch.enabled !== undefined) row.enabled = patch.enabled;
    if (patch.nextRunAt !== undefined) row.next_run_at = patch.nextRunAt;
    if (Object.keys(row).length) await this.db(TABLE).where({ id }).update(row);
  }

  async delete(id: string): Promise<boolean> {
    return (await this.db(TABLE).where({ id }).delete()) > 0;
  }

  /** Enabled schedules whose slot has come, of migrations that are not archived. */
  async due(now: number): Promise<StoredOperationSchedule[]> {
    const rows = await this.db(`${TABLE} as s`)
      .join('cutover_migrations as m', 'm.id', 's.migration_id')
      .whereNull('m.archived_at')
      .where('s.enabled', true)
      .whereNotNull('s.next_run_at')
      .where('s.next_run_at', '<=', now)
      .orderBy('s.next_run_at')
      .select('s.*');
    return rows.map(toSchedule);
  }

  /** Schedules whose last run started a job that has not been settled yet. */
  async started(): Promise<StoredOperationSchedule[]> {
    const rows = await this.db(TABLE)
      .where({ last_status: 'STARTED' })
      .whereNotNull('last_target_id');
    return rows.map(toSchedule);
  }

  /**
   * Claims the slot `slot` by moving the schedule to `next`: a conditional update, so of two
   * dispatchers racing for the same slot exactly one sees a changed row.
   */
  async claimSlot(
    id: string,
    slot: number,
    next: number,
    now: number,
  ): Promise<boolean> {
    const changed = await this.db(TABLE)
      .where({ id, next_run_at: slot, enabled: true })
      .update({ next_run_at: next, last_run_at: now, last_trigger: 'SCHEDULE' });
    return changed === 1;
  }

  /** A manual run: recorded as the last run, the next slot stays. */
  async markManualRun(id: string, now: number) {
    await this.db(TABLE)
      .where({ id })
      .update({ last_run_at: now, last_trigger: 'MANUAL' });
  }

  /** Records how a run went; failures count up until the next success. */
  async record(id: string, run: OperationRunRecord) {
    const row: Record<string, unknown> = {
      last_status: run.status,
      last_error: run.error,
    };
    if (run.targetId !== undefined) row.last_target_id = run.targetId;
    if (run.status === 'STARTED') row.run_count = this.db.raw('run_count + 1');
    if (run.status === 'SUCCEEDED') row.consecutive_failures = 0;
    if (run.status === 'FAILED' || run.status === 'MISSED')
      row.consecutive_failures = this.db.raw('consecutive_failures + 1');
    await this.db(TABLE).where({ id }).update(row);
  }

  /**
   * Settles a started run once: moves STARTED to the job's outcome only if the schedule still
   * points at that job (of two dispatchers, one settles it and raises its alert).
   */
  async settle(
    id: string,
    targetId: string,
    status: 'SUCCEEDED' | 'FAILED',
    error: string | null,
  ): Promise<boolean> {
    const changed = await this.db(TABLE)
      .where({ id, last_status: 'STARTED', last_target_id: targetId })
      .update({
        last_status: status,
        last_error: error,
        consecutive_failures:
          status === 'SUCCEEDED' ? 0 : this.db.raw('consecutive_failures + 1'),
      });
    return changed === 1;
  }
}

function toSchedule(row: any): StoredOperationSchedule {
  const nextRunMs = numOrNull(row.next_run_at);
  return {
    id: row.id,
    migrationId: row.migration_id,
    operation: row.operation,
    name: row.name,
    frequency: row.frequency,
    dayOfWeek: row.day_of_week ?? null,
    dayOfMonth: row.day_of_month ?? null,
    time: row.time,
    timezone: row.timezone,
    datasets: json<string[] | null>(row.datasets, null),
    retentionDays: numOrNull(row.retention_days),
    enabled: !!row.enabled,
    createdAt: iso(row.created_at)!,
    createdBy: row.created_by,
    nextRunAt: row.enabled ? iso(nextRunMs) : null,
    lastRunAt: iso(row.last_run_at),
    lastTrigger: row.last_trigger ?? null,
    lastStatus: row.last_status ?? null,
    lastError: row.last_error ?? null,
    lastTargetId: row.last_target_id ?? null,
    runCount: Number(row.run_count ?? 0),
    consecutiveFailures: Number(row.consecutive_failures ?? 0),
    anchorAt: Number(row.anchor_at),
    nextRunMs,
  };
}
