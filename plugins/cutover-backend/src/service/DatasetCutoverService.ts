// Long: the cutover of a dataset is one state machine (states, read switches and rollouts, the
// approval gate, what a rollback does), whose transitions must check the same guards in one place.
import type { CutoverClock } from '@switchyard/plugin-cutover-node';
import { LoggerService } from '@backstage/backend-plugin-api';
import { ConflictError, InputError, NotFoundError } from '@backstage/errors';
import {
  ControlState,
  CUTOVER_TRANSITIONS,
  CutoverStateChange,
  DatasetSwitchEvent,
  Migration,
  ReadSource,
  ReadSources,
  READ_SOURCES_BY_STATE,
} from '@switchyard/plugin-cutover-common';
import { Request } from 'express';
import { CutoverStore } from '../database/CutoverStore';
import { Actor, SYSTEM_ACTOR } from './access';
import { AuditLog } from './AuditLog';
import { FreezeWindowService } from './FreezeWindowService';
import { SignalPublisher } from './SignalPublisher';

/**
 * The cutover of each dataset: its state (PENDING -> READY -> CUTOVER -> COMPLETED, or ROLLED_BACK),
 * where applications read it from (the read switches, whole or as a rollout), the approval gate in
 * front of CUTOVER and NEW reads, and what a rollback does to them. Freeze windows, which guard the
 * switches, are {@link FreezeWindowService}'s.
 */
