// The snapshot service: the one entry point the router, the schedules and the checklist use.
// Taking, deleting and verifying snapshots is in snapshots/SnapshotCopies.ts, rollbacks in
// snapshots/RollbackRunner.ts; this file keeps the jobs (sweep, heartbeat) and the SR003 evaluator.
import type { SchedulerService } from '@backstage/backend-plugin-api';
import type { Migration } from '@switchyard/plugin-cutover-common';
import type { ChecklistEvaluator } from '@switchyard/plugin-cutover-node';
import { BackgroundJobs } from './BackgroundJobs';
import {
  errorText,
  type SnapshotDeps,
  type SnapshotJobs,
  SYSTEM,
} from './snapshots/shared';
import { SnapshotCopies } from './snapshots/SnapshotCopies';
import { RollbackRunner } from './snapshots/RollbackRunner';

export { readSnapshotSettings } from './snapshots/settings';
export type { SnapshotSettings } from './snapshots/settings';
export type { RollbackCutover } from './snapshots/shared';

/**
 * Snapshots of the destination's datasets and rollbacks from them, run as background jobs on the
 * instance that accepted the request. Rows carry a heartbeat; jobs whose instance died are failed
 * at start-up and by a periodic sweep (each dataset restore is atomic in its provider, so a dead
 * job leaves every dataset either as before or fully restored).
 */
export class SnapshotService {
  private readonly jobs: SnapshotJobs;
  private readonly copies: SnapshotCopies;
  private readonly rollbacks: RollbackRunner;

  constructor(private readonly deps: SnapshotDeps) {
    this.jobs = new BackgroundJobs(deps.logger);
    this.copies = new SnapshotCopies(deps, this.jobs);
    this.rollbacks = new RollbackRunner(deps, this.jobs, this.copies);
  }

  private now() {
    return this.deps.clock.now();
  }

  // ----- snapshots (SnapshotCopies) -----

  /** Where each chosen dataset lives on the destination; 400 naming what is missing. */
  targets(...args: Parameters<SnapshotCopies['targets']>) {
    return this.copies.targets(...args);
  }

  list(...args: Parameters<SnapshotCopies['list']>) {
    return this.copies.list(...args);
  }

  get(...args: Parameters<SnapshotCopies['get']>) {
    return this.copies.get(...args);
  }

  /** Accepts a snapshot (PENDING) and starts taking it in the background. */
  create(...args: Parameters<SnapshotCopies['create']>) {
    return this.copies.create(...args);
  }

  remove(...args: Parameters<SnapshotCopies['remove']>) {
    return this.copies.remove(...args);
  }

  /** Compares a snapshot with the destination's current data (counts and checksums). */
  verify(...args: Parameters<SnapshotCopies['verify']>) {
    return this.copies.verify(...args);
  }

  // ----- rollbacks (RollbackRunner) -----

  listRollbacks(...args: Parameters<RollbackRunner['listRollbacks']>) {
    return this.rollbacks.listRollbacks(...args);
  }

  getRollback(...args: Parameters<RollbackRunner['getRollback']>) {
    return this.rollbacks.getRollback(...args);
  }

  /** Accepts a rollback (PENDING; 409 while another runs) and runs it in the background. */
  rollback(...args: Parameters<RollbackRunner['rollback']>) {
    return this.rollbacks.rollback(...args);
  }

  // ----- jobs -----

  /** Waits for this instance's background jobs (tests, shutdown). */
  async drain() {
    await this.jobs.drain();
  }

