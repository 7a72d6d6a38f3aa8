import type {
  OperationSchedule,
  ScheduledOperation,
  ScheduledRunStatus,
} from '@switchyard/plugin-cutover-common';
import { Knex } from 'knex';
import { json, numOrNull } from './columnValues';
import type { ScheduleInsert, SchedulePatch } from './ScheduleTable';
import { ScheduleTable, scheduleState, scheduleTiming } from './ScheduleTable';

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
  private readonly rows: ScheduleTable;

  constructor(private readonly db: Knex | Knex.Transaction) {
    this.rows = new ScheduleTable(db, TABLE);
  }

  async insert(
    s: ScheduleInsert & {
      operation: ScheduledOperation;
      datasets: string[] | null;
      retentionDays: number | null;
    },
  ) {
    await this.rows.insert(s, {
      operation: s.operation,
      datasets: s.datasets ? JSON.stringify(s.datasets) : null,
      retention_days: s.retentionDays,
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
    const q = this.rows.ofMigration(migrationId);
    if (operation) q.where({ operation });
    return (await q).map(toSchedule);
  }

  async update(id: string, patch: SchedulePatch) {
    await this.rows.update(id, patch);
  }

  async delete(id: string): Promise<boolean> {
    return this.rows.delete(id);
  }

  /** Enabled schedules whose slot has come, of migrations that are not archived. */
  async due(now: number): Promise<StoredOperationSchedule[]> {
    return (await this.rows.dueRows(now)).map(toSchedule);
  }

  /** Schedules whose last run started a job that has not been settled yet. */
  async started(): Promise<StoredOperationSchedule[]> {
    const rows = await this.db(TABLE)
      .where({ last_status: 'STARTED' })
      .whereNotNull('last_target_id');
    return rows.map(toSchedule);
  }

  /** Claims a slot for the schedule (see {@link ScheduleTable.claimSlot}). */
  async claimSlot(
    id: string,
    slot: number,
    next: number,
    now: number,
  ): Promise<boolean> {
    return this.rows.claimSlot(id, slot, next, now, {
      last_trigger: 'SCHEDULE',
    });
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
  return {
    id: row.id,
    migrationId: row.migration_id,
    operation: row.operation,
    name: row.name,
    ...scheduleTiming(row),
    datasets: json<string[] | null>(row.datasets, null),
    retentionDays: numOrNull(row.retention_days),
    ...scheduleState(row),
    lastTrigger: row.last_trigger ?? null,
    lastStatus: row.last_status ?? null,
    lastTargetId: row.last_target_id ?? null,
    runCount: Number(row.run_count ?? 0),
    consecutiveFailures: Number(row.consecutive_failures ?? 0),
  };
}
