import { LoggerService, SchedulerService } from '@backstage/backend-plugin-api';
import { Config } from '@backstage/config';
import { duration } from './settings';
import { JobSlots } from './JobSlots';
import { ConflictError, InputError, NotFoundError } from '@backstage/errors';
import { NotificationService } from '@backstage/plugin-notifications-node';
import {
  ControlState,
  Migration,
  Rollback,
  rollbackCreateSchema,
  Snapshot,
  snapshotCreateSchema,
  SnapshotVerification,
} from '@switchyard/plugin-cutover-common';
import type {
  ChecklistEvaluator,
  CutoverDatasetTarget,
  SnapshotDatasetFigures,
  SnapshotProvider,
  CutoverClock,
} from '@switchyard/plugin-cutover-node';
import { Request } from 'express';
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { CutoverStore } from '../database/CutoverStore';
import { StoredSnapshot } from '../database/SnapshotStore';
import { Caller } from './access';
import { AuditLog } from './AuditLog';
import { BackgroundJobs } from './BackgroundJobs';
import { notifyAboutMigration } from './notify';
import { SignalPublisher } from './SignalPublisher';

/** Snapshot settings from `cutover.snapshots`. */
export interface SnapshotSettings {
  /** Default time snapshots are kept. Default 14 days. */
  retentionMs: number;
  /** The longest retention a request may ask for. Default 90 days. */
  maxRetentionMs?: number;
  /** Snapshots a migration may keep (taken for rollbacks excepted). Default 20. */
  quotaCount?: number;
  /** Bytes of snapshot copies a migration may keep. Default 100 GiB. */
  quotaBytes?: number;
  /** How often a running job refreshes its heartbeat. Default 5 s. */
  heartbeatMs: number;
  /** A job whose heartbeat is older than this is considered dead. Default 60 s. */
  staleAfterMs: number;
}

/** Reads `cutover.snapshots` with its defaults. */
export function readSnapshotSettings(root: Config): SnapshotSettings {
  const c = root.getOptionalConfig('cutover.snapshots');
  const ms = (key: string, fallback: number) => duration(c, key, fallback);
  const retentionMs = ms('retention', 14 * 86_400_000);
  const maxRetentionMs = ms('maxRetention', 90 * 86_400_000);
  if (retentionMs > maxRetentionMs) {
    throw new Error(
      'cutover.snapshots.retention must not be longer than cutover.snapshots.maxRetention',
    );
  }
  return {
    retentionMs,
    maxRetentionMs,
    quotaCount: c?.getOptionalNumber('quota.count') ?? 20,
    quotaBytes: c?.getOptionalNumber('quota.bytes') ?? 100 * 1024 ** 3,
    heartbeatMs: ms('heartbeat', 5_000),
    staleAfterMs: ms('staleAfter', 60_000),
  };
}

const SYSTEM = { actor: 'plugin:cutover', requestId: null };

/** What a rollback does to the cutover (DatasetCutoverService implements it). */
export interface RollbackCutover {
  beginRollback(
    store: CutoverStore,
    migrationId: string,
    datasets: string[],
    rollbackId: string,
    caller: Caller | typeof SYSTEM,
  ): Promise<ControlState>;
  endRollback(
    store: CutoverStore,
    migrationId: string,
    restored: string[],
    rollbackId: string,
    succeeded: boolean,
    pausedFrom: ControlState | null,
  ): Promise<void>;
}

/**
 * Snapshots of the destination's datasets and rollbacks from them, run as background jobs on the
 * instance that accepted the request. Rows carry a heartbeat; jobs whose instance died are failed
 * at start-up and by a periodic sweep (each dataset restore is atomic in its provider, so a dead
 * job leaves every dataset either as before or fully restored).
 */
export class SnapshotService {
  private readonly jobs: BackgroundJobs<'snapshot' | 'rollback'>;

  constructor(
    private readonly deps: {
      store: CutoverStore;
      audit: AuditLog;
      signals: SignalPublisher;
      notifications?: NotificationService;
      logger: LoggerService;
      /** Providers in order of preference; the first that supports a dataset takes it. */
      providers: () => SnapshotProvider[];
      settings: SnapshotSettings;
      /** The plugin's one clock (see cutoverClockServiceRef). */
      clock: CutoverClock;
      /** The cutover side of a rollback: reads to LEGACY and jobs paused, then ROLLED_BACK. */
      cutover?: RollbackCutover;
      /** Long jobs this backend may run at once (shared with reconciliations). */
      slots?: JobSlots;
      /** Throws 403 unless snapshots and restores may write through the connection. */
      writable?: (connection: string, what: string) => void;
    },
  ) {
    this.jobs = new BackgroundJobs(deps.logger);
  }

