import { ConflictError, InputError, NotFoundError } from '@backstage/errors';
import {
  type ControlState,
  type Migration,
  type Rollback,
  rollbackCreateSchema,
} from '@switchyard/plugin-cutover-common';
import type { CutoverDatasetTarget } from '@switchyard/plugin-cutover-node';
import type { Request } from 'express';
import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import type { StoredSnapshot } from '../../database/SnapshotStore';
import type { Caller } from '../access';
import { notifyAboutMigration } from '../notify';
import {
  errorText,
  type SnapshotDeps,
  type SnapshotJobs,
  SYSTEM,
} from './shared';
import type { SnapshotCopies } from './SnapshotCopies';

/** A dataset's result once restored, with the provider's counts. */
function restoredResult(
  result: Rollback['results'][number],
  counts: { recordsRestored: number; recordsDeleted: number },
): Rollback['results'][number] {
  return {
    ...result,
    status: 'RESTORED',
    recordsRestored: counts.recordsRestored,
    recordsDeleted: counts.recordsDeleted,
  };
}

/**
 * Rollbacks from a snapshot: accepted one at a time per migration, run in the background (an
 * optional backup snapshot first, then the restore, then verification), and settled after a crash
 * by comparing each dataset with the snapshot.
 */
export class RollbackRunner {
  constructor(
    private readonly deps: SnapshotDeps,
    private readonly jobs: SnapshotJobs,
    private readonly copies: SnapshotCopies,
  ) {}

  private now() {
    return this.deps.clock.now();
  }

  async listRollbacks(migration: Migration): Promise<{ items: Rollback[] }> {
    return {
      items: await this.deps.store.snapshots().listRollbacks(migration.id),
    };
  }

  async getRollback(migration: Migration, id: string): Promise<Rollback> {
    const r = await this.deps.store.snapshots().getRollback(migration.id, id);
    if (!r)
      throw new NotFoundError(`No rollback ${id} in migration ${migration.id}`);
    return r;
  }

  /** Accepts a rollback (PENDING; 409 while another runs) and runs it in the background. */
  async rollback(
    migration: Migration,
    body: z.output<typeof rollbackCreateSchema>,
    caller: Caller,
    req?: Request,
  ): Promise<Rollback> {
    const snapshot = await this.deps.store
      .snapshots()
      .getSnapshot(migration.id, body.snapshotId);
    if (!snapshot)
      throw new InputError(
        `Invalid request: snapshotId: no snapshot ${body.snapshotId} in migration ${migration.id}`,
      );
    if (snapshot.status !== 'SUCCEEDED') {
      throw new ConflictError(
        `Snapshot ${snapshot.id} is ${snapshot.status}; roll back only from a complete snapshot`,
      );
    }
    const datasets = body.datasets ?? snapshot.datasets;
    const missing = datasets.filter(d => !snapshot.datasets.includes(d));
    if (missing.length) {
      throw new InputError(
        `Invalid request: datasets: not in snapshot ${
          snapshot.name
        }: ${missing.join(', ')}`,
      );
    }
    const targets = this.copies.targets(migration, datasets);
    this.deps.writable?.(targets[0].connection, 'rollbacks');
    this.copies.providerById(snapshot.provider);
    const id = randomUUID();
    const now = this.now();
    const release = this.deps.slots?.acquire('rollback') ?? (() => undefined);
    try {
      await this.deps.store.transaction(async store => {
        const ok = await store.snapshots().insertRollback({
          id,
          migrationId: migration.id,
          snapshotId: snapshot.id,
          datasets,
          verifyAfter: body.verifyAfter,
          createBackup: body.createBackup,
          reason: body.reason ?? null,
          createdAt: now,
          createdBy: caller.actor,
        });
        if (!ok) {
          const active = await store.snapshots().activeRollback(migration.id);
          throw new ConflictError(
            `Another rollback of ${migration.id} is running${
              active ? ` (${active.id}, started by ${active.createdBy})` : ''
            }; wait for it to finish`,
          );
        }
        // Applications read the complete side, and jobs stop writing, before any data moves.
        const pausedFrom = await this.deps.cutover?.beginRollback(
          store,
          migration.id,
          datasets,
          id,
          caller,
        );
        if (pausedFrom)
          await store.snapshots().updateRollback(id, { pausedFrom });
        await this.deps.audit.record(
          store,
          caller,
          {
            migrationId: migration.id,
            action: 'rollback.execute',
            target: `rollback:${id}`,
            after: {
              snapshotId: snapshot.id,
              snapshotName: snapshot.name,
              datasets,
              createBackup: body.createBackup,
              verifyAfter: body.verifyAfter,
              reason: body.reason,
            },
          },
          req,
        );
      });
    } catch (e) {
      release();
      throw e;
    }
    this.deps.signals.notify(migration.id, 'rollback');
    await this.notify(migration, {
      title: `Rollback started: ${migration.title}`,
      description: `${caller.actor} is rolling back ${datasets.join(
        ', ',
      )} from snapshot "${snapshot.name}".`,
      severity: 'high',
    });
    this.jobs.start('rollback', id, () =>
      this.runRollback(migration, id, snapshot, targets, body).finally(release),
    );
    return this.getRollback(migration, id);
  }

