import type { CutoverClock } from '@switchyard/plugin-cutover-node';
import { NotFoundError } from '@backstage/errors';
import {
  CutoverSignalType,
  Migration,
  nextScheduledRun,
  ScheduleTiming,
} from '@switchyard/plugin-cutover-common';
import { Request } from 'express';
import { randomUUID } from 'node:crypto';
import { CutoverStore } from '../database/CutoverStore';
import { ScheduleInsert, SchedulePatch } from '../database/ScheduleTable';
import { Caller } from './access';
import { AuditLog } from './AuditLog';
import { SignalPublisher } from './SignalPublisher';

/** A stored schedule as the lifecycle needs it: its timing, state and where its slots start. */
export interface LifecycleSchedule extends ScheduleTiming {
  id: string;
  migrationId: string;
  name: string;
  enabled: boolean;
  anchorAt: number;
  nextRunMs: number | null;
}

/** The rows of one kind of schedule, in one store (or transaction). */
export interface ScheduleRows<S, Extra> {
  get(migrationId: string, id: string): Promise<S | undefined>;
  insert(row: ScheduleInsert & Extra): Promise<void>;
  update(id: string, patch: SchedulePatch): Promise<void>;
  delete(id: string): Promise<boolean>;
  claimSlot(
    id: string,
    slot: number,
    next: number,
    now: number,
  ): Promise<boolean>;
}

/** One kind of schedule: report schedules, or the snapshot or reconciliation schedules. */
export interface ScheduleKind<S, Extra> {
  /** The audit action and target prefix, e.g. `report-schedule`. */
  audit: string;
  /** How a message names it: `No ${label} schedule …`. */
  label: string;
  /** The signal a change of its schedules sends. */
  signal: CutoverSignalType;
  rows(store: CutoverStore): ScheduleRows<S, Extra>;
}

/** What a create request says about a schedule's name, state and timing. */
export interface ScheduleCreate extends ScheduleTiming {
  name: string;
  enabled: boolean;
  timezone: string;
}

/**
 * The next slot of a schedule that a patch turns back on (report, snapshot and reconciliation
 * schedules alike); undefined when the patch does not resume it, so its next run stays as it was.
 */
export function nextRunOnResume(
  before: LifecycleSchedule,
  patch: { enabled?: boolean },
  now: number,
): number | undefined {
  if (patch.enabled !== true || before.enabled) return undefined;
  return nextScheduledRun(
    before,
    new Date(now),
    new Date(before.anchorAt),
  ).getTime();
}

/** The services a schedule's changes go through. */
export interface LifecycleDeps {
  clock: CutoverClock;
  store: CutoverStore;
  audit: AuditLog;
  signals: SignalPublisher;
}

/**
 * The life of a schedule, whatever it runs: create, rename, pause and resume, delete (each in a
 * transaction with its audit record, then a signal), and the claim of a due slot. Report
 * schedules and snapshot/reconciliation schedules both go through it; what a slot does stays
 * with their services.
 */
export class ScheduleLifecycle<S extends LifecycleSchedule, Extra> {
  constructor(
    private readonly deps: LifecycleDeps,
    private readonly kind: ScheduleKind<S, Extra>,
  ) {}

  /** The audit record of a change of schedule `id`: `<kind>.<verb>` on `<kind>:<id>`. */
  private async record(
    store: CutoverStore,
    caller: Caller,
    req: Request | undefined,
    migration: Migration,
    id: string,
    verb: string,
    change: { before?: unknown; after?: unknown },
  ) {
    await this.deps.audit.record(
      store,
      caller,
      {
        migrationId: migration.id,
        action: `${this.kind.audit}.${verb}`,
        target: `${this.kind.audit}:${id}`,
        ...change,
      },
      req,
    );
  }

  /** The schedule, or a NotFoundError naming it. */
  async load(
    migration: Migration,
    id: string,
    store: CutoverStore = this.deps.store,
  ): Promise<S> {
    const s = await this.kind.rows(store).get(migration.id, id);
    if (!s)
      throw new NotFoundError(
        `No ${this.kind.label} schedule ${id} in migration ${migration.id}`,
      );
    return s;
  }

  /** Stores a new schedule with its first slot after now; returns its id. */
  async create(
    migration: Migration,
    body: ScheduleCreate,
    extra: Extra,
    auditAfter: unknown,
    caller: Caller,
    req?: Request,
  ): Promise<string> {
    const id = randomUUID();
    const now = this.deps.clock.now();
    const timing = {
      frequency: body.frequency,
      dayOfWeek: body.dayOfWeek ?? null,
      dayOfMonth: body.dayOfMonth ?? null,
      time: body.time,
      timezone: body.timezone,
    };
    const next = nextScheduledRun(
      timing,
      new Date(now),
      new Date(now),
    ).getTime();
    await this.deps.store.transaction(async store => {
      await this.kind.rows(store).insert({
        id,
        migrationId: migration.id,
        name: body.name,
        ...timing,
        enabled: body.enabled,
        createdAt: now,
        createdBy: caller.actor,
        nextRunAt: next,
        ...extra,
      });
      await this.record(store, caller, req, migration, id, 'create', {
        after: auditAfter,
      });
    });
    this.deps.signals.notify(migration.id, this.kind.signal);
    return id;
  }

  /** Pauses, resumes or renames a schedule. Resuming computes the next slot from now. */
  async update(
    migration: Migration,
    id: string,
    patch: { enabled?: boolean; name?: string },
    caller: Caller,
    req?: Request,
  ) {
    await this.deps.store.transaction(async store => {
      const before = await this.load(migration, id, store);
      const nextRunAt = nextRunOnResume(before, patch, this.deps.clock.now());
      await this.kind.rows(store).update(id, { ...patch, nextRunAt });
      const verb = patch.enabled === false ? 'pause' : 'update';
      await this.record(store, caller, req, migration, id, verb, {
        before: { name: before.name, enabled: before.enabled },
        after: patch,
      });
    });
    this.deps.signals.notify(migration.id, this.kind.signal);
  }

  /** Deletes a schedule; the audit record keeps it as `present` shows it. */
  async remove(
    migration: Migration,
    id: string,
    present: (s: S) => unknown,
    caller: Caller,
    req?: Request,
  ) {
    await this.deps.store.transaction(async store => {
      const before = await this.load(migration, id, store);
      await this.kind.rows(store).delete(id);
      await this.record(store, caller, req, migration, id, 'delete', {
        before: present(before),
      });
    });
    this.deps.signals.notify(migration.id, this.kind.signal);
  }

  /**
   * Claims the due slot of a schedule by moving it to its next slot after now (slots missed while
   * no backend ran are not replayed). Returns the claimed slot, or undefined when another
   * dispatcher claimed it first.
   */
  async claim(schedule: S, now: number): Promise<number | undefined> {
    const slot = schedule.nextRunMs!;
    const next = nextScheduledRun(
      schedule,
      new Date(now),
      new Date(schedule.anchorAt),
    ).getTime();
    const claimed = await this.kind
      .rows(this.deps.store)
      .claimSlot(schedule.id, slot, next, now);
    return claimed ? slot : undefined;
  }
}
