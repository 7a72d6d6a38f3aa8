import type { CutoverClock } from '@switchyard/plugin-cutover-node';
import { ConflictError, InputError, NotFoundError } from '@backstage/errors';
import {
  bucketTrends,
  computeDashboard,
  ControlState,
  Dashboard,
  defaultBucketFor,
  IngestResult,
  MetricSample,
  Migration,
  MigrationStatus,
  ParsedMigrationPlan,
  parseDuration,
  Trends,
} from '@switchyard/plugin-cutover-common';
import { Request } from 'express';
import {
  CutoverStore,
  MigrationFilter,
  StoredSample,
} from '../database/CutoverStore';
import { Caller } from './access';
import { AuditLog } from './AuditLog';
import { idempotencyKeyFor } from './idempotency';
import { CutoverSettings } from './settings';
import { SignalPublisher } from './SignalPublisher';
import type { PlanGovernance } from '../governance/PlanGovernance';
import type { TableClaim } from '../database/GovernanceStore';

/** Status changes a user or job may make; anything else is a 409. */
const STATUS_TRANSITIONS: Record<MigrationStatus, MigrationStatus[]> = {
  PLANNED: ['IN_PROGRESS', 'CANCELLED'],
  IN_PROGRESS: ['PAUSED', 'COMPLETED', 'FAILED', 'CANCELLED', 'ROLLED_BACK'],
  PAUSED: ['IN_PROGRESS', 'FAILED', 'CANCELLED', 'ROLLED_BACK'],
  FAILED: ['IN_PROGRESS', 'ROLLED_BACK', 'CANCELLED'],
  COMPLETED: ['ROLLED_BACK', 'IN_PROGRESS'],
  ROLLED_BACK: ['IN_PROGRESS', 'PLANNED'],
  CANCELLED: [],
};

/** Samples dated further than this in the future are refused (clock skew allowance). */
const MAX_FUTURE_SKEW_MS = 5 * 60_000;
/** Trend ranges longer than this are refused. */
const MAX_TREND_RANGE_MS = 400 * 86_400_000;
const MAX_TREND_POINTS = 2000;

/** What applying plans and storing samples set off elsewhere. */
export interface MigrationHooks {
  /** Runs inside the transaction that applies a plan (e.g. to seed the checklist). */
  onPlanApplied?: (
    store: CutoverStore,
    plan: ParsedMigrationPlan,
  ) => Promise<void>;
  /** Runs after samples are stored (threshold rules); its failures never fail the ingest. */
  onSamplesWritten?: (migration: Migration) => Promise<void>;
  /** Datasets inside an active freeze window and since when, read in the ingest's transaction. */
  frozenSince?: (
    store: CutoverStore,
    migrationId: string,
  ) => Promise<Map<string, number>>;
}

/** Migrations, their plans, control, ingest and the figures derived from samples. */
export class MigrationService {
  constructor(
    private readonly deps: {
      store: CutoverStore;
      audit: AuditLog;
      signals: SignalPublisher;
      settings: CutoverSettings;
      /** The plugin's one clock (see cutoverClockServiceRef). */
      clock: CutoverClock;
      /** What a caller may put in a plan (owner, approvers, connections, tables). */
      governance?: PlanGovernance;
      /** The tables a plan names, which it holds while it is not archived. */
      claims?: (plan: ParsedMigrationPlan) => TableClaim[];
    },
  ) {}

  private hooks: MigrationHooks = {};

  /**
   * Registers what applying plans and storing samples set off in services built after this one
   * (once, when the plugin is wired).
   */
  registerHooks(hooks: MigrationHooks) {
    this.hooks = { ...this.hooks, ...hooks };
  }

  private now() {
    return this.deps.clock.now();
  }

  async get(id: string): Promise<Migration> {
    const migration = await this.deps.store.getMigration(id);
    if (!migration) throw new NotFoundError(`No migration with id "${id}"`);
    return stripInternal(migration);
  }

  async find(id: string): Promise<Migration | undefined> {
    const migration = await this.deps.store.getMigration(id);
    return migration && stripInternal(migration);
  }

  /** The migration without its datasets: enough to check permissions. */
  async getHeader(id: string): Promise<Migration> {
    const migration = await this.deps.store.getMigration(id, {
      withDatasets: false,
    });
    if (!migration) throw new NotFoundError(`No migration with id "${id}"`);
    return stripInternal(migration);
  }

