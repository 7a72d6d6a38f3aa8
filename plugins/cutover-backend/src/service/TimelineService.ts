import type { CutoverClock } from '@switchyard/plugin-cutover-node';
import { ConflictError, InputError, NotFoundError } from '@backstage/errors';
import {
  ControlAnswer,
  computeTimeline,
  rollUpSubTasks,
  SubTask,
  SubTaskCreate,
  SubTaskUpdate,
  findDependencyCycle,
  Migration,
  Timeline,
  Milestone,
  MilestoneUpdate,
  Phase,
  PhaseUpdate,
  unmetDependencies,
} from '@switchyard/plugin-cutover-common';
import { Request } from 'express';
import { CutoverStore } from '../database/CutoverStore';
import { Caller } from './access';
import { AuditLog } from './AuditLog';
import { SignalPublisher } from './SignalPublisher';

const FINISHED = ['COMPLETED', 'FAILED', 'SKIPPED'];

/** Phases and milestones: upserts with dependency rules. */
export class TimelineService {
  constructor(
    private readonly deps: {
      store: CutoverStore;
      audit: AuditLog;
      signals: SignalPublisher;
      /** The plugin's one clock (see cutoverClockServiceRef). */
      clock: CutoverClock;
    },
  ) {}

  private now() {
    return this.deps.clock.now();
  }

  /** The timeline with critical path, delays, variance and predicted completion, computed now. */
  async timeline(migration: Migration): Promise<Timeline> {
    const [phases, milestones] = await Promise.all([
      this.deps.store.listPhases(migration.id),
      this.deps.store.listMilestones(migration.id),
    ]);
    return computeTimeline(phases, milestones, {
      now: this.now(),
      plannedStart: migration.plannedStart,
      plannedEnd: migration.plannedEnd,
    });
  }

  /**
   * Creates or updates a phase. A phase may not start (IN_PROGRESS or COMPLETED) before the
   * phases it depends on are finished (409 naming them); dependency cycles are refused (400).
   */
  async putPhase(
    migrationId: string,
    phaseId: string,
    updateOrDerive: PhaseUpdate | ((before: Phase | undefined) => PhaseUpdate),
    caller: Caller,
    req: Request,
    action?: string,
  ): Promise<Phase> {
    const result = await this.deps.store.transaction(async store => {
      const migration = await store.getMigration(migrationId);
      if (!migration) {
        throw new NotFoundError(`No migration with id "${migrationId}"`);
      }
      const phases = await store.listPhases(migrationId);
      const before = phases.find(p => p.id === phaseId);
      const update =
        typeof updateOrDerive === 'function'
          ? updateOrDerive(before)
          : updateOrDerive;
      const known = new Set(migration.datasets.map(d => d.name));
      (update.datasets ?? []).forEach((name, i) => {
        if (!known.has(name)) {
          throw new InputError(
            `Invalid request: datasets.${i}: unknown dataset "${name}" in migration "${migrationId}"`,
          );
        }
      });
      if (!before && !update.name) {
        throw new InputError(
          `Invalid request: name: required to create phase "${phaseId}"`,
        );
      }
      const now = new Date(this.now()).toISOString();
      const next: Phase = {
        id: phaseId,
        name: update.name ?? before!.name,
        description: pick(update.description, before?.description ?? null),
        plannedStart: pick(update.plannedStart, before?.plannedStart ?? null),
        plannedEnd: pick(update.plannedEnd, before?.plannedEnd ?? null),
        actualStart: pick(update.actualStart, before?.actualStart ?? null),
        actualEnd: pick(update.actualEnd, before?.actualEnd ?? null),
        progressPercent: update.progressPercent ?? before?.progressPercent ?? 0,
        status: update.status ?? before?.status ?? 'PENDING',
        dependsOn: update.dependsOn ?? before?.dependsOn ?? [],
        subTasks:
          (update.subTasks as Phase['subTasks']) ?? before?.subTasks ?? [],
        errors: update.errors ?? before?.errors ?? [],
        warnings: update.warnings ?? before?.warnings ?? [],
        datasets: update.datasets ?? before?.datasets ?? [],
        paused: before?.paused ?? false,
        pausedAt: before?.pausedAt ?? null,
        pausedBy: before?.pausedBy ?? null,
      };
      // Sub-tasks roll up into the phase unless the update sets the phase's figures itself.
      const rolled = update.subTasks ? rollUpSubTasks(next.subTasks) : undefined;
      if (rolled) {
        if (update.progressPercent === undefined)
          next.progressPercent = rolled.progressPercent;
        const keep =
          next.status === 'FAILED' ||
          next.status === 'SKIPPED' ||
          (rolled.status === 'PENDING' && next.status !== 'PENDING');
        if (update.status === undefined && !keep) next.status = rolled.status;
      }
      if (
        next.plannedStart &&
        next.plannedEnd &&
        Date.parse(next.plannedEnd) < Date.parse(next.plannedStart)
      ) {
        throw new InputError(
          'Invalid request: plannedEnd: must not be before plannedStart',
        );
      }
      const others = phases.filter(p => p.id !== phaseId);
      next.dependsOn.forEach((dep, i) => {
        if (dep === phaseId) {
          throw new InputError(
            `Invalid request: dependsOn.${i}: a phase cannot depend on itself`,
          );
        }
        if (!others.some(p => p.id === dep)) {
          throw new InputError(
            `Invalid request: dependsOn.${i}: unknown phase "${dep}"`,
          );
        }
      });
      const cycle = findDependencyCycle([...others, next]);
      if (cycle) {
        throw new InputError(
          `Invalid request: dependsOn: dependency cycle ${cycle.join(' -> ')}`,
        );
      }
      const starting =
        (next.status === 'IN_PROGRESS' || next.status === 'COMPLETED') &&
        (before?.status ?? 'PENDING') !== next.status &&
        !(before?.status === 'IN_PROGRESS' && next.status === 'COMPLETED');
      if (
        starting ||
        (next.progressPercent > 0 && (before?.progressPercent ?? 0) === 0)
      ) {
        const unmet = unmetDependencies(next, others);
        if (unmet.length) {
          throw new ConflictError(
            `Phase "${phaseId}" cannot start before ${unmet
              .map(d => `"${d}"`)
              .join(', ')} ${unmet.length === 1 ? 'is' : 'are'} completed`,
          );
        }
      }
      if (next.status === 'IN_PROGRESS' && !next.actualStart)
        next.actualStart = now;
      if (FINISHED.includes(next.status) && !next.actualEnd) {
        next.actualEnd = now;
        if (next.status !== 'SKIPPED' && !next.actualStart)
          next.actualStart = now;
      }
      if (next.status === 'COMPLETED') next.progressPercent = 100;
      if (next.status === 'PENDING' && next.progressPercent > 0)
        next.status = 'IN_PROGRESS';
      if (next.status === 'IN_PROGRESS' && !next.actualStart)
        next.actualStart = now;

      await store.putPhase(migrationId, next, this.now());
      await this.deps.audit.record(
        store,
        caller,
        {
          migrationId,
          action: action ?? (before ? 'phase.update' : 'phase.create'),
          target: `phase:${phaseId}`,
          before,
          after: next,
        },
        req,
      );
      return next;
    });
    this.deps.signals.notify(migrationId, 'timeline');
    return result;
  }