  private now() {
    return this.deps.clock.now();
  }

  /** Where each chosen dataset lives on the destination; 400 naming what is missing. */
  targets(migration: Migration, datasets?: string[]): CutoverDatasetTarget[] {
    const connection = migration.destination?.connection;
    if (!connection) {
      throw new InputError(
        `Migration ${migration.id} has no destination.connection in its plan; snapshots act on the destination`,
      );
    }
    const known = new Map(migration.datasets.map(d => [d.name, d]));
    const names = datasets ?? migration.datasets.map(d => d.name);
    if (!names.length)
      throw new InputError(`Migration ${migration.id} has no datasets`);
    return names.map(name => {
      const d = known.get(name);
      if (!d)
        throw new InputError(
          `Invalid request: datasets: unknown dataset "${name}"`,
        );
      if (!d.destinationTable) {
        throw new InputError(
          `Dataset "${name}" has no table (or destinationTable) in the plan`,
        );
      }
      if (!d.keyColumns.length) {
        throw new InputError(`Dataset "${name}" has no keyColumns in the plan`);
      }
      return {
        migrationId: migration.id,
        dataset: name,
        connection,
        table: d.destinationTable,
        keyColumns: d.keyColumns,
      };
    });
  }

  private async providerFor(
    targets: CutoverDatasetTarget[],
  ): Promise<SnapshotProvider> {
    for (const provider of this.deps.providers()) {
      const all = await Promise.all(targets.map(t => provider.supports(t)));
      if (all.every(Boolean)) return provider;
    }
    throw new InputError(
      `No snapshot provider supports connection "${targets[0].connection}"; configure it under cutover.connections`,
    );
  }

  private providerById(id: string | null): SnapshotProvider {
    const provider = this.deps.providers().find(p => p.id === id);
    if (!provider)
      throw new ConflictError(
        `The snapshot provider "${id}" that made this snapshot is not installed`,
      );
    return provider;
  }

  // ----- snapshots -----

  async list(migration: Migration): Promise<{ items: Snapshot[] }> {
    const items = await this.deps.store.snapshots().listSnapshots(migration.id);
    return { items: items.map(present) };
  }

  async get(migration: Migration, id: string): Promise<Snapshot> {
    return present(await this.load(migration, id));
  }

  private async load(
    migration: Migration,
    id: string,
  ): Promise<StoredSnapshot> {
    const s = await this.deps.store.snapshots().getSnapshot(migration.id, id);
    if (!s)
      throw new NotFoundError(`No snapshot ${id} in migration ${migration.id}`);
    return s;
  }

  /** Accepts a snapshot (PENDING) and starts taking it in the background. */
  async create(
    migration: Migration,
    body: z.output<typeof snapshotCreateSchema>,
    caller: Caller | typeof SYSTEM,
    req?: Request,
    backupForRollback: string | null = null,
  ): Promise<Snapshot> {
    const targets = this.targets(migration, body.datasets);
    this.deps.writable?.(targets[0].connection, 'snapshots');
    await this.providerFor(targets);
    const id = randomUUID();
    const now = this.now();
    const maxRetentionMs = this.deps.settings.maxRetentionMs ?? Infinity;
    if (
      body.retentionDays &&
      body.retentionDays * 86_400_000 > maxRetentionMs
    ) {
      throw new InputError(
        `Invalid request: retentionDays: at most ${Math.floor(
          maxRetentionMs / 86_400_000,
        )} days (cutover.snapshots.maxRetention)`,
      );
    }
    const retention = body.retentionDays
      ? body.retentionDays * 86_400_000
      : this.deps.settings.retentionMs;
    if (!backupForRollback) await this.checkQuota(migration);
    const release = backupForRollback
      ? () => undefined
      : this.deps.slots?.acquire('snapshot') ?? (() => undefined);
    try {
      await this.deps.store.transaction(async store => {
        await store.snapshots().insertSnapshot({
          id,
          migrationId: migration.id,
          name: body.name,
          description: body.description ?? null,
          datasets: targets.map(t => t.dataset),
          createdAt: now,
          createdBy: caller.actor,
          expiresAt: now + retention,
          backupForRollback,
        });
        await this.deps.audit.record(
          store,
          caller,
          {
            migrationId: migration.id,
            action: 'snapshot.create',
            target: `snapshot:${id}`,
            after: {
              ...body,
              datasets: targets.map(t => t.dataset),
              backupForRollback,
            },
          },
          req,
        );
      });
    } catch (e) {
      release();
      throw e;
    }
    this.deps.signals.notify(migration.id, 'snapshot');
    if (!backupForRollback) {
      this.jobs.start('snapshot', id, () =>
        this.take(migration, id, targets).finally(release),
      );
    }
    return this.get(migration, id);
  }

