import type { CutoverClock } from '@switchyard/plugin-cutover-node';
import { Config } from '@backstage/config';
import { LoggerService, SchedulerService } from '@backstage/backend-plugin-api';
import { ConflictError, InputError, NotFoundError } from '@backstage/errors';
import {
  FreezeWindow,
  freezeWindowCreateSchema,
  Migration,
  ReadSource,
} from '@switchyard/plugin-cutover-common';
import { Request } from 'express';
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { CutoverStore } from '../database/CutoverStore';
import { Caller, SYSTEM_ACTOR } from './access';
import { AuditLog } from './AuditLog';
import { SignalPublisher } from './SignalPublisher';

/** Guards of freeze windows, from `cutover.freeze`. */
export interface FreezeSettings {
  /** Switching a dataset to DUAL or NEW needs an ACTIVE freeze window covering it. Default false. */
  requireWindowForSwitch: boolean;
  /** Samples ingested for a dataset inside an ACTIVE window are marked `duringFreeze`. Default true. */
  markSamples: boolean;
}

/** Reads `cutover.freeze` with its defaults. */
export function readFreezeSettings(root: Config): FreezeSettings {
  const c = root.getOptionalConfig('cutover.freeze');
  return {
    requireWindowForSwitch:
      c?.getOptionalBoolean('requireWindowForSwitch') ?? false,
    markSamples: c?.getOptionalBoolean('markSamples') ?? true,
  };
}

/**
 * Freeze windows: planned, activated and completed by people or on the clock, and the guards they
 * put on read-source switches (the cutover service asks {@link FreezeWindowService.checkSwitchGuards}
 * inside its transaction).
 */
export class FreezeWindowService {
  constructor(
    private readonly deps: {
      store: CutoverStore;
      audit: AuditLog;
      signals: SignalPublisher;
      settings: FreezeSettings;
      /** The plugin's one clock (see cutoverClockServiceRef). */
      clock: CutoverClock;
      /** Tells the owner that a window moved on the clock (activated, completed, or never activated). */
      onWindowClock?: (
        migration: Migration,
        window: FreezeWindow,
        what: 'activated' | 'completed' | 'cancelled',
      ) => Promise<void>;
      logger?: LoggerService;
    },
  ) {}

  private now() {
    return this.deps.clock.now();
  }

  /** ACTIVE windows covering a dataset. */
  async activeWindows(
    migrationId: string,
    dataset?: string,
    store: CutoverStore = this.deps.store,
  ): Promise<FreezeWindow[]> {
    const windows = await store
      .freezeWindows()
      .listWindows(migrationId, ['ACTIVE']);
    return dataset
      ? windows.filter(w => w.datasets.includes(dataset))
      : windows;
  }

  /**
   * What ACTIVE windows on a dataset forbid: any source but LEGACY where a window does not allow
   * switches, and (with `requireWindowForSwitch`) any source but LEGACY outside a window.
   */
  async checkSwitchGuards(
    store: CutoverStore,
    migrationId: string,
    dataset: string,
    target: ReadSource,
  ) {
    const active = await this.activeWindows(migrationId, dataset, store);
    const forbidding = active.find(w => !w.allowReadSourceSwitch);
    if (forbidding && target !== 'LEGACY') {
      throw new ConflictError(
        `Freeze window "${forbidding.name}" is active on "${dataset}" and does not allow read-source switches (switching back to LEGACY is always allowed)`,
      );
    }
    if (
      this.deps.settings.requireWindowForSwitch &&
      target !== 'LEGACY' &&
      !active.length
    ) {
      throw new ConflictError(
        `Switching "${dataset}" to ${target} needs an active freeze window covering it (cutover.freeze.requireWindowForSwitch)`,
      );
    }
  }

  async listWindows(migration: Migration): Promise<{ items: FreezeWindow[] }> {
    return {
      items: await this.deps.store.freezeWindows().listWindows(migration.id),
    };
  }