  /** Adds a sub-task to a phase (409 when its id is taken); the phase's progress rolls up. */
  createSubTask(
    migrationId: string,
    phaseId: string,
    body: SubTaskCreate,
    caller: Caller,
    req: Request,
  ): Promise<Phase> {
    return this.putPhase(
      migrationId,
      phaseId,
      before => {
        const phase = existing(before, phaseId);
        if (phase.subTasks.some(t => t.id === body.id)) {
          throw new ConflictError(
            `Phase "${phaseId}" already has a sub-task "${body.id}"; update it with PATCH`,
          );
        }
        if (phase.subTasks.length >= 200) {
          throw new InputError(
            `Invalid request: phase "${phaseId}" has 200 sub-tasks, the most it may have`,
          );
        }
        const progress =
          body.status === 'COMPLETED' ? 100 : body.progressPercent ?? 0;
        const status = body.status ?? 'PENDING';
        const task: SubTask = {
          id: body.id,
          name: body.name,
          status: status === 'PENDING' && progress > 0 ? 'IN_PROGRESS' : status,
          progressPercent: progress,
        };
        return { subTasks: [...phase.subTasks, task] };
      },
      caller,
      req,
      'phase.subtask.create',
    );
  }

  /** Changes a sub-task's name, status or progress; the phase's progress rolls up. */
  updateSubTask(
    migrationId: string,
    phaseId: string,
    subTaskId: string,
    body: SubTaskUpdate,
    caller: Caller,
    req: Request,
    action = 'phase.subtask.update',
  ): Promise<Phase> {
    return this.putPhase(
      migrationId,
      phaseId,
      before => {
        const phase = existing(before, phaseId);
        if (!phase.subTasks.some(t => t.id === subTaskId)) {
          throw new NotFoundError(
            `No sub-task "${subTaskId}" in phase "${phaseId}"`,
          );
        }
        return {
          subTasks: phase.subTasks.map(t => {
            if (t.id !== subTaskId) return t;
            const status = body.status ?? t.status;
            let progress = body.progressPercent ?? t.progressPercent;
            if (status === 'COMPLETED') progress = 100;
            return {
              ...t,
              name: body.name ?? t.name,
              status:
                status === 'PENDING' && progress > 0 ? 'IN_PROGRESS' : status,
              progressPercent: progress,
            };
          }),
        };
      },
      caller,
      req,
      action,
    );
  }

