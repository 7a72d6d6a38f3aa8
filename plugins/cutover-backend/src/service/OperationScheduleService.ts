import type { CutoverClock } from '@switchyard/plugin-cutover-node';
import { LoggerService, SchedulerService } from '@backstage/backend-plugin-api';
import { Config } from '@backstage/config';
import { InputError } from '@backstage/errors';
import {
  CutoverSignalType,
  Migration,
  OperationSchedule,
  operationScheduleCreateSchema,
  ScheduledOperation,
} from '@switchyard/plugin-cutover-common';
import { Request } from 'express';
import { z } from 'zod';
import { CutoverStore } from '../database/CutoverStore';
import { StoredOperationSchedule } from '../database/OperationScheduleStore';
import { Caller } from './access';
import { AlertService } from './AlertService';
import { AuditLog } from './AuditLog';
import { JobSlots } from './JobSlots';
import { ReconciliationService } from './ReconciliationService';
import { ScheduleLifecycle } from './ScheduleLifecycle';
import { duration } from './settings';
import { SignalPublisher } from './SignalPublisher';
import { SnapshotService } from './SnapshotService';

const SYSTEM = { actor: 'plugin:cutover', requestId: null };

/** Settings of scheduled operations, from `cutover.schedules`. */
export interface OperationScheduleSettings {
  /** A slot started later than this after its time counts as missed (and raises an alert). Default 15 minutes. */
  missedAfterMs: number;
}

/** Reads `cutover.schedules` with its defaults. */
export function readOperationScheduleSettings(
  root: Config,
): OperationScheduleSettings {
  const c = root.getOptionalConfig('cutover.schedules');
  return { missedAfterMs: duration(c, 'missedAfter', 15 * 60_000) };
}

/** The columns a snapshot or reconciliation schedule adds to the shared ones. */
type OperationColumns = Pick<
  StoredOperationSchedule,
  'operation' | 'datasets' | 'retentionDays'
>;
type Lifecycle = ScheduleLifecycle<StoredOperationSchedule, OperationColumns>;

const LABEL: Record<ScheduledOperation, string> = {
  SNAPSHOT: 'snapshot',
  RECONCILIATION: 'reconciliation',
};

/**
 * Scheduled snapshots and reconciliations: the report schedules' timing model (daily / weekly /
 * biweekly / monthly at a local time of a zone, `nextScheduledRun`) driving the snapshot and
 * reconciliation services. The dispatcher runs on Backstage's scheduler with global scope and
 * claims each slot with a conditional update, so a slot starts once however many replicas race.
 * A slot that could not start, a job that failed and a slot started too late (missed) each raise
 * an alert on the migration; scheduled snapshots go through SnapshotService.create, so its
 * retention and quota rules apply to them as to any other.
 */
export class OperationScheduleService {
  private readonly lifecycles: Record<ScheduledOperation, Lifecycle>;

  constructor(
    private readonly deps: {
      store: CutoverStore;
      audit: AuditLog;
      signals: SignalPublisher;
      alerts: AlertService;
      snapshots: SnapshotService;
      reconciliation: ReconciliationService;
      getMigration: (id: string) => Promise<Migration>;
      slots?: JobSlots;
      /** The longest retention a snapshot may ask for (cutover.snapshots.maxRetention). */
      maxRetentionMs?: number;
      logger: LoggerService;
      settings: OperationScheduleSettings;
      clock: CutoverClock;
    },
  ) {
    const lifecycle = (operation: ScheduledOperation) =>
      new ScheduleLifecycle<StoredOperationSchedule, OperationColumns>(deps, {
        audit: 'operation-schedule',
        label: LABEL[operation],
        signal: signalOf(operation),
        rows: store => {
          const rows = store.operationSchedules();
          return {
            get: (migrationId, id) => rows.get(migrationId, operation, id),
            insert: row => rows.insert(row),
            update: (id, patch) => rows.update(id, patch),
            delete: id => rows.delete(id),
            claimSlot: (id, slot, next, now) =>
              rows.claimSlot(id, slot, next, now),
          };
        },
      });
    this.lifecycles = {
      SNAPSHOT: lifecycle('SNAPSHOT'),
      RECONCILIATION: lifecycle('RECONCILIATION'),
    };
  }

  private now() {
    return this.deps.clock.now();
  }

  private present(s: StoredOperationSchedule): OperationSchedule {
    const { anchorAt: _a, nextRunMs: _n, ...rest } = s;
    return rest;
  }

  async list(
    migration: Migration,
    operation: ScheduledOperation,
  ): Promise<{ items: OperationSchedule[] }> {
    const items = await this.deps.store
      .operationSchedules()
      .list(migration.id, operation);
    return { items: items.map(s => this.present(s)) };
  }

  private async load(
    migration: Migration,
    operation: ScheduledOperation,
    id: string,
  ): Promise<StoredOperationSchedule> {
    return this.lifecycles[operation].load(migration, id);
  }

  async get(
    migration: Migration,
    operation: ScheduledOperation,
    id: string,
  ): Promise<OperationSchedule> {
    return this.present(await this.load(migration, operation, id));
  }