  private async runRollback(
    migration: Migration,
    id: string,
    snapshot: StoredSnapshot,
    targets: CutoverDatasetTarget[],
    body: z.output<typeof rollbackCreateSchema>,
  ) {
    const store = this.deps.store.snapshots();
    const started = this.now();
    const results: Rollback['results'] = targets.map(t => ({
      dataset: t.dataset,
      status: 'PENDING',
      recordsRestored: 0,
      recordsDeleted: 0,
      verified: null,
    }));
    const errors: Rollback['errors'] = [];
    let restored = 0;
    let deleted = 0;
    let verified: boolean | null = null;
    await store.updateRollback(id, {
      status: 'RUNNING',
      startedAt: started,
      heartbeatAt: started,
    });
    this.deps.signals.notify(migration.id, 'rollback');
    const backupShare = body.createBackup ? 20 : 0;
    try {
      if (body.createBackup) {
        const backup = await this.copies.create(
          migration,
          {
            name: `Before rollback ${id.slice(0, 8)}`,
            description: `Taken automatically before rolling back from "${snapshot.name}"`,
            datasets: targets.map(t => t.dataset),
          },
          SYSTEM,
          undefined,
          id,
        );
        await store.updateRollback(id, { backupSnapshotId: backup.id });
        const taken = await this.jobs.track('snapshot', backup.id, () =>
          this.copies.take(migration, backup.id, targets),
        );
        if (taken.status !== 'SUCCEEDED') {
          throw new Error(
            `the backup snapshot failed (${taken.error}); nothing was restored`,
          );
        }
        await store.updateRollback(id, { progress: backupShare });
      }
      const provider = this.copies.providerById(snapshot.provider);
      // A provider's progress (0-100) as the rollback's share between `base` and `base + span`;
      // written without waiting, and a failed write never stops the restore.
      const progressBetween = (base: number, span: number) => (p: number) => {
        void store
          .updateRollback(id, {
            progress: base + (span * Math.min(100, p)) / 100,
          })
          .catch(() => undefined);
      };
      if (provider.restoreAll) {
        // Every dataset in one transaction: all restored, or (on any failure) none.
        const span = 100 - backupShare;
        try {
          const counts = await provider.restoreAll(
            snapshot.id,
            targets.map(target => ({
              target,
              figures: snapshot.figures[target.dataset],
            })),
            progressBetween(backupShare, span),
          );
          counts.forEach((c, i) => {
            results[i] = restoredResult(results[i], c);
            restored += c.recordsRestored;
            deleted += c.recordsDeleted;
          });
        } catch (e) {
          for (const r of results) r.status = 'FAILED';
          errors.push({
            dataset: null,
            message: `${errorText(
              e,
            )} (no dataset was restored: they are restored together)`,
          });
        } finally {
          await store.updateRollback(id, {
            progress: 100,
            results,
            recordsRestored: restored,
            recordsDeleted: deleted,
            errors,
          });
          this.deps.signals.notify(migration.id, 'rollback');
        }
      } else {
        for (const [i, target] of targets.entries()) {
          const base = backupShare + ((100 - backupShare) * i) / targets.length;
          const span = (100 - backupShare) / targets.length;
          try {
            const r = await provider.restore(
              snapshot.id,
              target,
              snapshot.figures[target.dataset],
              progressBetween(base, span),
            );
            results[i] = restoredResult(results[i], r);
            restored += r.recordsRestored;
            deleted += r.recordsDeleted;
          } catch (e) {
            results[i] = { ...results[i], status: 'FAILED' };
            errors.push({ dataset: target.dataset, message: errorText(e) });
            // Stop at the first failure: the remaining datasets are left untouched (the results
            // say which were restored; the sweep checks them against the snapshot after a crash).
            break;
          } finally {
            await store.updateRollback(id, {
              progress: base + span,
              results,
              recordsRestored: restored,
              recordsDeleted: deleted,
              errors,
            });
            this.deps.signals.notify(migration.id, 'rollback');
          }
        }
      }
      const restoredNames = results
        .filter(r => r.status === 'RESTORED')
        .map(r => r.dataset);
      if (body.verifyAfter && restoredNames.length) {
        const check = await this.copies.compare(
          migration,
          snapshot,
          restoredNames,
        );
        for (const row of check.datasets) {
          const r = results.find(x => x.dataset === row.dataset)!;
          r.verified = row.matches;
          if (!row.matches) {
            errors.push({
              dataset: row.dataset,
              message: `verification failed: ${
                row.currentCount
              } records (snapshot ${row.snapshotCount}), checksum ${
                row.currentChecksum === row.snapshotChecksum
                  ? 'equal'
                  : 'differs'
              }`,
            });
          }
        }
        verified = check.matches;
      }
    } catch (e) {
      errors.push({ dataset: null, message: errorText(e) });
    }
    const ok = !errors.length && results.every(r => r.status === 'RESTORED');
    const finished = this.now();
    // The owner is told before the rollback reads as finished, so whoever sees it finished
    // also finds the notification.
    await this.notify(
      migration,
      ok
        ? {
            title: `Rollback succeeded: ${migration.title}`,
            description: `${results
              .map(r => r.dataset)
              .join(', ')} restored from "${
              snapshot.name
            }": ${restored} records restored, ${deleted} deleted${
              verified ? ', verified against the snapshot' : ''
            }.`,
            severity: 'high',
          }
        : {
            title: `Rollback FAILED: ${migration.title}`,
            description: `Rollback from "${snapshot.name}" failed: ${errors
              .map(e => `${e.dataset ?? 'rollback'}: ${e.message}`)
              .join('; ')}. Datasets not restored were left as they were.`,
            severity: 'critical',
          },
    );
    const pausedFrom = (await store.pausedFrom(id)) as ControlState | null;
    await this.deps.store.transaction(async tx => {
      // The restored datasets are ROLLED_BACK (reading LEGACY) in the same transaction that
      // records the rollback as finished.
      await this.deps.cutover?.endRollback(
        tx,
        migration.id,
        results.filter(r => r.status === 'RESTORED').map(r => r.dataset),
        id,
        ok,
        pausedFrom,
      );
      await tx.snapshots().updateRollback(id, {
        status: ok ? 'SUCCEEDED' : 'FAILED',
        progress: 100,
        results,
        errors,
        verified,
        recordsRestored: restored,
        recordsDeleted: deleted,
        durationMs: finished - started,
        finishedAt: finished,
      });
      await this.deps.audit.record(tx, SYSTEM, {
        migrationId: migration.id,
        action: ok ? 'rollback.succeed' : 'rollback.fail',
        target: `rollback:${id}`,
        after: { results, errors, verified, durationMs: finished - started },
      });
    });
    this.deps.signals.notify(migration.id, 'rollback');
    this.deps.signals.notify(migration.id, 'progress');
  }

