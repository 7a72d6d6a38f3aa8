import type {
  JobStatus,
  Rollback,
  Snapshot,
  SnapshotVerification,
} from '@switchyard/plugin-cutover-common';
import type { SnapshotDatasetFigures } from '@switchyard/plugin-cutover-node';
import { Knex } from 'knex';
import { iso, json } from './columnValues';

/** A snapshot with what only the backend needs. */
export interface StoredSnapshot extends Snapshot {
  figures: Record<string, SnapshotDatasetFigures>;
}

const ACTIVE: JobStatus[] = ['PENDING', 'RUNNING'];

/** Snapshots and rollbacks. The only place with their SQL. */
export class SnapshotStore {
  constructor(private readonly db: Knex | Knex.Transaction) {}

  async insertSnapshot(s: {
    id: string;
    migrationId: string;
    name: string;
    description: string | null;
    datasets: string[];
    createdAt: number;
    createdBy: string;
    expiresAt: number | null;
    backupForRollback: string | null;
  }) {
    await this.db('cutover_snapshots').insert({
      id: s.id,
      migration_id: s.migrationId,
      name: s.name,
      description: s.description,
      datasets: JSON.stringify(s.datasets),
      status: 'PENDING',
      progress: 0,
      created_at: s.createdAt,
      created_by: s.createdBy,
      expires_at: s.expiresAt,
      backup_for_rollback: s.backupForRollback,
      heartbeat_at: s.createdAt,
    });
  }

  async updateSnapshot(
    id: string,
    patch: Partial<{
      status: JobStatus;
      progress: number;
      provider: string;
      figures: Record<string, SnapshotDatasetFigures>;
      finishedAt: number;
      error: string | null;
      lastVerification: SnapshotVerification;
      heartbeatAt: number;
    }>,
  ) {
    const row: Record<string, unknown> = {};
    if (patch.status !== undefined) row.status = patch.status;
    if (patch.progress !== undefined) row.progress = Math.round(patch.progress);
    if (patch.provider !== undefined) row.provider = patch.provider;
    if (patch.figures !== undefined)
      row.figures = JSON.stringify(patch.figures);
    if (patch.finishedAt !== undefined) row.finished_at = patch.finishedAt;
    if (patch.error !== undefined) row.error = patch.error;
    if (patch.lastVerification !== undefined)
      row.last_verification = JSON.stringify(patch.lastVerification);
    if (patch.heartbeatAt !== undefined) row.heartbeat_at = patch.heartbeatAt;
    if (!Object.keys(row).length) return;
    const query = this.db('cutover_snapshots').where({ id });
    // A job declared dead (its heartbeat stopped) stays FAILED even if it wakes up and finishes.
    if (patch.status === 'SUCCEEDED' || patch.status === 'FAILED')
      query.whereIn('status', ['PENDING', 'RUNNING']);
    await query.update(row);
  }

  async getSnapshot(
    migrationId: string,
    id: string,
  ): Promise<StoredSnapshot | undefined> {
    const row = await this.db('cutover_snapshots')
      .where({ migration_id: migrationId, id })
      .first();
    return row ? toSnapshot(row) : undefined;
  }

  async listSnapshots(migrationId: string): Promise<StoredSnapshot[]> {
    const rows = await this.db('cutover_snapshots')
      .where({ migration_id: migrationId })
      .orderBy('created_at', 'desc')
      .orderBy('id');
    return rows.map(toSnapshot);
  }

  async deleteSnapshot(id: string) {
    await this.db('cutover_snapshots').where({ id }).delete();
  }

  /** Finished snapshots past their expiry. */
  async expiredSnapshots(now: number): Promise<StoredSnapshot[]> {
    const rows = await this.db('cutover_snapshots')
      .whereNotNull('expires_at')
      .where('expires_at', '<=', now)
      .whereNotIn('status', ACTIVE);
    return rows.map(toSnapshot);
  }