  /** Pauses or resumes a phase: jobs of its datasets are told PAUSE while it is paused. */
  async setPhasePaused(
    migrationId: string,
    phaseId: string,
    pause: boolean,
    reason: string | undefined,
    caller: Caller,
    req: Request,
  ): Promise<Phase> {
    const result = await this.deps.store.transaction(async store => {
      const migration = await store.getMigration(migrationId, {
        withDatasets: false,
      });
      if (!migration) {
        throw new NotFoundError(`No migration with id "${migrationId}"`);
      }
      const before = (await store.listPhases(migrationId)).find(
        p => p.id === phaseId,
      );
      if (!before) {
        throw new NotFoundError(
          `No phase "${phaseId}" in migration "${migrationId}"`,
        );
      }
      if (pause && FINISHED.includes(before.status)) {
        throw new ConflictError(
          `Phase "${phaseId}" is ${before.status}: a finished phase has no jobs to pause`,
        );
      }
      if (pause && migration.status === 'CANCELLED') {
        throw new ConflictError(
          `Migration "${migrationId}" is cancelled: its jobs are stopping for good`,
        );
      }
      if (Boolean(before.paused) === pause) return { phase: before, changed: false };
      const now = this.now();
      await store.setPhasePaused(
        migrationId,
        phaseId,
        pause ? { at: now, by: caller.actor } : null,
        now,
      );
      const after: Phase = {
        ...before,
        paused: pause,
        pausedAt: pause ? new Date(now).toISOString() : null,
        pausedBy: pause ? caller.actor : null,
      };
      await this.deps.audit.record(
        store,
        caller,
        {
          migrationId,
          action: pause ? 'phase.pause' : 'phase.resume',
          target: `phase:${phaseId}`,
          before: { paused: Boolean(before.paused) },
          after: {
            paused: pause,
            datasets: before.datasets ?? [],
            ...(reason ? { reason } : {}),
          },
        },
        req,
      );
      return { phase: after, changed: true };
    });
    if (result.changed) {
      this.deps.signals.notify(migrationId, 'timeline');
      this.deps.signals.notify(migrationId, 'migration');
    }
    return result.phase;
  }

  /**
   * What jobs are told: the migration's control state, and PAUSE for a dataset (asked with
   * `?dataset=`) while a phase moving it is paused.
   */
  async control(migration: Migration, dataset?: string): Promise<ControlAnswer> {
    const paused = (await this.deps.store.listPhases(migration.id)).filter(
      p => p.paused,
    );
    const answer: ControlAnswer = {
      controlState: migration.controlState,
      status: migration.status,
    };
    if (dataset !== undefined) {
      answer.dataset = dataset;
      if (
        migration.controlState === 'RUN' &&
        paused.some(p => (p.datasets ?? []).includes(dataset))
      ) {
        answer.controlState = 'PAUSE';
      }
    }
    if (paused.length) {
      answer.pausedPhases = paused.map(p => p.id);
      answer.pausedDatasets = [
        ...new Set(paused.flatMap(p => p.datasets ?? [])),
      ].sort();
    }
    return answer;
  }

  async putMilestone(
    migrationId: string,
    milestoneId: string,
    update: MilestoneUpdate,
    caller: Caller,
    req: Request,
  ): Promise<Milestone> {
    const result = await this.deps.store.transaction(async store => {
      if (!(await store.getMigration(migrationId))) {
        throw new NotFoundError(`No migration with id "${migrationId}"`);
      }
      const before = (await store.listMilestones(migrationId)).find(
        m => m.id === milestoneId,
      );
      if (!before && !update.name) {
        throw new InputError(
          `Invalid request: name: required to create milestone "${milestoneId}"`,
        );
      }
      const completed = update.completed ?? before?.completed ?? false;
      const next: Milestone = {
        id: milestoneId,
        name: update.name ?? before!.name,
        plannedDate: pick(update.plannedDate, before?.plannedDate ?? null),
        actualDate: pick(update.actualDate, before?.actualDate ?? null),
        completed,
      };
      if (completed && !next.actualDate)
        next.actualDate = new Date(this.now()).toISOString();
      await store.putMilestone(migrationId, next, this.now());
      await this.deps.audit.record(
        store,
        caller,
        {
          migrationId,
          action: before ? 'milestone.update' : 'milestone.create',
          target: `milestone:${milestoneId}`,
          before,
          after: next,
        },
        req,
      );
      return next;
    });
    this.deps.signals.notify(migrationId, 'timeline');
    return result;
  }
}

function existing(phase: Phase | undefined, phaseId: string): Phase {
  if (!phase) throw new NotFoundError(`No phase "${phaseId}"`);
  return phase;
}

function pick<T>(value: T | undefined, fallback: T): T {
  return value === undefined ? fallback : value;
}