  async list(filter: MigrationFilter): Promise<Migration[]> {
    return (await this.deps.store.listMigrations(filter)).map(stripInternal);
  }

  async applyPlan(
    plan: ParsedMigrationPlan,
    caller: Caller,
    req: Request,
    options: { mustCreate: boolean },
  ): Promise<{ created: boolean; migration: Migration }> {
    const existing = await this.deps.store.getMigration(plan.id, {
      includeArchived: true,
    });
    if (existing?.archivedAt) throw archivedConflict(plan.id);
    await this.deps.governance?.check(
      plan,
      existing && stripInternal(existing),
      caller,
    );
    const result = await this.deps.store.transaction(async store => {
      const current = await store.getMigration(plan.id, {
        includeArchived: true,
      });
      if (current?.archivedAt) throw archivedConflict(plan.id);
      if (options.mustCreate && current) {
        throw new ConflictError(
          `A migration with id "${plan.id}" already exists; use PUT /migrations/${plan.id} to apply a plan to it`,
        );
      }
      if (!existing && current) {
        // Created concurrently since the governance check: check again against what is there.
        throw new ConflictError(
          `Migration "${plan.id}" was created meanwhile; apply the plan again`,
        );
      }
      const applied = await store.applyPlan(plan, caller.actor, this.now());
      // After the row exists (claims reference it); a 409 here undoes the whole apply.
      await store
        .governance()
        .replaceClaims(plan.id, this.deps.claims?.(plan) ?? []);
      await this.hooks.onPlanApplied?.(store, plan);
      const unchanged =
        !applied.created &&
        JSON.stringify(stripInternal(applied.before!)) ===
          JSON.stringify(
            stripInternal({
              ...applied.after,
              updatedAt: applied.before!.updatedAt,
            }),
          );
      if (!unchanged) {
        await this.deps.audit.record(
          store,
          caller,
          {
            migrationId: plan.id,
            action: applied.created
              ? 'migration.create'
              : 'migration.apply-plan',
            before: applied.before ? summary(applied.before) : undefined,
            after: summary(applied.after),
          },
          req,
        );
      }
      return applied;
    });
    this.deps.signals.notify(plan.id, 'migration');
    return { created: result.created, migration: stripInternal(result.after) };
  }

  async patch(
    id: string,
    patch: {
      title?: string;
      description?: string | null;
      status?: MigrationStatus;
      controlState?: ControlState;
      plannedStart?: string | null;
      plannedEnd?: string | null;
      reason?: string;
    },
    caller: Caller,
    req: Request,
  ): Promise<Migration> {
    await this.deps.store.transaction(async store => {
      const before = await store.getMigration(id);
      if (!before) throw new NotFoundError(`No migration with id "${id}"`);
      const now = this.now();
      let status = patch.status;
      let controlState = patch.controlState;
      // Control and status move together: pausing a running migration pauses it, and so on.
      if (controlState && !status) {
        if (controlState === 'PAUSE' && before.status === 'IN_PROGRESS')
          status = 'PAUSED';
        if (controlState === 'RUN' && before.status === 'PAUSED')
          status = 'IN_PROGRESS';
        if (controlState === 'CANCEL' && before.status !== 'CANCELLED')
          status = 'CANCELLED';
      }
      if (status && !controlState) {
        if (status === 'PAUSED') controlState = 'PAUSE';
        if (status === 'IN_PROGRESS') controlState = 'RUN';
        if (status === 'CANCELLED') controlState = 'CANCEL';
      }
      if (status && status !== before.status) {
        if (!STATUS_TRANSITIONS[before.status].includes(status)) {
          throw new ConflictError(
            `Migration "${id}" cannot go from ${
              before.status
            } to ${status}; allowed: ${
              STATUS_TRANSITIONS[before.status].join(', ') || 'none'
            }`,
          );
        }
      }
      if (
        before.status === 'CANCELLED' &&
        controlState &&
        controlState !== 'CANCEL'
      ) {
        throw new ConflictError(
          `Migration "${id}" is cancelled; it cannot be resumed`,
        );
      }
      const plannedStart = toMillis(patch.plannedStart);
      const plannedEnd = toMillis(patch.plannedEnd);
      const startMs =
        plannedStart === undefined
          ? toMillis(before.plannedStart) ?? null
          : plannedStart;
      const endMs =
        plannedEnd === undefined
          ? toMillis(before.plannedEnd) ?? null
          : plannedEnd;
      if (startMs !== null && endMs !== null && endMs < startMs) {
        throw new InputError(
          'Invalid request: plannedEnd: must not be before plannedStart',
        );
      }
      const changingStatus = status && status !== before.status;
      let actualEnd: number | null | undefined;
      if (
        changingStatus &&
        ['COMPLETED', 'FAILED', 'CANCELLED', 'ROLLED_BACK'].includes(status!)
      ) {
        actualEnd = now;
      } else if (changingStatus && status === 'IN_PROGRESS') {
        actualEnd = null;
      }
      await store.updateMigration(
        id,
        {
          title: patch.title,
          description: patch.description,
          status: changingStatus ? status : undefined,
          controlState,
          plannedStart,
          plannedEnd,
          actualStart:
            changingStatus && status === 'IN_PROGRESS' && !before.actualStart
              ? now
              : undefined,
          actualEnd,
        },
        now,
      );
      const after = (await store.getMigration(id))!;
      await this.deps.audit.record(
        store,
        caller,
        {
          migrationId: id,
          action:
            controlState && controlState !== before.controlState
              ? 'migration.control'
              : 'migration.update',
          before: pick(before, patch),
          after: {
            ...pick(after, patch),
            ...(patch.reason ? { reason: patch.reason } : {}),
          },
        },
        req,
      );
    });
    this.deps.signals.notify(id, 'migration');
    return this.get(id);
  }