  /** 409 naming the limit when the migration keeps as many snapshots (or bytes) as it may. */
  private async checkQuota(migration: Migration) {
    const { quotaCount, quotaBytes } = this.deps.settings;
    const kept = (
      await this.deps.store.snapshots().listSnapshots(migration.id)
    ).filter(s => s.status !== 'FAILED' && !s.backupForRollback);
    if (quotaCount !== undefined && kept.length >= quotaCount) {
      throw new ConflictError(
        `Migration ${migration.id} keeps ${kept.length} snapshots, its quota (cutover.snapshots.quota.count ${quotaCount}); delete one first`,
      );
    }
    const bytes = kept.reduce(
      (sum, s) =>
        sum +
        Object.values(s.figures).reduce((n, f) => n + (f.sizeBytes ?? 0), 0),
      0,
    );
    if (quotaBytes !== undefined && bytes >= quotaBytes) {
      throw new ConflictError(
        `Migration ${migration.id} keeps ${bytes} bytes of snapshots, its quota (cutover.snapshots.quota.bytes ${quotaBytes}); delete one first`,
      );
    }
  }

  /** Takes the copies; on failure removes what was copied. Returns the final snapshot. */
  private async take(
    migration: Migration,
    id: string,
    targets: CutoverDatasetTarget[],
  ): Promise<StoredSnapshot> {
    const snapshots = this.deps.store.snapshots();
    const figures: Record<string, SnapshotDatasetFigures> = {};
    let provider: SnapshotProvider | undefined;
    try {
      provider = await this.providerFor(targets);
      await snapshots.updateSnapshot(id, {
        status: 'RUNNING',
        provider: provider.id,
        heartbeatAt: this.now(),
      });
      this.deps.signals.notify(migration.id, 'snapshot');
      for (const [i, target] of targets.entries()) {
        const share = (p: number) =>
          ((i + Math.min(100, Math.max(0, p)) / 100) / targets.length) * 100;
        figures[target.dataset] = await provider.create(id, target, p => {
          void snapshots
            .updateSnapshot(id, { progress: share(p) })
            .catch(() => undefined);
        });
        await snapshots.updateSnapshot(id, { progress: share(100), figures });
        this.deps.signals.notify(migration.id, 'snapshot');
      }
      await snapshots.updateSnapshot(id, {
        status: 'SUCCEEDED',
        progress: 100,
        figures,
        finishedAt: this.now(),
      });
    } catch (e) {
      const message = errorText(e);
      this.deps.logger.warn(
        `Snapshot ${id} of ${migration.id} failed: ${message}`,
      );
      if (provider) {
        for (const target of targets) {
          const f = figures[target.dataset] ?? emptyFigures(target.dataset);
          await provider.delete(id, target, f).catch(() => undefined);
        }
      }
      await snapshots.updateSnapshot(id, {
        status: 'FAILED',
        error: message,
        finishedAt: this.now(),
        figures: {},
      });
    }
    this.deps.signals.notify(migration.id, 'snapshot');
    return this.load(migration, id);
  }

  async remove(
    migration: Migration,
    id: string,
    caller: Caller | typeof SYSTEM,
    req?: Request,
  ) {
    const snapshot = await this.load(migration, id);
    if (snapshot.status === 'PENDING' || snapshot.status === 'RUNNING') {
      throw new ConflictError(
        `Snapshot ${id} is still being taken; delete it when it has finished`,
      );
    }
    if (await this.deps.store.snapshots().snapshotInUse(id)) {
      throw new ConflictError(
        `Snapshot ${id} is being used by a running rollback`,
      );
    }
    await this.dropCopies(migration, snapshot);
    await this.deps.store.transaction(async store => {
      await store.snapshots().deleteSnapshot(id);
      await this.deps.audit.record(
        store,
        caller,
        {
          migrationId: migration.id,
          action: 'snapshot.delete',
          target: `snapshot:${id}`,
          before: present(snapshot),
        },
        req,
      );
    });
    this.deps.signals.notify(migration.id, 'snapshot');
  }

  private async dropCopies(migration: Migration, snapshot: StoredSnapshot) {
    if (!snapshot.provider) return;
    const provider = this.providerById(snapshot.provider);
    const connection = migration.destination?.connection ?? '';
    // Every dataset of the snapshot, recorded or not: a job that died between copying a dataset
    // and recording it leaves a copy only the provider can find by its name.
    for (const name of snapshot.datasets) {
      const f = snapshot.figures[name] ?? emptyFigures(name);
      const d = migration.datasets.find(x => x.name === f.dataset);
      await provider.delete(
        snapshot.id,
        {
          migrationId: migration.id,
          dataset: f.dataset,
          connection,
          table: d?.destinationTable ?? f.location,
          keyColumns: d?.keyColumns ?? [],
        },
        f,
      );
    }
  }