  async createWindow(
    migration: Migration,
    body: z.output<typeof freezeWindowCreateSchema>,
    caller: Caller,
    req?: Request,
  ): Promise<FreezeWindow> {
    for (const name of body.datasets) {
      if (!migration.datasets.some(d => d.name === name)) {
        throw new InputError(
          `Invalid request: datasets: unknown dataset "${name}"`,
        );
      }
    }
    const id = randomUUID();
    const startsAt = Date.parse(body.startsAt);
    const endsAt = Date.parse(body.endsAt);
    await this.deps.store.transaction(async store => {
      await this.refuseOverlap(
        store,
        migration.id,
        body.datasets,
        startsAt,
        endsAt,
      );
      await store.freezeWindows().insertWindow({
        id,
        migrationId: migration.id,
        name: body.name,
        description: body.description ?? null,
        datasets: body.datasets,
        startsAt,
        endsAt,
        allowReadSourceSwitch: body.allowReadSourceSwitch,
        createdAt: this.now(),
        createdBy: caller.actor,
      });
      await this.deps.audit.record(
        store,
        caller,
        {
          migrationId: migration.id,
          action: 'freeze.plan',
          target: `freeze-window:${id}`,
          after: body,
        },
        req,
      );
    });
    this.deps.signals.notify(migration.id, 'timeline');
    return (await this.deps.store.freezeWindows().getWindow(migration.id, id))!;
  }

  private async refuseOverlap(
    store: CutoverStore,
    migrationId: string,
    datasets: string[],
    startsAt: number,
    endsAt: number,
    exceptId?: string,
  ) {
    const open = await store
      .freezeWindows()
      .listWindows(migrationId, ['PLANNED', 'ACTIVE']);
    for (const w of open) {
      if (w.id === exceptId) continue;
      const shared = w.datasets.filter(d => datasets.includes(d));
      const overlaps =
        startsAt < Date.parse(w.endsAt) && Date.parse(w.startsAt) < endsAt;
      if (shared.length && overlaps) {
        throw new ConflictError(
          `Freeze window overlaps "${w.name}" (${w.startsAt} - ${w.endsAt}, ${
            w.status
          }) on ${shared.join(', ')}`,
        );
      }
    }
  }

  async transitionWindow(
    migration: Migration,
    id: string,
    action: 'activate' | 'complete' | 'cancel',
    reason: string | undefined,
    caller: Caller,
    req?: Request,
  ): Promise<FreezeWindow> {
    const rules = {
      activate: { from: ['PLANNED'], to: 'ACTIVE' },
      complete: { from: ['ACTIVE'], to: 'COMPLETED' },
      cancel: { from: ['PLANNED', 'ACTIVE'], to: 'CANCELLED' },
    }[action];
    await this.deps.store.transaction(async store => {
      const before = await store.freezeWindows().getWindow(migration.id, id);
      if (!before)
        throw new NotFoundError(
          `No freeze window ${id} in migration ${migration.id}`,
        );
      const now = this.now();
      const fields = {
        activate: { activatedAt: now, activatedBy: caller.actor },
        complete: { completedAt: now, completedBy: caller.actor },
        cancel: { cancelledAt: now, cancelReason: reason ?? null },
      }[action];
      if (
        !(await store
          .freezeWindows()
          .transitionWindow(id, rules.from, rules.to, fields))
      ) {
        throw new ConflictError(
          `Freeze window "${before.name}" is ${
            before.status
          }; only a ${rules.from.join(' or ')} window can ${
            action === 'activate' ? 'be activated' : `be ${action}d`
          }`,
        );
      }
      await this.deps.audit.record(
        store,
        caller,
        {
          migrationId: migration.id,
          action: `freeze.${action}`,
          target: `freeze-window:${id}`,
          before: { status: before.status },
          after: { status: rules.to, reason },
        },
        req,
      );
    });
    this.deps.signals.notify(migration.id, 'timeline');
    return (await this.deps.store.freezeWindows().getWindow(migration.id, id))!;
  }