  /** Inserts a rollback; false when another rollback of the migration is pending or running. */
  async insertRollback(r: {
    id: string;
    migrationId: string;
    snapshotId: string;
    datasets: string[];
    verifyAfter: boolean;
    createBackup: boolean;
    reason: string | null;
    createdAt: number;
    createdBy: string;
  }): Promise<boolean> {
    try {
      // In a savepoint: a refused insert must not abort the caller's transaction (PostgreSQL).
      await this.db.transaction(sp =>
        sp('cutover_rollbacks').insert({
          id: r.id,
          migration_id: r.migrationId,
          snapshot_id: r.snapshotId,
          datasets: JSON.stringify(r.datasets),
          status: 'PENDING',
          verify_after: r.verifyAfter,
          create_backup: r.createBackup,
          results: JSON.stringify(
            r.datasets.map(dataset => ({
              dataset,
              status: 'PENDING',
              recordsRestored: 0,
              recordsDeleted: 0,
              verified: null,
            })),
          ),
          reason: r.reason,
          created_at: r.createdAt,
          created_by: r.createdBy,
          heartbeat_at: r.createdAt,
        }),
      );
      return true;
    } catch (e) {
      if (/unique|duplicate/i.test(String((e as Error).message))) return false;
      throw e;
    }
  }

  async activeRollback(migrationId: string): Promise<Rollback | undefined> {
    const row = await this.db('cutover_rollbacks')
      .where({ migration_id: migrationId })
      .whereIn('status', ACTIVE)
      .first();
    return row ? toRollback(row) : undefined;
  }

  async updateRollback(
    id: string,
    patch: Partial<{
      status: JobStatus;
      progress: number;
      recordsRestored: number;
      recordsDeleted: number;
      durationMs: number;
      errors: Rollback['errors'];
      verified: boolean | null;
      backupSnapshotId: string;
      results: Rollback['results'];
      startedAt: number;
      finishedAt: number;
      heartbeatAt: number;
      pausedFrom: string | null;
    }>,
    options: { evenIfFinished?: boolean } = {},
  ) {
    const row: Record<string, unknown> = {};
    if (patch.pausedFrom !== undefined) row.paused_from = patch.pausedFrom;
    if (patch.status !== undefined) row.status = patch.status;
    if (patch.progress !== undefined) row.progress = Math.round(patch.progress);
    if (patch.recordsRestored !== undefined)
      row.records_restored = patch.recordsRestored;
    if (patch.recordsDeleted !== undefined)
      row.records_deleted = patch.recordsDeleted;
    if (patch.durationMs !== undefined) row.duration_ms = patch.durationMs;
    if (patch.errors !== undefined) row.errors = JSON.stringify(patch.errors);
    if (patch.verified !== undefined) row.verified = patch.verified;
    if (patch.backupSnapshotId !== undefined)
      row.backup_snapshot_id = patch.backupSnapshotId;
    if (patch.results !== undefined)
      row.results = JSON.stringify(patch.results);
    if (patch.startedAt !== undefined) row.started_at = patch.startedAt;
    if (patch.finishedAt !== undefined) row.finished_at = patch.finishedAt;
    if (patch.heartbeatAt !== undefined) row.heartbeat_at = patch.heartbeatAt;
    if (!Object.keys(row).length) return;
    const query = this.db('cutover_rollbacks').where({ id });
    // A job declared dead (its heartbeat stopped) stays FAILED even if it wakes up and finishes.
    if (
      (patch.status === 'SUCCEEDED' || patch.status === 'FAILED') &&
      !options.evenIfFinished
    ) {
      query.whereIn('status', ['PENDING', 'RUNNING']);
    }
    await query.update(row);
  }

  /** The control state a rollback paused its migration from (null when it paused nothing). */
  async pausedFrom(id: string): Promise<string | null> {
    const row = await this.db('cutover_rollbacks')
      .where({ id })
      .first('paused_from');
    return row?.paused_from ?? null;
  }

  async getRollback(
    migrationId: string,
    id: string,
  ): Promise<Rollback | undefined> {
    const row = await this.db('cutover_rollbacks')
      .where({ migration_id: migrationId, id })
      .first();
    return row ? toRollback(row) : undefined;
  }

  async listRollbacks(migrationId: string): Promise<Rollback[]> {
    const rows = await this.db('cutover_rollbacks')
      .where({ migration_id: migrationId })
      .orderBy('created_at', 'desc')
      .orderBy('id');
    return rows.map(toRollback);
  }

  /** Whether a pending or running rollback uses the snapshot. */
  async snapshotInUse(snapshotId: string): Promise<boolean> {
    const row = await this.db('cutover_rollbacks')
      .where({ snapshot_id: snapshotId })
      .whereIn('status', ACTIVE)
      .first('id');
    return !!row;
  }