export class DatasetCutoverService {
  constructor(
    private readonly deps: {
      store: CutoverStore;
      audit: AuditLog;
      signals: SignalPublisher;
      /** Guards of read-source switches (freeze windows). */
      freezeWindows: FreezeWindowService;
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
      logger?: LoggerService;
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
    const last = await this.deps.store.switches().lastSwitchAt(migration.id);
    const rollouts = migration.datasets.flatMap(d =>
      d.rollout
        ? [[d.name, { source: d.rollout.source, percent: d.rollout.percent }]]
        : [],
    );
    return {
      migrationId: migration.id,
      datasets: Object.fromEntries(
        migration.datasets.map(d => [d.name, d.readSource]),
      ),
      ...(rollouts.length ? { rollouts: Object.fromEntries(rollouts) } : {}),
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
        .switches()
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

  /**
   * Switches where applications read a dataset from. LEGACY is always allowed (the safe way
   * back); DUAL needs READY or later, NEW needs CUTOVER or COMPLETED; freeze windows may forbid it.
   */
  async switchReadSource(
    migration: Migration,
    name: string,
    body: {
      source: ReadSource;
      reason: string;
      overrideReason?: string;
      /** A gradual rollout: `source` for this share (1-99) of targeting keys. */
      rolloutPercent?: number;
    },
    caller: Actor,
    req?: Request,
    options: { automatic?: boolean } = {},
  ): Promise<DatasetSwitchEvent> {
    const percent = body.rolloutPercent;
    if (percent !== undefined && body.source === 'LEGACY') {
      throw new InputError(
        'Invalid request: rolloutPercent: a rollout gives DUAL or NEW to a share of callers; switching back to LEGACY is for everyone',
      );
    }
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
      const rollout = d.rollout ?? null;
      if (percent === undefined && d.readSource === body.source && !rollout) {
        throw new ConflictError(
          `Dataset "${name}" already reads from ${body.source}`,
        );
      }
      if (percent !== undefined && d.readSource === body.source) {
        throw new ConflictError(
          `Dataset "${name}" already reads from ${body.source} for everyone; a rollout gives a share of callers another source`,
        );
      }
      if (
        percent !== undefined &&
        rollout?.source === body.source &&
        rollout.percent === percent
      ) {
        throw new ConflictError(
          `Dataset "${name}" already reads from ${body.source} for ${percent}% of callers`,
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
        await this.deps.freezeWindows.checkSwitchGuards(
          store,
          migration.id,
          name,
          body.source,
        );
      const nextRollout =
        percent === undefined ? null : { source: body.source, percent };
      await store.setDatasetState(migration.id, [name], {
        readSource: percent === undefined ? body.source : undefined,
        rollout: nextRollout,
      });
      return this.recordSwitch(
        store,
        caller,
        migration.id,
        {
          dataset: name,
          kind: 'READ_SOURCE',
          from: d.readSource,
          to: body.source,
          reason: body.reason,
          automatic: !!options.automatic,
          overrideReason: overridden,
          ...(percent !== undefined ? { rolloutPercent: percent } : {}),
        },
        {
          action: overridden
            ? 'readsource.switch.override'
            : 'readsource.switch',
          before: { readSource: d.readSource, rollout },
          after: {
            readSource: percent === undefined ? body.source : d.readSource,
            rollout: nextRollout,
            reason: body.reason,
            automatic: !!options.automatic,
            ...(overridden ? { overrideReason: overridden } : {}),
          },
        },
        req,
      );
    });
    this.deps.signals.notify(migration.id, 'readsource');
    const what = `switched ${name} to ${body.source}`;
    await this.reportOverride(migration, what, overridden, caller);
    return event;
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
      const goingBack =
        body.state === 'ROLLED_BACK' || body.state === 'PENDING';
      const backToLegacy = goingBack && current.readSource !== 'LEGACY';
      // A rollout ends with it: LEGACY for everyone.
      const endRollout = goingBack && !!current.rollout;
      await store.setDatasetState(migration.id, [name], {
        cutoverState: body.state,
        readSource: backToLegacy ? 'LEGACY' : undefined,
        ...(endRollout ? { rollout: null } : {}),
      });
      if (backToLegacy || endRollout) {
        // Audited with the state change below.
        await store.switches().appendSwitch({
          migrationId: migration.id,
          dataset: name,
          kind: 'READ_SOURCE',
          from: backToLegacy
            ? current.readSource
            : `${current.rollout!.source} (${current.rollout!.percent}%)`,
          to: 'LEGACY',
          reason: `${body.state}: ${body.reason}`,
          actor: caller.actor,
          at: this.now(),
          automatic: !!options.automatic,
        });
      }
      return this.recordSwitch(
        store,
        caller,
        migration.id,
        {
          dataset: name,
          kind: 'CUTOVER_STATE',
          from: current.cutoverState,
          to: body.state,
          reason: body.reason,
          automatic: !!options.automatic,
          overrideReason: overridden,
        },
        {
          action: overridden
            ? 'dataset.cutover-state.override'
            : 'dataset.cutover-state',
          before: {
            cutoverState: current.cutoverState,
            readSource: current.readSource,
            ...(current.rollout ? { rollout: current.rollout } : {}),
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
    });
    this.deps.signals.notify(migration.id, 'readsource');
    this.deps.signals.notify(migration.id, 'progress');
    const what = `moved ${name} to ${body.state}`;
    await this.reportOverride(migration, what, overridden, caller);
    return event;
  }

  /**
   * Appends a switch event of a dataset and its audit record (target the dataset), in the
   * caller's transaction; returns the event.
   */
  private async recordSwitch(
    store: CutoverStore,
    caller: Actor,
    migrationId: string,
    change: Pick<
      DatasetSwitchEvent,
      'dataset' | 'kind' | 'from' | 'to' | 'reason' | 'automatic'
    > &
      Partial<Pick<DatasetSwitchEvent, 'overrideReason' | 'rolloutPercent'>>,
    audit: { action: string; before: unknown; after: unknown },
    req?: Request,
  ): Promise<DatasetSwitchEvent> {
    const { automatic, overrideReason, rolloutPercent, ...event } = change;
    const e = await store.switches().appendSwitch({
      migrationId,
      ...event,
      actor: caller.actor,
      at: this.now(),
      automatic,
      ...(overrideReason !== undefined ? { overrideReason } : {}),
      ...(rolloutPercent !== undefined ? { rolloutPercent } : {}),
    });
    await this.deps.audit.record(
      store,
      caller,
      {
        migrationId,
        action: audit.action,
        target: `dataset:${change.dataset}`,
        before: audit.before,
        after: audit.after,
      },
      req,
    );
    return e;
  }

  /** After a switch past the approval gate: tells whoever listens that it was overridden. */
  private async reportOverride(
    migration: Migration,
    what: string,
    overridden: string | null,
    caller: Actor,
  ) {
    if (overridden) {
      await this.deps.onOverride?.(migration, what, overridden, caller.actor);
    }
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
      await this.recordSwitch(
        store,
        caller,
        migration.id,
        {
          dataset: name,
          kind: 'CUTOVER_STATE',
          from: d.cutoverState,
          to: 'ROLLED_BACK',
          reason,
          automatic,
        },
        {
          action: 'dataset.cutover-state',
          before: { cutoverState: d.cutoverState, readSource: d.readSource },
          after: {
            cutoverState: 'ROLLED_BACK',
            readSource: 'LEGACY',
            reason,
            automatic,
          },
        },
      );
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
      if (!d || (d.readSource === 'LEGACY' && !d.rollout)) continue;
      const rollout = d.rollout ?? null;
      const previous = d.readSource;
      // A rollout ends too: LEGACY for everyone.
      const from =
        d.readSource === 'LEGACY' && rollout
          ? `${rollout.source} (${rollout.percent}%)`
          : d.readSource;
      await store.setDatasetState(migration.id, [name], {
        readSource: 'LEGACY',
        rollout: null,
      });
      // Later steps of the same transaction see the dataset as it now is.
      d.readSource = 'LEGACY';
      d.rollout = null;
      await this.recordSwitch(
        store,
        caller,
        migration.id,
        {
          dataset: name,
          kind: 'READ_SOURCE',
          from,
          to: 'LEGACY',
          reason,
          automatic,
        },
        {
          action: 'readsource.switch',
          before: { readSource: previous, rollout },
          after: { readSource: 'LEGACY', rollout: null, reason, automatic },
        },
      );
    }
  }
}