  /**
   * Freeze windows on the clock: a PLANNED window whose start has come becomes ACTIVE, an ACTIVE
   * one whose end has come COMPLETED, and a PLANNED one whose end passed before any backend could
   * activate it is CANCELLED saying so. Each move is a conditional update, so of replicas racing
   * for it one makes it, audits it as Switchyard itself and notifies the owner.
   */
  async advanceWindows(): Promise<number> {
    const now = this.now();
    let moved = 0;
    const moves = {
      activated: { to: 'ACTIVE', action: 'activate', edge: 'start' },
      completed: { to: 'COMPLETED', action: 'complete', edge: 'end' },
      cancelled: { to: 'CANCELLED', action: 'cancel', edge: 'end' },
    } as const;
    for (const w of await this.deps.store.freezeWindows().dueWindows(now)) {
      let what: keyof typeof moves = 'activated';
      if (w.status === 'ACTIVE') what = 'completed';
      else if (Date.parse(w.endsAt) <= now) what = 'cancelled';
      const { to, action, edge } = moves[what];
      const reason =
        what === 'cancelled'
          ? `its end (${w.endsAt}) passed before it could be activated: no backend ran during it`
          : `its ${edge} (${edge === 'start' ? w.startsAt : w.endsAt}) came`;
      const fields = {
        activated: { activatedAt: now, activatedBy: SYSTEM_ACTOR.actor },
        completed: { completedAt: now, completedBy: SYSTEM_ACTOR.actor },
        cancelled: { cancelledAt: now, cancelReason: reason },
      }[what];
      const done = await this.deps.store.transaction(async store => {
        if (
          !(await store
            .freezeWindows()
            .transitionWindow(w.id, [w.status], to, fields))
        )
          return false;
        await this.deps.audit.record(store, SYSTEM_ACTOR, {
          migrationId: w.migrationId,
          action: `freeze.${action}`,
          target: `freeze-window:${w.id}`,
          before: { status: w.status },
          after: { status: to, reason, automatic: true },
        });
        return true;
      });
      if (!done) continue;
      moved++;
      this.deps.signals.notify(w.migrationId, 'timeline');
      try {
        const migration = await this.deps.store.getMigration(w.migrationId);
        const after = await this.deps.store
          .freezeWindows()
          .getWindow(w.migrationId, w.id);
        if (migration && after)
          await this.deps.onWindowClock?.(migration, after, what);
      } catch (e) {
        this.deps.logger?.warn(
          `Could not tell the owner of ${w.migrationId} about freeze window ${
            w.id
          }: ${String(e)}`,
        );
      }
    }
    return moved;
  }

  async schedule(scheduler: SchedulerService) {
    await scheduler.scheduleTask({
      id: 'cutover-freeze-windows',
      frequency: { minutes: 1 },
      timeout: { minutes: 2 },
      initialDelay: { seconds: 10 },
      scope: 'global',
      fn: async () => {
        await this.advanceWindows();
      },
    });
  }

  /**
   * An automatic rollback (drift or another safety trigger) of datasets: recorded on each ACTIVE
   * freeze window covering one of them, in the rollback's transaction.
   */
  async recordRollbackOnWindows(
    store: CutoverStore,
    migrationId: string,
    datasets: string[],
    reason: string,
  ) {
    const at = new Date(this.now()).toISOString();
    for (const w of await this.activeWindows(migrationId, undefined, store)) {
      for (const dataset of datasets.filter(d => w.datasets.includes(d))) {
        await store
          .freezeWindows()
          .appendWindowRollback(w.id, { at, dataset, reason });
      }
    }
  }

  /** For ingest: which datasets are inside an ACTIVE freeze window, from when. */
  async frozenSince(
    store: CutoverStore,
    migrationId: string,
  ): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    if (!this.deps.settings.markSamples) return out;
    for (const w of await this.activeWindows(migrationId, undefined, store)) {
      const since = Date.parse(w.activatedAt ?? w.startsAt);
      for (const d of w.datasets)
        out.set(d, Math.min(out.get(d) ?? since, since));
    }
    return out;
  }
}