  async notify(
    migration: Migration,
    payload: {
      title: string;
      description: string;
      severity: 'critical' | 'high' | 'normal';
    },
  ) {
    await notifyAboutMigration(this.deps, migration, {
      ...payload,
      recipients: [migration.owner],
      tab: 'rollback',
    });
  }

  /**
   * After a crash: which datasets of an abandoned rollback were restored, found by comparing each
   * with the snapshot (count and checksum). Those are marked ROLLED_BACK (reading LEGACY), the
   * rollback's results say exactly which, and the migration stays paused. Returns a summary.
   */
  async settleAbandonedRollback(
    migration: Migration,
    r: Rollback,
  ): Promise<string | null> {
    const snapshot = await this.deps.store
      .snapshots()
      .getSnapshot(migration.id, r.snapshotId);
    if (!snapshot || snapshot.status !== 'SUCCEEDED') return null;
    const check = await this.copies.compare(migration, snapshot, r.datasets);
    const restored = check.datasets.filter(d => d.matches).map(d => d.dataset);
    const notRestored = check.datasets
      .filter(d => !d.matches)
      .map(d => d.dataset);
    const summary = `Checked against snapshot "${snapshot.name}": ${
      restored.length
        ? `restored ${restored.join(', ')}`
        : 'no dataset restored'
    }${
      notRestored.length
        ? `; not restored (as before): ${notRestored.join(', ')}`
        : ''
    }.`;
    const pausedFrom = (await this.deps.store
      .snapshots()
      .pausedFrom(r.id)) as ControlState | null;
    const failed =
      (await this.deps.store.snapshots().getRollback(migration.id, r.id)) ?? r;
    await this.deps.store.transaction(async tx => {
      await this.deps.cutover?.endRollback(
        tx,
        migration.id,
        restored,
        r.id,
        false,
        pausedFrom,
      );
      await tx.snapshots().updateRollback(
        r.id,
        {
          results: r.datasets.map(dataset => ({
            dataset,
            status: restored.includes(dataset) ? 'RESTORED' : 'FAILED',
            recordsRestored: 0,
            recordsDeleted: 0,
            verified: restored.includes(dataset),
          })),
          errors: [...failed.errors, { dataset: null, message: summary }],
          verified: notRestored.length === 0,
        },
        { evenIfFinished: true },
      );
      await this.deps.audit.record(tx, SYSTEM, {
        migrationId: migration.id,
        action: 'rollback.fail',
        target: `rollback:${r.id}`,
        after: { abandoned: true, restored, notRestored },
      });
    });
    this.deps.signals.notify(migration.id, 'rollback');
    return summary;
  }
}