  async archive(id: string, caller: Caller, req: Request): Promise<void> {
    await this.deps.store.transaction(async store => {
      const before = await store.getMigration(id);
      if (!before) throw new NotFoundError(`No migration with id "${id}"`);
      await store.archiveMigration(id, this.now());
      await store.governance().releaseClaims(id);
      await this.deps.audit.record(
        store,
        caller,
        {
          migrationId: id,
          action: 'migration.archive',
          before: summary(before),
        },
        req,
      );
    });
    this.deps.signals.notify(id, 'migration');
  }

  /** An archived migration, for the permission check of a restore (404 when none is archived). */
  async getArchived(id: string): Promise<Migration> {
    const migration = await this.deps.store.getMigration(id, {
      includeArchived: true,
      withDatasets: false,
    });
    if (!migration?.archivedAt) {
      throw new NotFoundError(`No archived migration with id "${id}"`);
    }
    return stripInternal(migration);
  }

  /**
   * Brings an archived migration back as it was, with its owner, history and approvals; its tables
   * are claimed again (409 when another migration holds one meanwhile).
   */
  async restore(
    id: string,
    reason: string,
    caller: Caller,
    req: Request,
  ): Promise<Migration> {
    await this.deps.store.transaction(async store => {
      const before = await store.getMigration(id, { includeArchived: true });
      if (!before?.archivedAt)
        throw new NotFoundError(`No archived migration with id "${id}"`);
      const plan = JSON.parse(
        (await store.getPlan(id)) ?? '{}',
      ) as ParsedMigrationPlan;
      await store
        .governance()
        .replaceClaims(id, plan.datasets ? this.deps.claims?.(plan) ?? [] : []);
      await store.restoreMigration(id, this.now());
      await this.deps.audit.record(
        store,
        caller,
        {
          migrationId: id,
          action: 'migration.restore',
          before: { archivedAt: before.archivedAt },
          after: { reason },
        },
        req,
      );
    });
    this.deps.signals.notify(id, 'migration');
    return this.get(id);
  }

