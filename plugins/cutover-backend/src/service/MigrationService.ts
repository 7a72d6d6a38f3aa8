// Migrations: plans applied, patched, archived and restored, and the control state. Ingest of
// samples is in migrations/ingest.ts, the dashboard and trends in migrations/figures.ts.
import { ConflictError, InputError, NotFoundError } from '@backstage/errors';
import type {
  ControlState,
  Dashboard,
  IngestResult,
  MetricSample,
  Migration,
  MigrationStatus,
  ParsedMigrationPlan,
  Trends,
} from '@switchyard/plugin-cutover-common';
import type { Request } from 'express';
import type { MigrationFilter } from '../database/CutoverStore';
import type { Caller } from './access';
import {
  type MigrationContext,
  type MigrationDeps,
  type MigrationHooks,
  stripInternal,
} from './migrations/context';
import { migrationDashboard, migrationTrends } from './migrations/figures';
import { ingestSamples } from './migrations/ingest';

export type { MigrationHooks } from './migrations/context';

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

/** Migrations, their plans, control, ingest and the figures derived from samples. */
export class MigrationService {
  constructor(private readonly deps: MigrationDeps) {}

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

  ingest(
    id: string,
    batch: { samples: MetricSample[]; idempotencyKey?: string },
    caller: Caller,
    req: Request,
  ): Promise<IngestResult> {
    return ingestSamples(this.context(), id, batch, caller, req);
  }

  /** The dashboard of a migration already loaded (without datasets is enough). */
  dashboard(migration: Migration): Promise<Dashboard> {
    return migrationDashboard(this.context(), migration);
  }

  trends(
    id: string,
    query: { range: string; bucket?: string; dataset?: string },
  ): Promise<Trends> {
    return migrationTrends(this.context(), id, query);
  }

  private context(): MigrationContext {
    return {
      deps: this.deps,
      hooks: this.hooks,
      now: () => this.now(),
      get: id => this.get(id),
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
