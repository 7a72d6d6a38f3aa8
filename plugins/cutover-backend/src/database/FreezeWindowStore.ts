import type {
  FreezeWindow,
  FreezeWindowRollback,
} from '@switchyard/plugin-cutover-common';
import { Knex } from 'knex';
import { iso, json } from './columnValues';

/** Freeze windows. The only place with their SQL. */
export class FreezeWindowStore {
  constructor(private readonly db: Knex | Knex.Transaction) {}

  async insertWindow(w: {
    id: string;
    migrationId: string;
    name: string;
    description: string | null;
    datasets: string[];
    startsAt: number;
    endsAt: number;
    allowReadSourceSwitch: boolean;
    createdAt: number;
    createdBy: string;
  }) {
    await this.db('cutover_freeze_windows').insert({
      id: w.id,
      migration_id: w.migrationId,
      name: w.name,
      description: w.description,
      datasets: JSON.stringify(w.datasets),
      starts_at: w.startsAt,
      ends_at: w.endsAt,
      status: 'PLANNED',
      allow_read_source_switch: w.allowReadSourceSwitch,
      created_at: w.createdAt,
      created_by: w.createdBy,
    });
  }

  async getWindow(
    migrationId: string,
    id: string,
  ): Promise<FreezeWindow | undefined> {
    const row = await this.db('cutover_freeze_windows')
      .where({ migration_id: migrationId, id })
      .first();
    return row ? toWindow(row) : undefined;
  }

  async listWindows(
    migrationId: string,
    statuses?: string[],
  ): Promise<FreezeWindow[]> {
    const q = this.db('cutover_freeze_windows')
      .where({ migration_id: migrationId })
      .orderBy('starts_at')
      .orderBy('id');
    if (statuses) q.whereIn('status', statuses);
    return (await q).map(toWindow);
  }

  /** Moves a window from one of `from` to `to`; false when it was not in one of `from`. */
  async transitionWindow(
    id: string,
    from: string[],
    to: string,
    fields: {
      activatedAt?: number;
      completedAt?: number;
      cancelledAt?: number;
      cancelReason?: string | null;
      activatedBy?: string;
      completedBy?: string;
    },
  ): Promise<boolean> {
    const row: Record<string, unknown> = { status: to };
    if (fields.activatedBy !== undefined) row.activated_by = fields.activatedBy;
    if (fields.completedBy !== undefined) row.completed_by = fields.completedBy;
    if (fields.activatedAt !== undefined) row.activated_at = fields.activatedAt;
    if (fields.completedAt !== undefined) row.completed_at = fields.completedAt;
    if (fields.cancelledAt !== undefined) row.cancelled_at = fields.cancelledAt;
    if (fields.cancelReason !== undefined)
      row.cancel_reason = fields.cancelReason;
    const n = await this.db('cutover_freeze_windows')
      .where({ id })
      .whereIn('status', from)
      .update(row);
    return n === 1;
  }

  /**
   * Windows of every migration that is not archived whose start or end has come: PLANNED ones
   * whose start is at or before `now`, ACTIVE ones whose end is.
   */
  async dueWindows(now: number): Promise<FreezeWindow[]> {
    const rows = await this.db('cutover_freeze_windows as w')
      .join('cutover_migrations as m', 'm.id', 'w.migration_id')
      .whereNull('m.archived_at')
      .where(q =>
        q
          .where(p =>
            p.where('w.status', 'PLANNED').where('w.starts_at', '<=', now),
          )
          .orWhere(a =>
            a.where('w.status', 'ACTIVE').where('w.ends_at', '<=', now),
          ),
      )
      .orderBy('w.starts_at')
      .select('w.*');
    return rows.map(toWindow);
  }

  /** Adds an automatic rollback to a window's record (inside the rollback's transaction). */
  async appendWindowRollback(id: string, rollback: FreezeWindowRollback) {
    const row = await this.db('cutover_freeze_windows')
      .where({ id })
      .first('auto_rollbacks');
    if (!row) return;
    const list = json<FreezeWindowRollback[]>(row.auto_rollbacks, []);
    list.push(rollback);
    await this.db('cutover_freeze_windows')
      .where({ id })
      .update({ auto_rollbacks: JSON.stringify(list) });
  }
}

function toWindow(row: any): FreezeWindow {
  return {
    id: row.id,
    migrationId: row.migration_id,
    name: row.name,
    description: row.description ?? null,
    datasets: json<string[]>(row.datasets, []),
    startsAt: iso(row.starts_at)!,
    endsAt: iso(row.ends_at)!,
    status: row.status,
    allowReadSourceSwitch: !!row.allow_read_source_switch,
    createdAt: iso(row.created_at)!,
    createdBy: row.created_by,
    activatedAt: iso(row.activated_at),
    completedAt: iso(row.completed_at),
    cancelledAt: iso(row.cancelled_at),
    cancelReason: row.cancel_reason ?? null,
    activatedBy: row.activated_by ?? null,
    completedBy: row.completed_by ?? null,
    autoRollbacks: json<FreezeWindowRollback[]>(row.auto_rollbacks, []),
  };
}
