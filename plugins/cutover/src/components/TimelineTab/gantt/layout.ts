// Long: the Gantt chart's whole geometry (rows, sub-tasks, dependencies, milestones, freeze bands)
// as pure functions over one set of measures (GANTT), tested as a unit; the drawing is elsewhere.
import type {
  FreezeWindow,
  Milestone,
  SubTask,
  Timeline,
  TimelinePhase,
} from '@switchyard/plugin-cutover-common';
import {
  tickLabel,
  TickSpec,
  ticksFor,
  timeRange,
  TimeRange,
  timeToX,
  toMs,
} from './scale';

/** The fixed measures of the chart, in pixels. */
export const GANTT = {
  /** Height of one row (a phase, or the milestones). */
  rowHeight: 28,
  /** Height of a sub-task's row under its phase. */
  subTaskHeight: 20,
  /** Sub-task bar: top offset and height inside its row. */
  subTaskY: 6,
  subTaskBarHeight: 9,
  /** How far a sub-task's name is indented in the label column. */
  subTaskIndent: 22,
  /** Width of the label column on the left. */
  labelWidth: 260,
  /** Height of the time axis band at the top. */
  axisHeight: 32,
  /** Band under the rows that holds the "Today" label. */
  footerHeight: 20,
  rightPadding: 16,
  /** The whole chart is never narrower than this; the box scrolls instead. */
  minWidth: 900,
  /** Planned bar: top offset and height inside a row. */
  plannedY: 4,
  plannedHeight: 13,
  /** Actual bar: top offset and height inside a row. */
  actualY: 19,
  actualHeight: 6,
  /** Longest phase name drawn in the label column (the full name is in the tooltip). */
  maxLabelChars: 34,
  /** Half the width of a milestone diamond. */
  milestoneRadius: 6,
  /** Rough width of a character of 10px text, to fit names into the room they have. */
  charWidth: 6,
  /** Minor gridlines are drawn only when they are at least this far apart. */
  minMinorSpacing: 8,
} as const;

