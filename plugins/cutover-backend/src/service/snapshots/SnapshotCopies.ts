import { ConflictError, InputError, NotFoundError } from '@backstage/errors';
import {
  type Migration,
  type Snapshot,
  snapshotCreateSchema,
  type SnapshotVerification,
} from '@switchyard/plugin-cutover-common';
import type {
  CutoverDatasetTarget,
  SnapshotDatasetFigures,
  SnapshotProvider,
} from '@switchyard/plugin-cutover-node';
import type { Request } from 'express';
import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import type { StoredSnapshot } from '../../database/SnapshotStore';
import type { Caller } from '../access';
import {
  emptyFigures,
  errorText,
  present,
  type SnapshotDeps,
  type SnapshotJobs,
  SYSTEM,
} from './shared';

/**
 * Snapshots of the destination's datasets: where each dataset lives, the provider that copies
 * it, the quota, taking a snapshot in the background, deleting and verifying one.
 */
export class SnapshotCopies {
  constructor(
    private readonly deps: SnapshotDeps,
    private readonly jobs: SnapshotJobs,
  ) {}

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

  async providerFor(
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

  providerById(id: string | null): SnapshotProvider {
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

  async load(migration: Migration, id: string): Promise<StoredSnapshot> {
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
  async take(
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

  async compare(
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
}
