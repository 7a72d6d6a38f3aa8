import type { CutoverClock } from '@switchyard/plugin-cutover-node';
import { Config } from '@backstage/config';
import { ConflictError, InputError, NotFoundError } from '@backstage/errors';
import {
  ControlState,
  CUTOVER_TRANSITIONS,
  CutoverStateChange,
  DatasetSwitchEvent,
  FreezeWindow,
  freezeWindowCreateSchema,
  Migration,
  ReadSource,
  ReadSources,
  READ_SOURCES_BY_STATE,
} from '@switchyard/plugin-cutover-common';
import { Request } from 'express';
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { CutoverStore } from '../database/CutoverStore';
import { Caller } from './access';
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

/** Who may be recorded as making a change: a caller, or Switchyard itself. */
export type Actor = Caller | { actor: string; requestId: null };

/** Switchyard itself, as the actor of what it does on its own. */
const SYSTEM_ACTOR = { actor: 'switchyard', requestId: null } as const;

/**
 * Cutover execution: per-dataset cutover states and read sources (the switches applications read),
 * freeze windows and their guards.
 */
export class ExecutionService {
  constructor(
    private readonly deps: {
      store: CutoverStore;
      audit: AuditLog;
      signals: SignalPublisher;
      settings: FreezeSettings;
      /** Conditions a dataset must meet to become READY; empty when it does. */
      readyConditions: (
        migration: Migration,
        dataset: string,
      ) => Promise<string[]>;
      /** The plugin's one clock (see cutoverClockServiceRef). */
      clock: CutoverClock;
      /**
       * What keeps the migration from CUTOVER and NEW reads: empty when it has a current approval
       * (approved or conditionally approved, not expired, not stale).
       */
      approvalGate?: (migration: Migration) => Promise<string[]>;
      /** Whether DUAL reads need a current approval too (`cutover.approvals.gateDualReads`). */
      gateDualReads?: boolean;
      /** Tells the owner and approvers that the approval gate was overridden. */
      onOverride?: (
        migration: Migration,
        what: string,
        reason: string,
        actor: string,
      ) => Promise<void>;
    },
  ) {}

  /**
   * The approval gate of CUTOVER and NEW reads (and DUAL, where config says so). Returns the
   * override reason when the gate was closed and an override (already authorized) opened it;
   * throws 409 listing what is missing otherwise.
   */
  private async passApprovalGate(
    migration: Migration,
    dataset: string,
    target: string,
    overrideReason: string | undefined,
  ): Promise<string | null> {
    const gated =
      target === 'CUTOVER' ||
      target === 'NEW' ||
      (target === 'DUAL' && this.deps.gateDualReads);
    if (!gated || !this.deps.approvalGate) return null;
    const missing = await this.deps.approvalGate(migration);
    if (!missing.length) return null;
    if (overrideReason) return overrideReason;
    throw new ConflictError(
      `Dataset "${dataset}" cannot go to ${target} without a current cutover approval: ${missing.join(
        '; ',
      )} (in an emergency, someone allowed cutover.approval.override may override it with a reason)`,
    );
  }

  private now() {
    return this.deps.clock.now();
  }

  async readSources(migration: Migration): Promise<ReadSources> {
    const last = await this.deps.store.execution().lastSwitchAt(migration.id);
    return {
      migrationId: migration.id,
      datasets: Object.fromEntries(
        migration.datasets.map(d => [d.name, d.readSource]),
      ),
      updatedAt: new Date(
        last ?? Date.parse(migration.createdAt),
      ).toISOString(),
    };
  }

  async history(
    migration: Migration,
    dataset?: string,
  ): Promise<{ items: DatasetSwitchEvent[] }> {
    return {
      items: await this.deps.store
        .execution()
        .listSwitches(migration.id, dataset),
    };
  }

  private dataset(migration: Migration, name: string) {
    const d = migration.datasets.find(x => x.name === name);
    if (!d)
      throw new NotFoundError(
        `No dataset "${name}" in migration "${migration.id}"`,
      );
    return d;
  }

  /** ACTIVE windows covering a dataset. */
  async activeWindows(
    migrationId: string,
    dataset?: string,
    store: CutoverStore = this.deps.store,
  ): Promise<FreezeWindow[]> {
    const windows = await store
      .execution()
      .listWindows(migrationId, ['ACTIVE']);
    return dataset
      ? windows.filter(w => w.datasets.includes(dataset))
      : windows;
  }