/** `text` cut to `max` characters, with an ellipsis when it was longer. */
export function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, Math.max(1, max - 1))}…` : text;
}

/** A horizontal bar: left edge and width. */
export interface Bar {
  x: number;
  width: number;
}

/** A row's place: rows are stacked top to bottom in the order given. */
export interface RowSlot {
  key: string;
  /** Position among the rows, for zebra striping. */
  index: number;
  /** 0 for a phase; deeper levels (a phase's sub-tasks) are indented under it. */
  depth: number;
  top: number;
  height: number;
}

/** Stacks rows from `top` down, each `GANTT.rowHeight` high unless it says otherwise. */
export function stackRows<
  T extends { key: string; depth?: number; height?: number },
>(items: T[], top: number): Array<T & RowSlot> {
  let y = top;
  return items.map((item, index) => {
    const height = item.height ?? GANTT.rowHeight;
    const slot = { ...item, index, depth: item.depth ?? 0, top: y, height };
    y += height;
    return slot;
  });
}

/** A phase's times in milliseconds, as drawn. */
export interface PhaseTimes {
  plannedStart: number | null;
  plannedEnd: number | null;
  actualStart: number | null;
  /** End of the actual bar: the actual end, or now while the phase runs. */
  actualEnd: number | null;
  running: boolean;
}

/** The times of a phase as drawn: a running phase's actual bar reaches now. */
export function phaseTimes(phase: TimelinePhase, now: number): PhaseTimes {
  const actualStart = toMs(phase.actualStart);
  const running =
    phase.status === 'IN_PROGRESS' && actualStart !== null && !phase.actualEnd;
  let actualEnd = toMs(phase.actualEnd);
  if (running && actualStart !== null) actualEnd = Math.max(now, actualStart);
  return {
    plannedStart: toMs(phase.plannedStart),
    plannedEnd: toMs(phase.plannedEnd),
    actualStart,
    actualEnd,
    running,
  };
}

/** A phase's row: its label, planned bar with progress fill, and actual bar. */
export interface PhaseRow extends RowSlot, PhaseTimes {
  kind: 'phase';
  phase: TimelinePhase;
  critical: boolean;
  /** The name as drawn in the label column. */
  label: string;
  /** Progress, 0-100. */
  progress: number;
  planned: (Bar & { progressWidth: number }) | null;
  actual: Bar | null;
  /** Neither planned nor actual dates: the row says so instead of drawing bars. */
  undated: boolean;
}

/** A sub-task's row under its phase: its name, and a bar over the phase's span filled by progress. */
export interface SubTaskRow extends RowSlot {
  kind: 'subtask';
  phase: TimelinePhase;
  subTask: SubTask;
  label: string;
  progress: number;
  /** Over the phase's planned bar (or its actual bar when it has no plan); null when undated. */
  bar: (Bar & { progressWidth: number }) | null;
}

/** A sub-task's row, its bar spanning its phase's. */
export function layOutSubTaskRow(
  slot: RowSlot & { phase: TimelinePhase; subTask: SubTask },
  phaseRow: PhaseRow,
): SubTaskRow {
  const progress =
    slot.subTask.status === 'COMPLETED'
      ? 100
      : Math.min(100, Math.max(0, slot.subTask.progressPercent || 0));
  const span = phaseRow.planned ?? phaseRow.actual;
  return {
    ...slot,
    kind: 'subtask',
    label: truncate(
      slot.subTask.name,
      GANTT.maxLabelChars - Math.ceil(GANTT.subTaskIndent / GANTT.charWidth),
    ),
    progress,
    bar: span
      ? {
          x: span.x,
          width: span.width,
          progressWidth: Math.round(((span.width * progress) / 100) * 2) / 2,
        }
      : null,
  };
}

/** A dependency arrow from the end of one phase's bar to the start of another's. */
export interface DependencyArrow {
  from: TimelinePhase;
  to: TimelinePhase;
  /** SVG path data. */
  d: string;
  /** Both ends on the critical path. */
  critical: boolean;
}

/** A milestone's diamond and its name, placed in the milestone row. */
export interface MilestoneMark {
  milestone: Milestone;
  cx: number;
  cy: number;
  /** The name as drawn, possibly cut short; empty when there is no room. */
  label: string;
  anchor: 'start' | 'end';
  labelX: number;
}

/** A freeze window drawn as a band over the whole chart. */
export interface FreezeBand {
  window: FreezeWindow;
  start: number;
  end: number;
  x: number;
  width: number;
  height: number;
  active: boolean;
  /** The name as drawn at the top of the band; empty when the band is too narrow. */
  label: string;
}

/** A labelled tick of the time axis. */
export interface AxisTick {
  at: number;
  x: number;
  label: string;
  /** False near the right edge, where the label would be cut off. */
  labelled: boolean;
}

/** Everything the chart draws, in SVG user units. */
export interface GanttLayout {
  width: number;
  height: number;
  range: TimeRange;
  plot: { left: number; right: number; width: number };
  axis: {
    height: number;
    spec: TickSpec;
    ticks: AxisTick[];
    /** Minor gridlines; empty when they would be too dense. */
    minor: number[];
  };
  /** The milestone row, when the timeline has milestones. */
  milestones: { top: number; marks: MilestoneMark[] } | null;
  rowsTop: number;
  rowsBottom: number;
  rows: PhaseRow[];
  /** Sub-tasks under their (unfolded) phases. */
  subTaskRows: SubTaskRow[];
  dependencies: DependencyArrow[];
  freezeBands: FreezeBand[];
  today: {
    at: number;
    x: number;
    top: number;
    bottom: number;
    labelY: number;
    anchor: 'middle' | 'end';
  } | null;
  /** Map of time to x. */
  x: (ms: number) => number;
}

/** Freeze windows drawn as bands: planned and active ones with dates. */
export function bandWindows(
  windows: FreezeWindow[] | undefined,
): FreezeWindow[] {
  return (windows ?? []).filter(
    w =>
      (w.status === 'PLANNED' || w.status === 'ACTIVE') &&
      toMs(w.startsAt) !== null &&
      toMs(w.endsAt) !== null,
  );
}

/**
 * A path from the end of a dependency's bar (x1, y1) to the start of the dependent's bar (x2, y2).
 * `targetEdgeY` is the dependent bar's near edge (top when it is below), `betweenY` the line between
 * the rows just above (or below) the dependent.
 */
export function dependencyPath(
  x1: number,
  y1: number,
  x2: number,
  y2: number,
  targetEdgeY: number,
  betweenY: number,
): string {
  const gap = 6;
  if (x2 - x1 >= gap * 2) {
    // Room between the bars: right, down, then into the start of the dependent.
    return `M${x1},${y1} H${x1 + gap} V${y2} H${x2}`;
  }
  if (x2 >= x1 - 1) {
    // Back to back: drop straight onto the start of the dependent.
    return `M${x1},${y1} H${Math.max(x1, x2) + gap} V${targetEdgeY}`;
  }
  // The dependent starts before the dependency ends: go round through the gap between rows.
  return `M${x1},${y1} H${x1 + gap} V${betweenY} H${
    x2 - gap * 2
  } V${y2} H${x2}`;
}

/** Arrows for every `dependsOn` edge between dated phases; unknown phases are ignored. */
export function layOutDependencies(
  rows: PhaseRow[],
  x: (ms: number) => number,
): DependencyArrow[] {
  const byId = new Map(rows.map(r => [r.phase.id, r]));
  const barMiddle = (row: PhaseRow) =>
    row.top + GANTT.plannedY + GANTT.plannedHeight / 2;
  const arrows: DependencyArrow[] = [];
  for (const target of rows) {
    for (const depId of target.phase.dependsOn) {
      const source = byId.get(depId);
      if (!source) continue;
      const from = source.plannedEnd ?? source.actualEnd;
      const to = target.plannedStart ?? target.actualStart;
      if (from === null || to === null) continue;
      const below = target.top > source.top;
      const betweenY = below ? target.top : target.top + target.height;
      const targetEdgeY =
        target.top + GANTT.plannedY + (below ? -1 : GANTT.plannedHeight + 1);
      arrows.push({
        from: source.phase,
        to: target.phase,
        d: dependencyPath(
          x(from),
          barMiddle(source),
          x(to) - 1,
          barMiddle(target),
          targetEdgeY,
          betweenY,
        ),
        critical: source.critical && target.critical,
      });
    }
  }
  return arrows;
}

/**
 * Milestones left to right at their date (actual once completed, else planned). Each name goes
 * right of its diamond, or left when there is more room there, cut short where it would run into
 * its neighbour. Milestones without a date are left out.
 */
export function placeMilestones(
  milestones: Milestone[],
  x: (ms: number) => number,
  cy: number,
  left: number,
  right: number,
): MilestoneMark[] {
  const r = GANTT.milestoneRadius;
  const charWidth = GANTT.charWidth;
  const dated = milestones
    .map(m => {
      const planned = toMs(m.plannedDate);
      const actual = toMs(m.actualDate);
      const at = m.completed && actual !== null ? actual : planned ?? actual;
      return { m, at };
    })
    .filter((v): v is { m: Milestone; at: number } => v.at !== null)
    .sort((a, b) => a.at - b.at);
  const marks: MilestoneMark[] = [];
  let taken = left;
  dated.forEach(({ m, at }, i) => {
    const cx = x(at);
    const next = dated[i + 1];
    const rightLimit = next ? x(next.at) - r - 4 : right;
    const rightRoom = rightLimit - (cx + r + 3);
    const leftRoom = cx - r - 3 - (taken + 4);
    const onRight =
      m.name.length * charWidth <= rightRoom || rightRoom >= leftRoom;
    const chars = Math.floor((onRight ? rightRoom : leftRoom) / charWidth);
    const label = chars >= 4 ? truncate(m.name, chars) : '';
    marks.push({
      milestone: m,
      cx,
      cy,
      label,
      anchor: onRight ? 'start' : 'end',
      labelX: onRight ? cx + r + 3 : cx - r - 3,
    });
    taken = onRight ? cx + r + 3 + label.length * charWidth : cx + r;
  });
  return marks;
}

/** A phase's row: label, bars and progress fill. */
export function layOutPhaseRow(
  slot: RowSlot & { phase: TimelinePhase; critical: boolean },
  now: number,
  x: (ms: number) => number,
): PhaseRow {
  const { phase } = slot;
  const times = phaseTimes(phase, now);
  const progress = Math.min(100, Math.max(0, phase.progressPercent || 0));
  let planned: PhaseRow['planned'] = null;
  if (times.plannedStart !== null && times.plannedEnd !== null) {
    const px = x(times.plannedStart);
    const width = Math.max(2, x(times.plannedEnd) - px);
    planned = {
      x: px,
      width,
      progressWidth: Math.round(((width * progress) / 100) * 2) / 2,
    };
  }
  let actual: Bar | null = null;
  if (times.actualStart !== null) {
    const ax = x(times.actualStart);
    actual = {
      x: ax,
      width: Math.max(3, x(times.actualEnd ?? times.actualStart) - ax),
    };
  }
  return {
    ...slot,
    ...times,
    kind: 'phase',
    label: truncate(phase.name, GANTT.maxLabelChars),
    progress,
    planned,
    actual,
    undated: !planned && !actual,
  };
}

/** Bands of the planned and active freeze windows, from the top of the chart to `bottom`. */
export function layOutFreezeBands(
  windows: FreezeWindow[] | undefined,
  x: (ms: number) => number,
  bottom: number,
): FreezeBand[] {
  return bandWindows(windows).map(w => {
    const start = toMs(w.startsAt)!;
    const end = toMs(w.endsAt)!;
    const bandX = x(start);
    const width = Math.max(2, x(end) - bandX);
    const chars = Math.floor((width - 6) / GANTT.charWidth);
    return {
      window: w,
      start,
      end,
      x: bandX,
      width,
      height: bottom,
      active: w.status === 'ACTIVE',
      label: chars >= 4 ? truncate(w.name, chars) : '',
    };
  });
}

/**
 * Lays out the whole chart: the time range and axis, one row per phase (stacked, so further
 * kinds of rows can sit under their phase), bars, dependency arrows, milestones, freeze window
 * bands and the today line. The plot is as wide as the container allows, and wider when the
 * ticks need more room.
 */
export function layOutGantt(input: {
  timeline: Timeline;
  now: number;
  freezeWindows?: FreezeWindow[];
  /** Width of the box the chart is drawn in; 0 when unknown. */
  containerWidth?: number;
  /** Phases whose sub-tasks are folded away. */
  folded?: ReadonlySet<string>;
}): GanttLayout {
  const { timeline, now } = input;
  const bands = bandWindows(input.freezeWindows);
  const range = timeRange(timeline, now, bands);
  const ticks = ticksFor(range);

  const minPlotWidth =
    Math.max(GANTT.minWidth, input.containerWidth ?? 0) -
    GANTT.labelWidth -
    GANTT.rightPadding;
  const plotWidth = Math.max(
    minPlotWidth,
    ticks.major.length * ticks.spec.spacing,
  );
  const width = GANTT.labelWidth + plotWidth + GANTT.rightPadding;
  const plot = {
    left: GANTT.labelWidth,
    right: GANTT.labelWidth + plotWidth,
    width: plotWidth,
  };
  const x = timeToX(range, plot.left, plotWidth);

  const hasMilestones = timeline.milestones.length > 0;
  const rowsTop = GANTT.axisHeight + (hasMilestones ? GANTT.rowHeight : 0);
  const criticalIds = new Set(timeline.criticalPath);
  // Each phase, then its sub-tasks (unless folded), stacked top to bottom.
  type Item =
    | { key: string; kind: 'phase'; phase: TimelinePhase; critical: boolean }
    | {
        key: string;
        kind: 'subtask';
        phase: TimelinePhase;
        subTask: SubTask;
        depth: number;
        height: number;
      };
  const items: Item[] = timeline.phases.flatMap(phase => [
    {
      key: phase.id,
      kind: 'phase' as const,
      phase,
      critical: phase.critical || criticalIds.has(phase.id),
    },
    ...(input.folded?.has(phase.id) ? [] : phase.subTasks ?? []).map(
      subTask => ({
        key: `${phase.id}/${subTask.id}`,
        kind: 'subtask' as const,
        phase,
        subTask,
        depth: 1,
        height: GANTT.subTaskHeight,
      }),
    ),
  ]);
  const slots = stackRows(items, rowsTop);
  const rows: PhaseRow[] = [];
  const subTaskRows: SubTaskRow[] = [];
  for (const slot of slots) {
    if (slot.kind === 'phase') {
      // Zebra stripes count phases only: a phase and its sub-tasks share a stripe.
      rows.push(layOutPhaseRow({ ...slot, index: rows.length }, now, x));
    } else {
      subTaskRows.push(
        layOutSubTaskRow(
          { ...slot, index: rows.length - 1 },
          rows[rows.length - 1],
        ),
      );
    }
  }
  const rowsBottom = slots.length
    ? slots[slots.length - 1].top + slots[slots.length - 1].height
    : rowsTop;
  const height = rowsBottom + GANTT.footerHeight;

  const todayX = x(now);
  return {
    width,
    height,
    range,
    plot,
    axis: {
      height: GANTT.axisHeight,
      spec: ticks.spec,
      ticks: ticks.major.map(at => ({
        at,
        x: x(at),
        label: tickLabel(at, ticks.spec),
        labelled: x(at) + ticks.spec.spacing / 2 <= width,
      })),
      minor:
        ticks.minor.length * GANTT.minMinorSpacing <= plotWidth
          ? ticks.minor
          : [],
    },
    milestones: hasMilestones
      ? {
          top: GANTT.axisHeight,
          marks: placeMilestones(
            timeline.milestones,
            x,
            GANTT.axisHeight + GANTT.rowHeight / 2,
            plot.left,
            plot.right + GANTT.rightPadding,
          ),
        }
      : null,
    rowsTop,
    rowsBottom,
    rows,
    subTaskRows,
    dependencies: layOutDependencies(rows, x),
    freezeBands: layOutFreezeBands(bands, x, rowsBottom),
    today:
      now >= range.start && now <= range.end
        ? {
            at: now,
            x: todayX,
            top: GANTT.axisHeight,
            bottom: rowsBottom + 4,
            labelY: height - 5,
            anchor: todayX > plot.right - 20 ? 'end' : 'middle',
          }
        : null,
    x,
  };
}
