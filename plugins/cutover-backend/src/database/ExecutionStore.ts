import type {
  DatasetSwitchEvent,
  DriftThresholds,
  FreezeWindow,
  FreezeWindowRollback,
  IntegrityResults,
  JobStatus,
  ReconciliationDatasetResult,
  ReconciliationRun,
} from '@switchyard/plugin-cutover-common';
import { Knex } from 'knex';
import { iso, json } from './columnValues';

const ACTIVE_JOB: JobStatus[] = ['PENDING', 'RUNNING'];

/** Switch history, freeze windows and reconciliation runs. The only place with their SQL. */
export class ExecutionStore {
  constructor(private readonly db: Knex | Knex.Transaction) {}

  async appendSwitch(
    e: Omit<DatasetSwitchEvent, 'id' | 'at'> & { at: number },
  ): Promise<DatasetSwitchEvent> {
    const [row] = await this.db('cutover_switch_events')
      .insert({
        migration_id: e.migrationId,
        dataset: e.dataset,
        kind: e.kind,
        from_value: e.from,
        to_value: e.to,
        reason: e.reason,
        actor: e.actor,
        at: e.at,
        automatic: e.automatic,
        override_reason: e.overrideReason ?? null,
        rollout_percent: e.rolloutPercent ?? null,
      })
      .returning('id');
    const id = typeof row === 'object' ? row.id : row;
    return {
      ...e,
      overrideReason: e.overrideReason ?? null,
      ...(e.rolloutPercent ? { rolloutPercent: e.rolloutPercent } : {}),
      id: String(id),
      at: new Date(e.at).toISOString(),
    };
  }

  async listSwitches(
    migrationId: string,
    dataset?: string,
  ): Promise<DatasetSwitchEvent[]> {
    const q = this.db('cutover_switch_events')
      .where({ migration_id: migrationId })
      .orderBy('id', 'desc')
      .limit(1000);
    if (dataset) q.where({ dataset });
    return (await q).map(toSwitch);
  }

  async lastSwitchAt(migrationId: string): Promise<number | null> {
    const row = await this.db('cutover_switch_events')
      .where({ migration_id: migrationId, kind: 'READ_SOURCE' })
      .max({ at: 'at' })
      .first();
    return row?.at === null || row?.at === undefined ? null : Number(row.at);
  }

  // ----- freeze windows -----

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
          .where(p => p.where('w.status', 'PLANNED').where('w.starts_at', '<=', now))
          .orWhere(a => a.where('w.status', 'ACTIVE').where('w.ends_at', '<=', now)),
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

  // ----- reconciliation runs -----

  /** Inserts a run; false while another run of the migration is pending or running. */
  async insertRun(r: {
    id: string;
    migrationId: string;
    trigger: ReconciliationRun['trigger'];
    createdBy: string;
    createdAt: number;
    datasets: ReconciliationDatasetResult[];
    thresholds: DriftThresholds;
  }): Promise<boolean> {
    try {
      await this.db.transaction(sp =>
        sp('cutover_reconciliation_runs').insert({
          id: r.id,
          migration_id: r.migrationId,
          status: 'PENDING',
          trigger: r.trigger,
          created_by: r.createdBy,
          created_at: r.createdAt,
          datasets: JSON.stringify(r.datasets),
          thresholds: JSON.stringify(r.thresholds),
          heartbeat_at: r.createdAt,
        }),
      );
      return true;
    } catch (e) {
      if (/unique|duplicate/i.test(String((e as Error).message))) return false;
      throw e;
    }
  }

