import { Knex } from 'knex';
import { iso, numOrNull } from './columnValues';

/** What every schedule row holds when it is written: who, when, and its timing. */
export interface ScheduleInsert {
  id: string;
  migrationId: string;
  name: string;
  frequency: string;
  dayOfWeek: number | null;
  dayOfMonth: number | null;
  time: string;
  timezone: string;
  enabled: boolean;
  createdAt: number;
  createdBy: string;
  nextRunAt: number | null;
}

/** A rename, pause or resume of a schedule (nextRunAt set when it resumes). */
export interface SchedulePatch {
  name?: string;
  enabled?: boolean;
  nextRunAt?: number | null;
}

/**
 * The SQL that report schedules and snapshot/reconciliation schedules share: the timing
 * columns, renames and pauses, the due query and the claim of a slot. Each store keeps the
 * columns of its own kind and passes them as `extra`.
 */
export class ScheduleTable {
  constructor(
    private readonly db: Knex | Knex.Transaction,
    readonly table: string,
  ) {}

  async insert(s: ScheduleInsert, extra: Record<string, unknown>) {
    await this.db(this.table).insert({
      id: s.id,
      migration_id: s.migrationId,
      name: s.name,
      ...extra,
      frequency: s.frequency,
      day_of_week: s.dayOfWeek,
      day_of_month: s.dayOfMonth,
      time: s.time,
      timezone: s.timezone,
      enabled: s.enabled,
      created_at: s.createdAt,
      created_by: s.createdBy,
      anchor_at: s.createdAt,
      next_run_at: s.nextRunAt,
    });
  }

  /** The schedules of a migration, oldest first. */
  ofMigration(migrationId: string): Knex.QueryBuilder {
    return this.db(this.table)
      .where({ migration_id: migrationId })
      .orderBy('created_at')
      .orderBy('id');
  }

  async update(id: string, patch: SchedulePatch) {
    const row: Record<string, unknown> = {};
    if (patch.name !== undefined) row.name = patch.name;
    if (patch.enabled !== undefined) row.enabled = patch.enabled;
    if (patch.nextRunAt !== undefined) row.next_run_at = patch.nextRunAt;
    if (Object.keys(row).length)
      await this.db(this.table).where({ id }).update(row);
  }

  async delete(id: string): Promise<boolean> {
    return (await this.db(this.table).where({ id }).delete()) > 0;
  }

  /** Rows of enabled schedules whose slot has come, of migrations that are not archived. */
  async dueRows(now: number): Promise<any[]> {
    return this.db(`${this.table} as s`)
      .join('cutover_migrations as m', 'm.id', 's.migration_id')
      .whereNull('m.archived_at')
      .where('s.enabled', true)
      .whereNotNull('s.next_run_at')
      .where('s.next_run_at', '<=', now)
      .orderBy('s.next_run_at')
      .select('s.*');
  }

  /**
   * Claims the slot `slot` of a schedule by moving it to `next`: a conditional update, so of two
   * dispatchers racing for the same slot exactly one sees a changed row.
   */
  async claimSlot(
    id: string,
    slot: number,
    next: number,
    now: number,
    extra: Record<string, unknown> = {},
  ): Promise<boolean> {
    const changed = await this.db(this.table)
      .where({ id, next_run_at: slot, enabled: true })
      .update({ next_run_at: next, last_run_at: now, ...extra });
    return changed === 1;
  }
}

/** The timing columns of a stored schedule row, read back. */
export function scheduleTiming(row: any) {
  return {
    frequency: row.frequency,
    dayOfWeek: row.day_of_week ?? null,
    dayOfMonth: row.day_of_month ?? null,
    time: row.time,
    timezone: row.timezone,
  };
}

/** Who made a schedule, when, and when it runs next, read back from its row. */
export function scheduleState(row: any) {
  const nextRunMs = numOrNull(row.next_run_at);
  return {
    enabled: !!row.enabled,
    createdAt: iso(row.created_at)!,
    createdBy: row.created_by as string,
    lastRunAt: iso(row.last_run_at),
    nextRunAt: row.enabled ? iso(nextRunMs) : null,
    lastError: (row.last_error ?? null) as string | null,
    anchorAt: Number(row.anchor_at),
    nextRunMs,
  };
}