  async create(
    migration: Migration,
    operation: ScheduledOperation,
    body: z.output<typeof operationScheduleCreateSchema>,
    caller: Caller,
    req?: Request,
  ): Promise<OperationSchedule> {
    // Only datasets of this migration; what they name is checked again when a run starts.
    for (const name of body.datasets ?? []) {
      if (!migration.datasets.some(d => d.name === name)) {
        throw new InputError(
          `Invalid request: datasets: unknown dataset "${name}"`,
        );
      }
    }
    if (operation === 'RECONCILIATION') {
      if (body.retentionDays !== undefined) {
        throw new InputError(
          'Invalid request: retentionDays: only snapshot schedules keep what they make',
        );
      }
      if (!migration.source?.connection || !migration.destination?.connection) {
        throw new InputError(
          `Migration ${migration.id} needs source.connection and destination.connection in its plan to be reconciled`,
        );
      }
    } else {
      // A snapshot schedule names the same datasets a snapshot would (and its connection must be
      // one the plugin may write to); the retention is checked against the configured maximum.
      this.deps.snapshots.targets(migration, body.datasets);
      const max = this.deps.maxRetentionMs ?? Infinity;
      if (body.retentionDays && body.retentionDays * 86_400_000 > max) {
        throw new InputError(
          `Invalid request: retentionDays: at most ${Math.floor(
            max / 86_400_000,
          )} days (cutover.snapshots.maxRetention)`,
        );
      }
    }
    const id = await this.lifecycles[operation].create(
      migration,
      body,
      {
        operation,
        datasets: body.datasets ?? null,
        retentionDays: body.retentionDays ?? null,
      },
      { operation, ...body },
      caller,
      req,
    );
    return this.get(migration, operation, id);
  }

  /** Pauses, resumes or renames a schedule. Resuming computes the next slot from now. */
  async update(
    migration: Migration,
    operation: ScheduledOperation,
    id: string,
    patch: { enabled?: boolean; name?: string },
    caller: Caller,
    req?: Request,
  ): Promise<OperationSchedule> {
    await this.lifecycles[operation].update(migration, id, patch, caller, req);
    return this.get(migration, operation, id);
  }

  async remove(
    migration: Migration,
    operation: ScheduledOperation,
    id: string,
    caller: Caller,
    req?: Request,
  ) {
    await this.lifecycles[operation].remove(
      migration,
      id,
      s => this.present(s),
      caller,
      req,
    );
  }

  /**
   * "Run now": starts the schedule's operation at once as the caller (who holds the operation's
   * permission); the next slot stays where it was. A refusal (quota, a run already going, no free
   * job slot) is answered as it would be for a manual snapshot or reconciliation, and recorded.
   */
  async runNow(
    migration: Migration,
    operation: ScheduledOperation,
    id: string,
    caller: Caller,
    req?: Request,
  ): Promise<OperationSchedule> {
    const schedule = await this.load(migration, operation, id);
    const schedules = this.deps.store.operationSchedules();
    await schedules.markManualRun(id, this.now());
    try {
      const targetId = await this.start(schedule, caller, req);
      await this.deps.store.transaction(async store => {
        await store
          .operationSchedules()
          .record(id, { status: 'STARTED', error: null, targetId });
        await this.deps.audit.record(
          store,
          caller,
          {
            migrationId: migration.id,
            action: 'operation-schedule.run',
            target: `operation-schedule:${id}`,
            after: {
              operation,
              [operation === 'SNAPSHOT' ? 'snapshotId' : 'runId']: targetId,
            },
          },
          req,
        );
      });
    } catch (e) {
      await schedules.record(id, { status: 'FAILED', error: errorText(e) });
      this.deps.signals.notify(migration.id, signalOf(operation));
      throw e;
    }
    this.deps.signals.notify(migration.id, signalOf(operation));
    return this.get(migration, operation, id);
  }

  /** Starts the operation; returns the id of the snapshot or reconciliation run. */
  private async start(
    schedule: StoredOperationSchedule,
    caller: Caller | typeof SYSTEM,
    req?: Request,
  ): Promise<string> {
    const migration = await this.deps.getMigration(schedule.migrationId);
    if (schedule.operation === 'SNAPSHOT') {
      const when = new Date(this.now()).toISOString().slice(0, 16);
      const snapshot = await this.deps.snapshots.create(
        migration,
        {
          name: `${schedule.name} · ${when.replace('T', ' ')} UTC`,
          description: `Taken by the snapshot schedule "${
            schedule.name
          }" (${schedule.frequency.toLowerCase()}).`,
          ...(schedule.datasets ? { datasets: schedule.datasets } : {}),
          ...(schedule.retentionDays
            ? { retentionDays: schedule.retentionDays }
            : {}),
        },
        caller,
        req,
      );
      return snapshot.id;
    }
    const run = await this.deps.reconciliation.start(
      migration,
      schedule.datasets ?? undefined,
      caller,
      req,
      'SCHEDULED',
    );
    return run.id;
  }