  async ingest(
    id: string,
    batch: { samples: MetricSample[]; idempotencyKey?: string },
    caller: Caller,
    req: Request,
  ): Promise<IngestResult> {
    const now = this.now();
    const result = await this.deps.store.transaction(async store => {
      const migration = await store.getMigration(id);
      if (!migration) throw new NotFoundError(`No migration with id "${id}"`);
      if (migration.status === 'CANCELLED') {
        throw new ConflictError(
          `Migration "${id}" is cancelled; it takes no more samples`,
        );
      }
      // The key is claimed first: a concurrent request with the same key waits for this one's
      // transaction and then answers with its response instead of applying the batch again.
      if (
        batch.idempotencyKey &&
        !(await store.claimIdempotencyKey(
          id,
          idempotencyKeyFor('metrics', batch.idempotencyKey),
          now,
        ))
      ) {
        const seen = await store.getIdempotentResponse(
          id,
          idempotencyKeyFor('metrics', batch.idempotencyKey),
        );
        if (seen) {
          const previous = seen as IngestResult;
          return {
            response: {
              ...previous,
              accepted: 0,
              duplicates: previous.accepted,
            },
            startedNow: false,
            changed: 0,
            migration,
          };
        }
      }
      const known = new Set(migration.datasets.map(d => d.name));
      // Samples of datasets inside an active freeze window are marked: their data should not move.
      const frozen = this.hooks.frozenSince
        ? await this.hooks.frozenSince(store, id)
        : new Map<string, number>();
      // Samples sent while the migration, or the phase moving their dataset, is paused are taken
      // (the data is moving whatever the control says) and marked, so the page can say so.
      const pausedPhases = (await store.listPhases(id)).filter(p => p.paused);
      const pausedDatasets = new Set(pausedPhases.flatMap(p => p.datasets ?? []));
      const migrationPaused = migration.controlState === 'PAUSE';
      const samples: StoredSample[] = batch.samples.map((s, i) => {
        if (!known.has(s.dataset)) {
          throw new InputError(
            `Invalid request: samples.${i}.dataset: unknown dataset "${s.dataset}" in migration "${id}"; add it to the plan first`,
          );
        }
        const at = s.at ? Date.parse(s.at) : now;
        if (at > now + MAX_FUTURE_SKEW_MS) {
          throw new InputError(
            `Invalid request: samples.${i}.at: ${s.at} is in the future`,
          );
        }
        return {
          dataset: s.dataset,
          at,
          totalRecords: s.totalRecords ?? null,
          importedRecords: s.importedRecords ?? null,
          failedRecords: s.failedRecords ?? null,
          skippedRecords: s.skippedRecords ?? null,
          completeness: s.completeness ?? null,
          validity: s.validity ?? null,
          consistency: s.consistency ?? null,
          accuracy: s.accuracy ?? null,
          errorsCritical: s.errors?.critical ?? null,
          errorsHigh: s.errors?.high ?? null,
          errorsMedium: s.errors?.medium ?? null,
          errorsLow: s.errors?.low ?? null,
          duringFreeze: frozen.has(s.dataset) && at >= frozen.get(s.dataset)!,
          bytesMoved: s.bytesMoved ?? null,
          cpuSeconds: s.cpuSeconds ?? null,
          memoryPeakBytes: s.memoryPeakBytes ?? null,
          cost: s.cost ?? null,
          errorsByType: s.errorsByType ?? null,
          paused: migrationPaused || pausedDatasets.has(s.dataset),
        };
      });
      const pausedCount = samples.filter(s => s.paused).length;
      const written = await store.writeSamples(id, samples, {
        rateWindowMs: this.deps.settings.rateWindowMs,
      });
      // The first sample means a job is running: the migration has started. Only one of
      // concurrent first batches makes that transition (and records it).
      const startedNow =
        migration.status === 'PLANNED' &&
        (await store.updateMigration(
          id,
          { status: 'IN_PROGRESS', actualStart: now },
          now,
          'PLANNED',
        ));
      if (startedNow) {
        await this.deps.audit.record(
          store,
          caller,
          {
            migrationId: id,
            action: 'migration.start',
            before: { status: 'PLANNED' },
            after: {
              status: 'IN_PROGRESS',
              reason: 'first metric sample received',
            },
          },
          req,
        );
      }
      const response: IngestResult = {
        accepted: written.accepted,
        duplicates: 0,
        datasets: [...new Set(samples.map(s => s.dataset))],
        ...(pausedCount ? { paused: pausedCount } : {}),
      };
      if (batch.idempotencyKey) {
        await store.putIdempotentResponse(
          id,
          idempotencyKeyFor('metrics', batch.idempotencyKey),
          response,
          now,
        );
      }
      return {
        response,
        startedNow,
        changed: written.changedDatasets.length,
        // As it stands after this batch, for the rules evaluated below (no second read).
        migration:
          migration.status === 'PLANNED'
            ? { ...migration, status: 'IN_PROGRESS' as const }
            : migration,
      };
    });
    if (result.startedNow) this.deps.signals.notify(id, 'migration');
    // Screens learn of the new figures first; threshold rules (which may raise alerts, with
    // signals of their own) run after.
    if (result.changed) {
      this.deps.signals.notify(id, 'progress');
      if (
        batch.samples.some(
          s =>
            (s.completeness ?? s.validity ?? s.consistency ?? s.accuracy) !==
            undefined,
        )
      ) {
        this.deps.signals.notify(id, 'quality');
      }
    }
    if (this.hooks.onSamplesWritten && result.changed) {
      await this.hooks
        .onSamplesWritten(stripInternal(result.migration))
        .catch(() => undefined);
    }
    return result.response;
  }

