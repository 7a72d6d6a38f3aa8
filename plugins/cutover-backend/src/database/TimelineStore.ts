import type {
  Milestone,
  Phase,
  PhaseStatus,
} from '@switchyard/plugin-cutover-common';
import { Knex } from 'knex';
import { iso, json } from './columnValues';

/** Phases and milestones of migrations. */
export class TimelineStore {
  constructor(private readonly db: Knex | Knex.Transaction) {}

  async listPhases(migrationId: string): Promise<Phase[]> {
    const rows = await this.db('cutover_phases')
      .where({ migration_id: migrationId, removed: false })
      .orderBy('position');
    return rows.map(toPhase);
  }

  async listMilestones(migrationId: string): Promise<Milestone[]> {
    const rows = await this.db('cutover_milestones')
      .where({ migration_id: migrationId, removed: false })
      .orderBy('position');
    return rows.map(r => ({
      id: r.id,
      name: r.name,
      plannedDate: iso(r.planned_date),
      actualDate: iso(r.actual_date),
      completed: Boolean(r.completed),
    }));
  }

  async putPhase(migrationId: string, phase: Phase, now: number) {
    const row = {
      name: phase.name,
      description: phase.description,
      planned_start: ms(phase.plannedStart),
      planned_end: ms(phase.plannedEnd),
      actual_start: ms(phase.actualStart),
      actual_end: ms(phase.actualEnd),
      progress_percent: phase.progressPercent,
      status: phase.status,
      depends_on: JSON.stringify(phase.dependsOn),
      sub_tasks: JSON.stringify(phase.subTasks),
      errors: JSON.stringify(phase.errors),
      warnings: JSON.stringify(phase.warnings),
      datasets: JSON.stringify(phase.datasets ?? []),
      removed: false,
      updated_at: now,
    };
    const updated = await this.db('cutover_phases')
      .where({ migration_id: migrationId, id: phase.id })
      .update(row);
    if (!updated) {
      const [{ count }] = await this.db('cutover_phases')
        .where({ migration_id: migrationId })
        .count({ count: '*' });
      await this.db('cutover_phases').insert({
        migration_id: migrationId,
        id: phase.id,
        position: Number(count),
        ...row,
      });
    }
  }

  async setPhasePaused(
    migrationId: string,
    phaseId: string,
    paused: { at: number; by: string } | null,
    now: number,
  ): Promise<boolean> {
    const updated = await this.db('cutover_phases')
      .where({ migration_id: migrationId, id: phaseId, removed: false })
      .update({
        paused: paused !== null,
        paused_at: paused?.at ?? null,
        paused_by: paused?.by ?? null,
        updated_at: now,
      });
    return updated > 0;
  }

  async putMilestone(migrationId: string, milestone: Milestone, now: number) {
    const row = {
      name: milestone.name,
      planned_date: ms(milestone.plannedDate),
      actual_date: ms(milestone.actualDate),
      completed: milestone.completed,
      removed: false,
      updated_at: now,
    };
    const updated = await this.db('cutover_milestones')
      .where({ migration_id: migrationId, id: milestone.id })
      .update(row);
    if (!updated) {
      const [{ count }] = await this.db('cutover_milestones')
        .where({ migration_id: migrationId })
        .count({ count: '*' });
      await this.db('cutover_milestones').insert({
        migration_id: migrationId,
        id: milestone.id,
        position: Number(count),
        ...row,
      });
    }
  }
}
function ms(isoTime: string | null): number | null {
  return isoTime === null ? null : Date.parse(isoTime);
}

function toPhase(r: any): Phase {
  return {
    id: r.id,
    name: r.name,
    description: r.description ?? null,
    plannedStart: iso(r.planned_start),
    plannedEnd: iso(r.planned_end),
    actualStart: iso(r.actual_start),
    actualEnd: iso(r.actual_end),
    progressPercent: Number(r.progress_percent ?? 0),
    status: r.status as PhaseStatus,
    dependsOn: json<string[]>(r.depends_on, []),
    subTasks: json(r.sub_tasks, []),
    errors: json<string[]>(r.errors, []),
    warnings: json<string[]>(r.warnings, []),
    datasets: json<string[]>(r.datasets, []),
    paused: Boolean(r.paused),
    pausedAt: iso(r.paused_at),
    pausedBy: r.paused_by ?? null,
  };
}