  /**
   * Switches where applications read a dataset from. LEGACY is always allowed (the safe way
   * back); DUAL needs READY or later, NEW needs CUTOVER or COMPLETED; freeze windows may forbid it.
   */
  async switchReadSource(
    migration: Migration,
    name: string,
    body: { source: ReadSource; reason: string; overrideReason?: string },
    caller: Actor,
    req?: Request,
    options: { automatic?: boolean } = {},
  ): Promise<DatasetSwitchEvent> {
    const known = this.dataset(migration, name);
    const overridden =
      options.automatic ||
      !READ_SOURCES_BY_STATE[known.cutoverState].includes(body.source)
        ? null // the state check below refuses it with its own reason
        : await this.passApprovalGate(
            migration,
            name,
            body.source,
            body.overrideReason,
          );
    const event = await this.deps.store.transaction(async store => {
      const current = await store.getMigration(migration.id);
      const d = this.dataset(current ?? migration, name);
      if (d.readSource === body.source) {
        throw new ConflictError(
          `Dataset "${name}" already reads from ${body.source}`,
        );
      }
      if (!READ_SOURCES_BY_STATE[d.cutoverState].includes(body.source)) {
        throw new ConflictError(
          `Dataset "${name}" is ${
            d.cutoverState
          }; it can read from ${READ_SOURCES_BY_STATE[d.cutoverState].join(
            ' or ',
          )} (NEW needs CUTOVER or COMPLETED, DUAL needs READY or later)`,
        );
      }
      if (!options.automatic)
        await this.checkFreezeGuards(store, migration.id, name, body.source);
      await store.setDatasetState(migration.id, [name], {
        readSource: body.source,
      });
      const e = await store.execution().appendSwitch({
        migrationId: migration.id,
        dataset: name,
        kind: 'READ_SOURCE',
        from: d.readSource,
        to: body.source,
        reason: body.reason,
        actor: caller.actor,
        at: this.now(),
        automatic: !!options.automatic,
        overrideReason: overridden,
      });
      await this.deps.audit.record(
        store,
        caller,
        {
          migrationId: migration.id,
          action: overridden
            ? 'readsource.switch.override'
            : 'readsource.switch',
          target: `dataset:${name}`,
          before: { readSource: d.readSource },
          after: {
            readSource: body.source,
            reason: body.reason,
            automatic: !!options.automatic,
            ...(overridden ? { overrideReason: overridden } : {}),
          },
        },
        req,
      );
      return e;
    });
    this.deps.signals.notify(migration.id, 'readsource');
    if (overridden) {
      await this.deps.onOverride?.(
        migration,
        `switched ${name} to ${body.source}`,
        overridden,
        caller.actor,
      );
    }
    return event;
  }