  /** The dashboard of a migration already loaded (without datasets is enough). */
  async dashboard(migration: Migration): Promise<Dashboard> {
    const [figures, phases] = await Promise.all([
      this.deps.store.getDatasetFigures(migration.id),
      this.deps.store.listPhases(migration.id),
    ]);
    return computeDashboard(
      migration,
      figures.map(d => ({
        ...d,
        errors: {
          critical: d.errorsCritical,
          high: d.errorsHigh,
          medium: d.errorsMedium,
          low: d.errorsLow,
        },
      })),
      {
        now: this.now(),
        rateWindowMs: this.deps.settings.rateWindowMs,
        stallAfterMs: this.deps.settings.stallAfterMs,
        qualityThreshold: this.deps.settings.qualityThreshold,
        currency: this.deps.settings.currency,
        pausedPhases: phases
          .filter(p => p.paused)
          .map(p => ({ id: p.id, datasets: p.datasets ?? [] })),
      },
    );
  }

  async trends(
    id: string,
    query: { range: string; bucket?: string; dataset?: string },
  ): Promise<Trends> {
    const migration = await this.deps.store.getMigration(id);
    if (!migration) throw new NotFoundError(`No migration with id "${id}"`);
    const rangeMs = parseDuration(query.range)!;
    if (rangeMs > MAX_TREND_RANGE_MS) {
      throw new InputError('Invalid query: range: must be at most 400d');
    }
    const bucket = query.bucket ?? defaultBucketFor(rangeMs);
    const bucketMs = parseDuration(bucket)!;
    if (rangeMs / bucketMs > MAX_TREND_POINTS) {
      throw new InputError(
        `Invalid query: bucket: ${bucket} over ${query.range} gives more than ${MAX_TREND_POINTS} points; choose a larger bucket`,
      );
    }
    if (
      query.dataset &&
      !migration.datasets.some(d => d.name === query.dataset)
    ) {
      throw new NotFoundError(
        `No dataset "${query.dataset}" in migration "${id}"`,
      );
    }
    const to = this.now();
    const from = to - rangeMs;
    const [before, within] = await Promise.all([
      this.deps.store.readSamplesBefore(id, from, query.dataset),
      this.deps.store.readSamples(id, { from, to, dataset: query.dataset }),
    ]);
    const totals = Object.fromEntries(
      migration.datasets
        .filter(d => !query.dataset || d.name === query.dataset)
        .map(d => [d.name, d.totalRecords]),
    );
    const series = bucketTrends([...before, ...within], {
      from,
      to,
      bucketMs,
      totals,
    });
    return {
      range: query.range,
      bucket,
      dataset: query.dataset ?? null,
      ...series,
      timestamps: series.timestamps.map(t => new Date(t).toISOString()),
    };
  }
}

/** An optional, nullable ISO time as epoch milliseconds, keeping undefined and null apart. */
function toMillis(iso: string | null | undefined): number | null | undefined {
  if (iso === undefined || iso === null) return iso;
  return Date.parse(iso);
}

function archivedConflict(id: string) {
  return new ConflictError(
    `Migration "${id}" is archived: archived stays archived. Restore it (POST /migrations/${id}/restore, with the delete permission on it) or use another id`,
  );
}

function stripInternal(
  m: Migration & { archivedAt?: string | null },
): Migration {
  const { archivedAt: _archived, ...rest } = m;
  return rest;
}

function summary(m: Migration) {
  return {
    title: m.title,
    owner: m.owner,
    approvers: m.approvers,
    status: m.status,
    controlState: m.controlState,
    plannedStart: m.plannedStart,
    plannedEnd: m.plannedEnd,
    datasets: m.datasets.map(d => d.name),
    entityRefs: m.entityRefs,
  };
}

function pick(m: Migration, patch: object) {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(patch)) {
    if (key in m) out[key] = (m as any)[key];
  }
  if ('controlState' in patch || 'status' in patch) {
    out.status = m.status;
    out.controlState = m.controlState;
  }
  return out;
}
