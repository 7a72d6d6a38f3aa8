import type {
  Milestone,
  PhaseStatus,
  Timeline,
} from '@switchyard/plugin-cutover-common';
import type { FreezeBand, GanttLayout, PhaseRow } from './layout';
import { toMs } from './scale';

/** "IN_PROGRESS" -> "In progress". */
export function humanStatus(status: PhaseStatus): string {
  const s = status.replace(/_/g, ' ').toLowerCase();
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** "1 day", "1.5 days". */
function plural(n: number, unit: string): string {
  const rounded = Math.round(n * 10) / 10;
  return `${rounded} ${unit}${Math.abs(rounded) === 1 ? '' : 's'}`;
}

/** A phase's tooltip: dates, progress, slack and delay. */
export function phaseDescription(
  row: PhaseRow,
  fmt: (ms: number) => string,
): string {
  const { phase } = row;
  const parts = [`${phase.name} — ${humanStatus(phase.status)}`];
  if (row.plannedStart !== null || row.plannedEnd !== null) {
    const start = row.plannedStart !== null ? fmt(row.plannedStart) : '?';
    const end = row.plannedEnd !== null ? fmt(row.plannedEnd) : '?';
    parts.push(`Planned: ${start} → ${end}`);
  } else {
    parts.push('Planned: not scheduled');
  }
  if (row.actualStart !== null) {
    const end = toMs(phase.actualEnd);
    let endText = '…';
    if (end !== null) endText = fmt(end);
    else if (row.running) endText = 'in progress';
    parts.push(`Actual: ${fmt(row.actualStart)} → ${endText}`);
  } else {
    parts.push('Actual: not started');
  }
  parts.push(`Progress: ${Math.round(phase.progressPercent)}%`);
  parts.push(`Slack: ${plural(phase.slackDays, 'day')}`);
  if (phase.delayDays !== null && phase.delayDays > 0) {
    parts.push(`Late by ${plural(phase.delayDays, 'day')}`);
  } else if (phase.delayDays !== null && phase.delayDays < 0) {
    parts.push(`Ahead by ${plural(-phase.delayDays, 'day')}`);
  }
  if (phase.dependsOn.length > 0) {
    parts.push(`Depends on: ${phase.dependsOn.join(', ')}`);
  }
  if (row.critical) parts.push('On the critical path');
  return parts.join('. ');
}

/** A milestone's tooltip: planned and actual dates, and whether it is reached. */
export function milestoneDescription(
  m: Milestone,
  fmt: (ms: number) => string,
): string {
  const planned = toMs(m.plannedDate);
  const actual = toMs(m.actualDate);
  const parts = [m.name];
  parts.push(`Planned: ${planned !== null ? fmt(planned) : 'not scheduled'}`);
  if (actual !== null) parts.push(`Actual: ${fmt(actual)}`);
  parts.push(m.completed ? 'Completed' : 'Not completed');
  return parts.join('. ');
}

/** A freeze window band's tooltip: name, status, period and datasets. */
export function freezeDescription(
  band: FreezeBand,
  fmt: (ms: number) => string,
): string {
  const w = band.window;
  return `Freeze window ${w.name} (${w.status.toLowerCase()}): ${fmt(
    band.start,
  )} → ${fmt(band.end)}. Datasets: ${w.datasets.join(', ')}`;
}

/** The chart in one sentence, for its accessible description. */
export function chartSummary(
  timeline: Timeline,
  layout: GanttLayout,
  fmt: (ms: number) => string,
): string {
  const names = new Map(timeline.phases.map(p => [p.id, p.name]));
  const criticalNames = timeline.criticalPath
    .map(id => names.get(id) ?? id)
    .join(' → ');
  const predicted = toMs(timeline.predictedCompletion);
  return [
    `${layout.rows.length} phases and ${timeline.milestones.length} milestones`,
    `from ${fmt(layout.range.start)} to ${fmt(layout.range.end)}`,
    predicted !== null ? `predicted completion ${fmt(predicted)}` : null,
    criticalNames ? `critical path: ${criticalNames}` : null,
  ]
    .filter(Boolean)
    .join('; ');
}