  private async checkFreezeGuards(
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

  /** Moves a dataset along PENDING -> READY -> CUTOVER -> COMPLETED (or ROLLED_BACK). */
  async setCutoverState(
    migration: Migration,
    name: string,
    body: CutoverStateChange,
    caller: Actor,
    req?: Request,
    options: { automatic?: boolean } = {},
  ): Promise<DatasetSwitchEvent> {
    const d = this.dataset(migration, name);
    const allowed = CUTOVER_TRANSITIONS[d.cutoverState];
    if (!allowed.includes(body.state)) {
      throw new ConflictError(
        `Dataset "${name}" can't go from ${d.cutoverState} to ${
          body.state
        }; from ${d.cutoverState} it can go to ${allowed.join(' or ')}`,
      );
    }
    if (body.state === 'READY') {
      const unmet = await this.deps.readyConditions(migration, name);
      if (unmet.length) {
        throw new ConflictError(
          `Dataset "${name}" is not ready: ${unmet.join('; ')}`,
        );
      }
    }
    const overridden = options.automatic
      ? null
      : await this.passApprovalGate(
          migration,
          name,
          body.state,
          body.overrideReason,
        );
    const event = await this.deps.store.transaction(async store => {
      const current = this.dataset(
        (await store.getMigration(migration.id)) ?? migration,
        name,
      );
      if (current.cutoverState !== d.cutoverState) {
        throw new ConflictError(
          `Dataset "${name}" was changed to ${current.cutoverState} meanwhile; reload and try again`,
        );
      }
      // A dataset going back reads from LEGACY again: never leave applications on a rolled-back side.
      const backToLegacy =
        (body.state === 'ROLLED_BACK' || body.state === 'PENDING') &&
        current.readSource !== 'LEGACY';
      await store.setDatasetState(migration.id, [name], {
        cutoverState: body.state,
        readSource: backToLegacy ? 'LEGACY' : undefined,
      });
      if (backToLegacy) {
        await store.execution().appendSwitch({
          migrationId: migration.id,
          dataset: name,
          kind: 'READ_SOURCE',
          from: current.readSource,
          to: 'LEGACY',
          reason: `${body.state}: ${body.reason}`,
          actor: caller.actor,
          at: this.now(),
          automatic: !!options.automatic,
        });
      }
      const e = await store.execution().appendSwitch({
        migrationId: migration.id,
        dataset: name,
        kind: 'CUTOVER_STATE',
        from: current.cutoverState,
        to: body.state,
        reason: body.reason,
        actor: caller.actor,
        at: this.now(),
        automatic: !!options.automatic,
        overrideReason: overridden,
      });
      await this.deps.audit.record(
        store,
        caller,
        {
          migrationId: migration.id,
          action: overridden
            ? 'dataset.cutover-state.override'
            : 'dataset.cutover-state',
          target: `dataset:${name}`,
          before: {
            cutoverState: current.cutoverState,
            readSource: current.readSource,
          },
          after: {
            cutoverState: body.state,
            readSource: backToLegacy ? 'LEGACY' : current.readSource,
            reason: body.reason,
            ...(overridden ? { overrideReason: overridden } : {}),
          },
        },
        req,
      );
      return e;
    });
    this.deps.signals.notify(migration.id, 'readsource');
    this.deps.signals.notify(migration.id, 'progress');
    if (overridden) {
      await this.deps.onOverride?.(
        migration,
        `moved ${name} to ${body.state}`,
        overridden,
        caller.actor,
      );
    }
    return event;
  }

  // ----- rollbacks: the cutover side of restoring data -----

  /**
   * A rollback starts: applications read the datasets it restores from LEGACY at once (the side
   * that is complete), and the migration's jobs are told to PAUSE so they stop writing to the
   * tables being restored. Runs inside the caller's transaction; returns the control state the
   * migration had, for {@link ExecutionService.endRollback}.
   */
  async beginRollback(
    store: CutoverStore,
    migrationId: string,
    datasets: string[],
    rollbackId: string,
    caller: Actor,
  ): Promise<ControlState> {
    const migration = await store.getMigration(migrationId);
    if (!migration)
      throw new NotFoundError(`No migration with id "${migrationId}"`);
    const reason = `rollback ${rollbackId} started`;
    await this.switchToLegacy(store, migration, datasets, reason, caller, true);
    if (
      migration.controlState !== 'PAUSE' &&
      migration.controlState !== 'CANCEL'
    ) {
      const now = this.now();
      await store.updateMigration(
        migrationId,
        {
          controlState: 'PAUSE',
          ...(migration.status === 'IN_PROGRESS'
            ? { status: 'PAUSED' as const }
            : {}),
        },
        now,
      );
      await this.deps.audit.record(store, caller, {
        migrationId,
        action: 'migration.control',
        before: {
          status: migration.status,
          controlState: migration.controlState,
        },
        after: {
          controlState: 'PAUSE',
          reason: `${reason}: jobs pause while data is restored`,
        },
      });
    }
    return migration.controlState;
  }

  /**
   * A rollback ended: the datasets it restored are ROLLED_BACK, reading from LEGACY, in one
   * transaction with the rest of the caller's bookkeeping. After a success the migration runs again
   * if the rollback paused it (and nobody changed its control since); after a failure it stays
   * paused for people to look.
   */
  async endRollback(
    store: CutoverStore,
    migrationId: string,
    restored: string[],
    rollbackId: string,
    succeeded: boolean,
    pausedFrom: ControlState | null,
  ): Promise<void> {
    const migration = await store.getMigration(migrationId);
    if (!migration) return;
    await this.markRolledBack(
      store,
      migration,
      restored,
      `rollback ${rollbackId}`,
      SYSTEM_ACTOR,
      true,
    );
    if (
      succeeded &&
      pausedFrom === 'RUN' &&
      migration.controlState === 'PAUSE'
    ) {
      await store.updateMigration(
        migrationId,
        {
          controlState: 'RUN',
          ...(migration.status === 'PAUSED'
            ? { status: 'IN_PROGRESS' as const }
            : {}),
        },
        this.now(),
      );
      await this.deps.audit.record(store, SYSTEM_ACTOR, {
        migrationId,
        action: 'migration.control',
        before: { status: migration.status, controlState: 'PAUSE' },
        after: {
          controlState: 'RUN',
          reason: `rollback ${rollbackId} finished: jobs may run again`,
        },
      });
    }
    this.deps.signals.notify(migrationId, 'readsource');
    this.deps.signals.notify(migrationId, 'migration');
  }

  /**
   * Datasets rolled back (a restore, or drift past the rollback threshold): state ROLLED_BACK and
   * reads LEGACY, with their switch events and audit, in the caller's transaction. The one path
   * every rollback takes.
   */
  async markRolledBack(
    store: CutoverStore,
    migration: Migration,
    datasets: string[],
    reason: string,
    caller: Actor,
    automatic: boolean,
  ): Promise<void> {
    await this.switchToLegacy(
      store,
      migration,
      datasets,
      reason,
      caller,
      automatic,
    );
    for (const name of datasets) {
      const d = migration.datasets.find(x => x.name === name);
      if (!d || d.cutoverState === 'ROLLED_BACK') continue;
      await store.setDatasetState(migration.id, [name], {
        cutoverState: 'ROLLED_BACK',
        readSource: 'LEGACY',
      });
      await store.execution().appendSwitch({
        migrationId: migration.id,
        dataset: name,
        kind: 'CUTOVER_STATE',
        from: d.cutoverState,
        to: 'ROLLED_BACK',
        reason,
        actor: caller.actor,
        at: this.now(),
        automatic,
      });
      await this.deps.audit.record(store, caller, {
        migrationId: migration.id,
        action: 'dataset.cutover-state',
        target: `dataset:${name}`,
        before: { cutoverState: d.cutoverState, readSource: d.readSource },
        after: {
          cutoverState: 'ROLLED_BACK',
          readSource: 'LEGACY',
          reason,
          automatic,
        },
      });
    }
  }

  /** Reads of the datasets go to LEGACY (those not already there), with switch events and audit. */
  private async switchToLegacy(
    store: CutoverStore,
    migration: Migration,
    datasets: string[],
    reason: string,
    caller: Actor,
    automatic: boolean,
  ) {
    for (const name of datasets) {
      const d = migration.datasets.find(x => x.name === name);
      if (!d || d.readSource === 'LEGACY') continue;
      const from = d.readSource;
      await store.setDatasetState(migration.id, [name], {
        readSource: 'LEGACY',
      });
      // Later steps of the same transaction see the dataset as it now is.
      d.readSource = 'LEGACY';
      await store.execution().appendSwitch({
        migrationId: migration.id,
        dataset: name,
        kind: 'READ_SOURCE',
        from,
        to: 'LEGACY',
        reason,
        actor: caller.actor,
        at: this.now(),
        automatic,
      });
      await this.deps.audit.record(store, caller, {
        migrationId: migration.id,
        action: 'readsource.switch',
        target: `dataset:${name}`,
        before: { readSource: from },
        after: { readSource: 'LEGACY', reason, automatic },
      });
    }
  }

  // ----- freeze windows -----

  async listWindows(migration: Migration): Promise<{ items: FreezeWindow[] }> {
    return {
      items: await this.deps.store.execution().listWindows(migration.id),
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
      await store.execution().insertWindow({
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
    return (await this.deps.store.execution().getWindow(migration.id, id))!;
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
      .execution()
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
      const before = await store.execution().getWindow(migration.id, id);
      if (!before)
        throw new NotFoundError(
          `No freeze window ${id} in migration ${migration.id}`,
        );
      const now = this.now();
      const fields = {
        activate: { activatedAt: now },
        complete: { completedAt: now },
        cancel: { cancelledAt: now, cancelReason: reason ?? null },
      }[action];
      if (
        !(await store
          .execution()
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
    return (await this.deps.store.execution().getWindow(migration.id, id))!;
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