  /**
   * One pass of the dispatcher: settles runs that finished (a failed job raises an alert), then
   * starts every schedule whose slot has come. Each slot is claimed before it starts; a
   * dispatcher that loses the claim skips it. Slots missed while no backend ran are not replayed:
   * the schedule runs once, late, records the slot as missed (with an alert), and moves to its
   * next slot after now.
   */
  async dispatchDue(): Promise<{ started: number; settled: number }> {
    const settled = await this.settleStarted();
    const now = this.now();
    const schedules = this.deps.store.operationSchedules();
    let started = 0;
    for (const schedule of await schedules.due(now)) {
      // A backend at its limit of long jobs leaves the slot to the next pass (or another replica).
      if (this.deps.slots && !this.deps.slots.available()) break;
      const slot = await this.lifecycles[schedule.operation].claim(
        schedule,
        now,
      );
      if (slot === undefined) continue;
      const late = now - slot;
      if (late > this.deps.settings.missedAfterMs) {
        const text = `the slot of ${new Date(
          slot,
        ).toISOString()} was missed (no backend ran it for ${Math.round(
          late / 60_000,
        )} minutes); it ran late, at ${new Date(now).toISOString()}`;
        await schedules.record(schedule.id, { status: 'MISSED', error: text });
        await this.raise(schedule, 'missed', text, 'MEDIUM');
      }
      try {
        const targetId = await this.start(schedule, SYSTEM);
        await schedules.record(schedule.id, {
          status: 'STARTED',
          error: null,
          targetId,
        });
        started++;
      } catch (e) {
        const message = errorText(e);
        this.deps.logger.warn(
          `Scheduled ${LABEL[schedule.operation]} ${schedule.id} of ${
            schedule.migrationId
          } did not start: ${message}`,
        );
        await schedules.record(schedule.id, {
          status: 'FAILED',
          error: message,
          targetId: null,
        });
        await this.raise(schedule, 'failed', `it could not start: ${message}`);
      }
      this.deps.signals.notify(
        schedule.migrationId,
        signalOf(schedule.operation),
      );
    }
    return { started, settled };
  }

  /** Moves STARTED runs whose job has finished to its outcome; a failed job raises an alert. */
  private async settleStarted(): Promise<number> {
    const schedules = this.deps.store.operationSchedules();
    let settled = 0;
    for (const s of await schedules.started()) {
      const targetId = s.lastTargetId!;
      const job =
        s.operation === 'SNAPSHOT'
          ? await this.deps.store
              .snapshots()
              .getSnapshot(s.migrationId, targetId)
          : await this.deps.store
              .reconciliationRuns()
              .getRun(s.migrationId, targetId);
      if (!job) {
        // The snapshot was deleted before the schedule looked: what it made is gone, not failed.
        await schedules.settle(s.id, targetId, 'SUCCEEDED', null);
        continue;
      }
      if (job.status !== 'SUCCEEDED' && job.status !== 'FAILED') continue;
      const error =
        job.status === 'FAILED'
          ? job.error ?? `the ${LABEL[s.operation]} failed`
          : null;
      if (!(await schedules.settle(s.id, targetId, job.status, error)))
        continue;
      settled++;
      if (job.status === 'FAILED') {
        await this.raise(
          s,
          'failed',
          `${LABEL[s.operation]} ${targetId} failed: ${error}`,
        );
      }
      this.deps.signals.notify(s.migrationId, signalOf(s.operation));
    }
    return settled;
  }

  /** One open alert per schedule and kind of trouble (raised again once it is resolved). */
  private async raise(
    schedule: StoredOperationSchedule,
    what: 'failed' | 'missed',
    text: string,
    severity: 'HIGH' | 'MEDIUM' = 'HIGH',
  ) {
    try {
      const migration = await this.deps.getMigration(schedule.migrationId);
      await this.deps.alerts.raise(
        migration,
        {
          alertType: what === 'failed' ? 'ERROR' : 'WARNING',
          severity,
          title: `Scheduled ${LABEL[schedule.operation]} "${
            schedule.name
          }" ${what}`,
          message: `The ${schedule.frequency.toLowerCase()} ${
            LABEL[schedule.operation]
          } schedule "${schedule.name}": ${text}`,
        },
        SYSTEM,
        undefined,
        { key: `operation-schedule-${what}:${schedule.id}` },
      );
    } catch (e) {
      this.deps.logger.warn(
        `Could not raise the alert of schedule ${schedule.id}: ${errorText(e)}`,
      );
    }
  }

  async schedule(scheduler: SchedulerService) {
    await scheduler.scheduleTask({
      id: 'cutover-operation-schedules',
      frequency: { minutes: 1 },
      timeout: { minutes: 5 },
      initialDelay: { seconds: 30 },
      scope: 'global',
      fn: async () => {
        await this.dispatchDue();
      },
    });
  }
}

function signalOf(operation: ScheduledOperation): CutoverSignalType {
  return operation === 'SNAPSHOT' ? 'snapshot' : 'reconciliation';
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