  /** Heartbeats running jobs of this instance. */
  async heartbeat(snapshotIds: string[], rollbackIds: string[], now: number) {
    if (snapshotIds.length) {
      await this.db('cutover_snapshots')
        .whereIn('id', snapshotIds)
        .update({ heartbeat_at: now });
    }
    if (rollbackIds.length) {
      await this.db('cutover_rollbacks')
        .whereIn('id', rollbackIds)
        .update({ heartbeat_at: now });
    }
  }

  /**
   * Fails jobs left PENDING or RUNNING whose heartbeat stopped before `staleBefore` (their
   * process died). Conditional on the heartbeat, so a live job on another instance is untouched.
   */
  async failStaleJobs(staleBefore: number, now: number, message: string) {
    const snapshots = await this.db('cutover_snapshots')
      .whereIn('status', ACTIVE)
      .where('heartbeat_at', '<', staleBefore);
    const failedSnapshots: StoredSnapshot[] = [];
    for (const row of snapshots) {
      const n = await this.db('cutover_snapshots')
        .where({ id: row.id, heartbeat_at: row.heartbeat_at })
        .whereIn('status', ACTIVE)
        .update({ status: 'FAILED', error: message, finished_at: now });
      if (n) failedSnapshots.push(toSnapshot(row));
    }
    const rollbacks = await this.db('cutover_rollbacks')
      .whereIn('status', ACTIVE)
      .where('heartbeat_at', '<', staleBefore);
    const failedRollbacks: Rollback[] = [];
    for (const row of rollbacks) {
      const errors = [
        ...json<Rollback['errors']>(row.errors, []),
        { dataset: null, message },
      ];
      const n = await this.db('cutover_rollbacks')
        .where({ id: row.id, heartbeat_at: row.heartbeat_at })
        .whereIn('status', ACTIVE)
        .update({
          status: 'FAILED',
          errors: JSON.stringify(errors),
          finished_at: now,
        });
      if (n) failedRollbacks.push(toRollback(row));
    }
    return { snapshots: failedSnapshots, rollbacks: failedRollbacks };
  }
}

function toSnapshot(row: any): StoredSnapshot {
  const figures = json<Record<string, SnapshotDatasetFigures>>(row.figures, {});
  const values = Object.values(figures);
  return {
    id: row.id,
    migrationId: row.migration_id,
    name: row.name,
    description: row.description ?? null,
    datasets: json<string[]>(row.datasets, []),
    status: row.status,
    progress: Number(row.progress),
    recordCounts: Object.fromEntries(
      values.map(f => [f.dataset, f.recordCount]),
    ),
    sizeBytes: values.reduce((sum, f) => sum + f.sizeBytes, 0),
    checksums: Object.fromEntries(values.map(f => [f.dataset, f.checksum])),
    locations: Object.fromEntries(values.map(f => [f.dataset, f.location])),
    provider: row.provider ?? null,
    createdAt: iso(row.created_at)!,
    createdBy: row.created_by,
    finishedAt: iso(row.finished_at),
    expiresAt: iso(row.expires_at),
    error: row.error ?? null,
    backupForRollback: row.backup_for_rollback ?? null,
    lastVerification: json<SnapshotVerification | null>(
      row.last_verification,
      null,
    ),
    figures,
  };
}

function toRollback(row: any): Rollback {
  return {
    id: row.id,
    migrationId: row.migration_id,
    snapshotId: row.snapshot_id,
    datasets: json<string[]>(row.datasets, []),
    status: row.status,
    progress: Number(row.progress),
    recordsRestored: Number(row.records_restored),
    recordsDeleted: Number(row.records_deleted),
    durationMs:
      row.duration_ms === null || row.duration_ms === undefined
        ? null
        : Number(row.duration_ms),
    errors: json<Rollback['errors']>(row.errors, []),
    verified:
      row.verified === null || row.verified === undefined
        ? null
        : !!row.verified,
    verifyAfter: !!row.verify_after,
    createBackup: !!row.create_backup,
    backupSnapshotId: row.backup_snapshot_id ?? null,
    results: json<Rollback['results']>(row.results, []),
    createdAt: iso(row.created_at)!,
    createdBy: row.created_by,
    startedAt: iso(row.started_at),
    finishedAt: iso(row.finished_at),
  };
}