  /** Fails jobs abandoned by dead instances; removes snapshots past their expiry. */
  async sweep(): Promise<{ failed: number; expired: number }> {
    const now = this.now();
    const failed = await this.deps.store
      .snapshots()
      .failStaleJobs(
        now - this.deps.settings.staleAfterMs,
        now,
        'the backend running this job stopped before it finished; each dataset is either as it was or fully restored (one restored just before the stop may not be reported restored): verify against the snapshot',
      );
    for (const r of failed.rollbacks) {
      this.deps.signals.notify(r.migrationId, 'rollback');
      const migration = await this.migrationOf(r.migrationId);
      if (!migration) continue;
      const report = await this.rollbacks
        .settleAbandonedRollback(migration, r)
        .catch(e => {
          this.deps.logger.warn(
            `Could not check abandoned rollback ${
              r.id
            } against its snapshot: ${errorText(e)}`,
          );
          return null;
        });
      await this.rollbacks.notify(migration, {
        title: `Rollback FAILED: ${migration.title}`,
        description: `The backend running rollback ${
          r.id
        } stopped before it finished. ${
          report ??
          'Each dataset is either as before or fully restored; check the rollback history and verify.'
        } The migration stays paused.`,
        severity: 'critical',
      });
    }
    for (const s of failed.snapshots)
      this.deps.signals.notify(s.migrationId, 'snapshot');
    let expired = 0;
    for (const s of await this.deps.store.snapshots().expiredSnapshots(now)) {
      const migration = await this.migrationOf(s.migrationId);
      if (!migration) continue;
      try {
        await this.copies.remove(migration, s.id, SYSTEM);
        expired++;
      } catch (e) {
        this.deps.logger.warn(
          `Could not remove expired snapshot ${s.id}: ${errorText(e)}`,
        );
      }
    }
    return {
      failed: failed.snapshots.length + failed.rollbacks.length,
      expired,
    };
  }

  private async migrationOf(id: string): Promise<Migration | undefined> {
    return this.deps.store.getMigration(id, { includeArchived: true });
  }

  async schedule(scheduler: SchedulerService) {
    this.jobs.heartbeat(this.deps.settings.heartbeatMs, () =>
      this.deps.store
        .snapshots()
        .heartbeat(
          this.jobs.ids('snapshot'),
          this.jobs.ids('rollback'),
          this.now(),
        ),
    );
    await scheduler.scheduleTask({
      id: 'cutover-snapshot-sweep',
      frequency: { minutes: 1 },
      timeout: { minutes: 30 },
      scope: 'global',
      fn: async () => {
        await this.sweep();
      },
    });
  }

  stop() {
    this.jobs.stop();
  }

  /**
   * SR003 "Backup and restore procedures validated": PASS once a rollback restored data and its
   * verification matched the snapshot (a rehearsal on the destination), FAIL when the latest
   * rollback failed or did not verify. Migrations without a destination connection decide by hand.
   */
  evaluator(): ChecklistEvaluator {
    return {
      itemId: 'SR003',
      evaluate: async ({ migrationId }) => {
        const m = await this.deps.store.getMigration(migrationId, {
          withDatasets: false,
        });
        if (!m?.destination?.connection) return null;
        const rollbacks = (
          await this.deps.store.snapshots().listRollbacks(migrationId)
        ).filter(r => r.status === 'SUCCEEDED' || r.status === 'FAILED');
        const latest = rollbacks[0];
        if (!latest) {
          const snapshots = (
            await this.deps.store.snapshots().listSnapshots(migrationId)
          ).filter(s => s.status === 'SUCCEEDED');
          return {
            status: 'NOT_TESTED',
            evidence: snapshots.length
              ? `${snapshots.length} snapshot(s) taken; no restore rehearsed yet`
              : 'no snapshot taken yet',
          };
        }
        if (latest.status === 'SUCCEEDED' && latest.verified) {
          return {
            status: 'PASS',
            evidence: `rollback ${latest.id.slice(
              0,
              8,
            )} restored ${latest.datasets.join(', ')} at ${
              latest.finishedAt
            }, verified against its snapshot`,
          };
        }
        return {
          status: 'FAIL',
          evidence: `latest rollback ${latest.id.slice(0, 8)} ${
            latest.status === 'FAILED'
              ? `failed: ${latest.errors.map(e => e.message).join('; ')}`
              : 'was not verified'
          }`,
        };
      },
    };
  }
}
