import type {
  DriftThresholds,
  IntegrityResults,
  JobStatus,
  ReconciliationDatasetResult,
  ReconciliationRun,
} from '@switchyard/plugin-cutover-common';
import { Knex } from 'knex';
import { iso, json } from './columnValues';

const ACTIVE_JOB: JobStatus[] = ['PENDING', 'RUNNING'];

/** Reconciliation runs. The only place with their SQL. */
export class ReconciliationRunStore {
  constructor(private readonly db: Knex | Knex.Transaction) {}

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