  /** Compares a snapshot with the destination's current data (counts and checksums). */
  async verify(
    migration: Migration,
    id: string,
    caller: Caller,
    req?: Request,
  ): Promise<SnapshotVerification> {
    const snapshot = await this.load(migration, id);
    if (snapshot.status !== 'SUCCEEDED') {
      throw new ConflictError(
        `Snapshot ${id} is ${snapshot.status}; only a complete snapshot can be verified`,
      );
    }
    const verification = await this.compare(
      migration,
      snapshot,
      snapshot.datasets,
    );
    await this.deps.store.transaction(async store => {
      await store
        .snapshots()
        .updateSnapshot(id, { lastVerification: verification });
      await this.deps.audit.record(
        store,
        caller,
        {
          migrationId: migration.id,
          action: 'snapshot.verify',
          target: `snapshot:${id}`,
          after: { matches: verification.matches },
        },
        req,
      );
    });
    this.deps.signals.notify(migration.id, 'snapshot');
    return verification;
  }

  private async compare(
    migration: Migration,
    snapshot: StoredSnapshot,
    datasets: string[],
  ): Promise<SnapshotVerification> {
    const provider = this.providerById(snapshot.provider);
    const targets = this.targets(migration, datasets);
    const rows = [];
    for (const target of targets) {
      const saved = snapshot.figures[target.dataset];
      const current = await provider.measure(target);
      rows.push({
        dataset: target.dataset,
        snapshotCount: saved.recordCount,
        currentCount: current.recordCount,
        snapshotChecksum: saved.checksum,
        currentChecksum: current.checksum,
        matches:
          saved.recordCount === current.recordCount &&
          saved.checksum === current.checksum,
      });
    }
    return {
      at: new Date(this.now()).toISOString(),
      matches: rows.every(r => r.matches),
      datasets: rows,
    };
  }

  // ----- rollbacks -----

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
    const targets = this.targets(migration, datasets);
    this.deps.writable?.(targets[0].connection, 'rollbacks');
    this.providerById(snapshot.provider);
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
        const backup = await this.create(
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
          this.take(migration, backup.id, targets),
        );
        if (taken.status !== 'SUCCEEDED') {
          throw new Error(
            `the backup snapshot failed (${taken.error}); nothing was restored`,
          );
        }
        await store.updateRollback(id, { progress: backupShare });
      }
      const provider = this.providerById(snapshot.provider);
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
            p => {
              void store
                .updateRollback(id, {
                  progress: backupShare + (span * Math.min(100, p)) / 100,
                })
                .catch(() => undefined);
            },
          );
          counts.forEach((c, i) => {
            results[i] = {
              ...results[i],
              status: 'RESTORED',
              recordsRestored: c.recordsRestored,
              recordsDeleted: c.recordsDeleted,
            };
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
              p => {
                void store
                  .updateRollback(id, {
                    progress: base + (span * Math.min(100, p)) / 100,
                  })
                  .catch(() => undefined);
              },
            );
            results[i] = {
              ...results[i],
              status: 'RESTORED',
              recordsRestored: r.recordsRestored,
              recordsDeleted: r.recordsDeleted,
            };
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
        const check = await this.compare(migration, snapshot, restoredNames);
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

  private async notify(
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
      const report = await this.settleAbandonedRollback(migration, r).catch(
        e => {
          this.deps.logger.warn(
            `Could not check abandoned rollback ${
              r.id
            } against its snapshot: ${errorText(e)}`,
          );
          return null;
        },
      );
      await this.notify(migration, {
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
        await this.remove(migration, s.id, SYSTEM);
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

  /**
   * After a crash: which datasets of an abandoned rollback were restored, found by comparing each
   * with the snapshot (count and checksum). Those are marked ROLLED_BACK (reading LEGACY), the
   * rollback's results say exactly which, and the migration stays paused. Returns a summary.
   */
  private async settleAbandonedRollback(
    migration: Migration,
    r: Rollback,
  ): Promise<string | null> {
    const snapshot = await this.deps.store
      .snapshots()
      .getSnapshot(migration.id, r.snapshotId);
    if (!snapshot || snapshot.status !== 'SUCCEEDED') return null;
    const check = await this.compare(migration, snapshot, r.datasets);
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

function present(s: StoredSnapshot): Snapshot {
  const { figures: _f, ...snapshot } = s;
  return snapshot;
}

function emptyFigures(dataset: string): SnapshotDatasetFigures {
  return { dataset, recordCount: 0, sizeBytes: 0, checksum: '', location: '' };
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
