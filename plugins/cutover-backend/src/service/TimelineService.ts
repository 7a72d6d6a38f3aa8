import type { CutoverClock } from '@switchyard/plugin-cutover-node';
import { ConflictError, InputError, NotFoundError } from '@backstage/errors';
import {
  computeTimeline,
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
    update: PhaseUpdate,
    caller: Caller,
    req: Request,
  ): Promise<Phase> {
    const result = await this.deps.store.transaction(async store => {
      if (!(await store.getMigration(migrationId))) {
        throw new NotFoundError(`No migration with id "${migrationId}"`);
      }
      const phases = await store.listPhases(migrationId);
      const before = phases.find(p => p.id === phaseId);
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
      };
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
          action: before ? 'phase.update' : 'phase.create',
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

function pick<T>(value: T | undefined, fallback: T): T {
  return value === undefined ? fallback : value;
}