  async updateRun(
    id: string,
    patch: Partial<{
      status: JobStatus;
      progress: number;
      startedAt: number;
      finishedAt: number;
      datasets: ReconciliationDatasetResult[];
      error: string | null;
      heartbeatAt: number;
      integrity: IntegrityResults;
    }>,
  ) {
    const row: Record<string, unknown> = {};
    if (patch.status !== undefined) row.status = patch.status;
    if (patch.progress !== undefined) row.progress = Math.round(patch.progress);
    if (patch.startedAt !== undefined) row.started_at = patch.startedAt;
    if (patch.finishedAt !== undefined) row.finished_at = patch.finishedAt;
    if (patch.datasets !== undefined)
      row.datasets = JSON.stringify(patch.datasets);
    if (patch.error !== undefined) row.error = patch.error;
    if (patch.heartbeatAt !== undefined) row.heartbeat_at = patch.heartbeatAt;
    if (patch.integrity !== undefined)
      row.integrity = JSON.stringify(patch.integrity);
    if (!Object.keys(row).length) return;
    const query = this.db('cutover_reconciliation_runs').where({ id });
    // A job declared dead (its heartbeat stopped) stays FAILED even if it wakes up and finishes.
    if (patch.status === 'SUCCEEDED' || patch.status === 'FAILED')
      query.whereIn('status', ['PENDING', 'RUNNING']);
    await query.update(row);
  }

  async getRun(
    migrationId: string,
    id: string,
  ): Promise<ReconciliationRun | undefined> {
    const row = await this.db('cutover_reconciliation_runs')
      .where({ migration_id: migrationId, id })
      .first();
    return row ? toRun(row) : undefined;
  }

  async activeRun(migrationId: string): Promise<ReconciliationRun | undefined> {
    const row = await this.db('cutover_reconciliation_runs')
      .where({ migration_id: migrationId })
      .whereIn('status', ACTIVE_JOB)
      .first();
    return row ? toRun(row) : undefined;
  }

  async listRuns(
    migrationId: string,
    limit = 100,
  ): Promise<ReconciliationRun[]> {
    const rows = await this.db('cutover_reconciliation_runs')
      .where({ migration_id: migrationId })
      .orderBy('created_at', 'desc')
      .orderBy('id')
      .limit(limit);
    return rows.map(toRun);
  }

  /** The newest finished run, for checklist items. */
  async latestFinishedRun(
    migrationId: string,
  ): Promise<ReconciliationRun | undefined> {
    const row = await this.db('cutover_reconciliation_runs')
      .where({ migration_id: migrationId })
      .whereIn('status', ['SUCCEEDED', 'FAILED'])
      .orderBy('finished_at', 'desc')
      .first();
    return row ? toRun(row) : undefined;
  }

  async heartbeatRuns(ids: string[], now: number) {
    if (ids.length)
      await this.db('cutover_reconciliation_runs')
        .whereIn('id', ids)
        .update({ heartbeat_at: now });
  }

  /** Fails runs whose instance died (heartbeat older than `staleBefore`). */
  async failStaleRuns(
    staleBefore: number,
    now: number,
    message: string,
  ): Promise<number> {
    return this.db('cutover_reconciliation_runs')
      .whereIn('status', ACTIVE_JOB)
      .where('heartbeat_at', '<', staleBefore)
      .update({ status: 'FAILED', error: message, finished_at: now });
  }
}

function toSwitch(row: any): DatasetSwitchEvent {
  return {
    id: String(row.id),
    migrationId: row.migration_id,
    dataset: row.dataset,
    kind: row.kind,
    from: row.from_value,
    to: row.to_value,
    reason: row.reason,
    actor: row.actor,
    at: iso(row.at)!,
    automatic: !!row.automatic,
    overrideReason: row.override_reason ?? null,
    ...(row.rollout_percent !== null && row.rollout_percent !== undefined
      ? { rolloutPercent: Number(row.rollout_percent) }
      : {}),
  };
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

function toRun(row: any): ReconciliationRun {
  return {
    id: row.id,
    migrationId: row.migration_id,
    status: row.status,
    trigger: row.trigger,
    progress: Number(row.progress),
    createdBy: row.created_by,
    createdAt: iso(row.created_at)!,
    startedAt: iso(row.started_at),
    finishedAt: iso(row.finished_at),
    datasets: json<ReconciliationDatasetResult[]>(row.datasets, []),
    error: row.error ?? null,
    thresholds: json<DriftThresholds>(row.thresholds, {
      warning: 0.0005,
      critical: 0.001,
      rollback: 0.005,
    }),
    ...(row.integrity
      ? { integrity: json<IntegrityResults>(row.integrity, undefined as never) }
      : {}),
  };
}
