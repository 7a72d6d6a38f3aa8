import Box from '@material-ui/core/Box';
import Typography from '@material-ui/core/Typography';
import { alpha, makeStyles, Theme, useTheme } from '@material-ui/core/styles';
import type {
  FreezeWindow,
  Milestone,
  PhaseStatus,
  Timeline,
  TimelinePhase,
} from '@switchyard/plugin-cutover-common';
import { DateTime, DateTimeUnit } from 'luxon';
import { ReactNode, RefObject, useEffect, useId, useMemo, useRef, useState } from 'react';

/* ------------------------------------------------------------------ layout */

/** Height of one phase row (and of the milestone row). */
const ROW_HEIGHT = 28;
/** Width of the label column on the left. */
const LABEL_WIDTH = 260;
/** Height of the time axis band at the top. */
const AXIS_HEIGHT = 32;
/** Band under the rows that holds the "Today" label. */
const FOOTER_HEIGHT = 20;
const RIGHT_PADDING = 16;
/** The whole chart is never narrower than this; the box scrolls instead. */
const MIN_WIDTH = 900;
/** Planned bar: top offset and height inside a row. */
const PLANNED_Y = 4;
const PLANNED_H = 13;
/** Actual bar: top offset and height inside a row. */
const ACTUAL_Y = 19;
const ACTUAL_H = 6;
const DAY_MS = 86_400_000;
/** Longest phase name drawn in the label column (the full name is in the tooltip). */
const MAX_LABEL_CHARS = 34;
/** Half the width of a milestone diamond. */
const MILESTONE_R = 6;
/** Rough width of a character of 10px text, to fit milestone names. */
const CHAR_PX = 6;

/* --------------------------------------------------------------- helpers */

function toMs(iso: string | null | undefined): number | null {
  if (!iso) return null;
  const dt = DateTime.fromISO(iso);
  return dt.isValid ? dt.toMillis() : null;
}

function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, Math.max(1, max - 1))}…` : text;
}

function humanStatus(status: PhaseStatus): string {
  const s = status.replace(/_/g, ' ').toLowerCase();
  return s.charAt(0).toUpperCase() + s.slice(1);
}

function plural(n: number, unit: string): string {
  const rounded = Math.round(n * 10) / 10;
  return `${rounded} ${unit}${Math.abs(rounded) === 1 ? '' : 's'}`;
}

/** The colour that stands for a phase status. */
export function statusColor(theme: Theme, status: PhaseStatus): string {
  switch (status) {
    case 'COMPLETED':
      return theme.palette.success?.main ?? '#2e7d32';
    case 'FAILED':
      return theme.palette.error.main;
    case 'IN_PROGRESS':
      return theme.palette.info?.main ?? theme.palette.primary.main;
    default:
      return theme.palette.grey[500];
  }
}

interface TickSpec {
  unit: DateTimeUnit;
  step: number;
  format: string;
  /** Lighter gridlines between labelled ticks, if any. */
  minor?: { unit: DateTimeUnit; step: number };
  /** Minimum pixels between two labelled ticks. */
  spacing: number;
}

/** Hours, days, weeks or months, whichever suits the span. */
function tickSpec(spanMs: number): TickSpec {
  const days = spanMs / DAY_MS;
  if (days <= 2) return { unit: 'hour', step: 6, format: 'LLL d HH:mm', spacing: 84 };
  if (days <= 21) return { unit: 'day', step: 1, format: 'LLL d', spacing: 44 };
  if (days <= 140) {
    return { unit: 'week', step: 1, format: 'LLL d', spacing: 56, minor: { unit: 'day', step: 1 } };
  }
  return { unit: 'month', step: 1, format: 'LLL yyyy', spacing: 68, minor: { unit: 'week', step: 1 } };
}

/** Boundaries of `unit` (every `step`) inside [start, end]. */
function boundaries(start: number, end: number, unit: DateTimeUnit, step: number): number[] {
  const out: number[] = [];
  let t = DateTime.fromMillis(start).startOf(unit);
  if (t.toMillis() < start) t = t.plus({ [unit]: 1 });
  // Whole-number steps from a round boundary keep hour ticks on 00/06/12/18.
  if (unit === 'hour') {
    while (t.hour % step !== 0) t = t.plus({ hours: 1 });
  }
  for (let i = 0; t.toMillis() <= end && i < 2000; i++) {
    out.push(t.toMillis());
    t = t.plus({ [unit]: step });
  }
  return out;
}

/** Earliest and latest date of the timeline and its freeze windows, padded and rounded to whole days. */
function timeRange(
  timeline: Timeline,
  now: number,
  windows: FreezeWindow[] = [],
): { start: number; end: number; hasDates: boolean } {
  const dates: number[] = [];
  const add = (iso: string | null | undefined) => {
    const ms = toMs(iso);
    if (ms !== null) dates.push(ms);
  };
  for (const p of timeline.phases) {
    add(p.plannedStart);
    add(p.plannedEnd);
    add(p.actualStart);
    add(p.actualEnd);
    // A running phase's actual bar reaches today.
    if (p.status === 'IN_PROGRESS' && p.actualStart && !p.actualEnd) dates.push(now);
  }
  for (const m of timeline.milestones) {
    add(m.plannedDate);
    add(m.actualDate);
  }
  add(timeline.plannedStart);
  add(timeline.plannedEnd);
  add(timeline.predictedCompletion);
  for (const w of windows) {
    add(w.startsAt);
    add(w.endsAt);
  }

  if (dates.length === 0) {
    const today = DateTime.fromMillis(now).startOf('day');
    return { start: today.minus({ days: 3 }).toMillis(), end: today.plus({ days: 4 }).toMillis(), hasDates: false };
  }
  const min = Math.min(...dates);
  const max = Math.max(...dates);
  const pad = Math.max((max - min) * 0.03, DAY_MS / 2);
  const start = DateTime.fromMillis(min - pad).startOf('day').toMillis();
  let end = DateTime.fromMillis(max + pad).endOf('day').toMillis() + 1;
  if (end - start < DAY_MS) end = start + DAY_MS;
  return { start, end, hasDates: true };
}

/** The container's width, followed as it changes (when the browser can tell). */
function useContainerWidth(): [RefObject<HTMLDivElement>, number] {
  const ref = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState(0);
  useEffect(() => {
    const el = ref.current;
    if (!el) return undefined;
    setWidth(el.clientWidth);
    if (typeof ResizeObserver === 'undefined') return undefined;
    const observer = new ResizeObserver(entries => {
      const w = entries[0]?.contentRect.width;
      if (w) setWidth(w);
    });
    observer.observe(el);
    return () => observer.disconnect();
  }, []);
  return [ref, width];
}

/* ----------------------------------------------------------------- styles */

const useStyles = makeStyles(theme => ({
  root: {
    width: '100%',
    maxWidth: '100%',
    minWidth: 0,
    '@media print': { breakInside: 'avoid' },
  },
  scroller: {
    width: '100%',
    maxWidth: '100%',
    overflowX: 'auto',
    overflowY: 'hidden',
    '@media print': { overflow: 'visible' },
  },
  svg: {
    display: 'block',
    minWidth: MIN_WIDTH,
    fontFamily: theme.typography.fontFamily,
    shapeRendering: 'crispEdges',
    WebkitPrintColorAdjust: 'exact',
    printColorAdjust: 'exact',
    '& text': { fill: theme.palette.text.primary },
    '& text.gantt-muted': { fill: theme.palette.text.secondary },
    '& .gantt-critical': { fill: theme.palette.error.main },
    '& .gantt-smooth': { shapeRendering: 'geometricPrecision' },
    '@media print': {
      // Fit the page width (the viewBox keeps the proportions) and print text in black.
      minWidth: 0,
      maxWidth: '100%',
      height: 'auto',
      '& text, & text.gantt-muted, & .gantt-critical': { fill: '#000' },
    },
  },
  legend: {
    display: 'flex',
    flexWrap: 'wrap',
    alignItems: 'center',
    gap: theme.spacing(0.5, 2),
    marginTop: theme.spacing(1),
    '@media print': { color: '#000' },
  },
  legendItem: {
    display: 'inline-flex',
    alignItems: 'center',
    gap: theme.spacing(0.75),
    WebkitPrintColorAdjust: 'exact',
    printColorAdjust: 'exact',
  },
  legendSwatch: {
    display: 'block',
    flex: 'none',
    shapeRendering: 'crispEdges',
  },
}));

/* ----------------------------------------------------------------- legend */

function LegendItem(props: { label: string; children: ReactNode; width?: number }) {
  const classes = useStyles();
  const width = props.width ?? 28;
  return (
    <span className={classes.legendItem}>
      <svg className={classes.legendSwatch} width={width} height={16} aria-hidden="true">
        {props.children}
      </svg>
      <Typography variant="caption" component="span">
        {props.label}
      </Typography>
    </span>
  );
}

/** Explains the marks of the Gantt chart: planned vs actual, progress, critical path, milestones, today. */
export function GanttLegend(props: { freezeWindows?: boolean }) {
  const classes = useStyles();
  const theme = useTheme();
  const grey = theme.palette.grey[500];
  const info = statusColor(theme, 'IN_PROGRESS');
  const error = theme.palette.error.main;
  const text = theme.palette.text.primary;
  const statuses: PhaseStatus[] = ['COMPLETED', 'IN_PROGRESS', 'FAILED', 'PENDING'];
  return (
    <div className={classes.legend} data-testid="gantt-legend" aria-label="Legend">
      <LegendItem label="Planned">
        <rect x={1} y={3} width={26} height={10} fill={alpha(info, 0.12)} stroke={info} />
      </LegendItem>
      <LegendItem label="Progress">
        <rect x={1} y={3} width={26} height={10} fill={alpha(info, 0.12)} stroke={info} />
        <rect x={1} y={3} width={14} height={10} fill={alpha(info, 0.55)} />
      </LegendItem>
      <LegendItem label="Actual">
        <rect x={1} y={5} width={26} height={6} fill={info} />
      </LegendItem>
      <LegendItem label="Critical path">
        <rect x={2} y={3} width={24} height={10} fill={alpha(grey, 0.12)} stroke={error} strokeWidth={2} />
      </LegendItem>
      <LegendItem label="Dependency">
        <path
          d="M1,8 H22"
          stroke={text}
          fill="none"
          style={{ shapeRendering: 'geometricPrecision' }}
        />
        <path d="M21,4 L27,8 L21,12 z" fill={text} style={{ shapeRendering: 'geometricPrecision' }} />
      </LegendItem>
      <LegendItem label="Milestone (planned / done)" width={36}>
        <path
          d="M9,2 L15,8 L9,14 L3,8 z"
          fill={theme.palette.background.paper}
          stroke={text}
          strokeWidth={1.5}
          style={{ shapeRendering: 'geometricPrecision' }}
        />
        <path
          d="M27,2 L33,8 L27,14 L21,8 z"
          fill={text}
          stroke={text}
          strokeWidth={1.5}
          style={{ shapeRendering: 'geometricPrecision' }}
        />
      </LegendItem>
      <LegendItem label="Today" width={12}>
        <line x1={6} y1={0} x2={6} y2={16} stroke={theme.palette.secondary.main} strokeWidth={2} strokeDasharray="4 2" />
      </LegendItem>
      {props.freezeWindows && (
        <LegendItem label="Freeze window (planned / active)" width={36}>
          <rect x={1} y={1} width={16} height={14} fill={alpha(freezeColor(theme), 0.1)} stroke={freezeColor(theme)} strokeDasharray="3 2" />
          <rect x={19} y={1} width={16} height={14} fill={alpha(freezeColor(theme), 0.22)} stroke={freezeColor(theme)} />
        </LegendItem>
      )}
      {statuses.map(s => (
        <LegendItem key={s} label={s === 'PENDING' ? 'Pending / skipped' : humanStatus(s)} width={14}>
          <rect x={1} y={2} width={12} height={12} fill={statusColor(theme, s)} />
        </LegendItem>
      ))}
    </div>
  );
}

/* ---------------------------------------------------------- freeze windows */

/** The colour of freeze window bands. */
function freezeColor(theme: Theme): string {
  return theme.palette.warning?.main ?? '#ed6c02';
}

/** Freeze windows drawn as bands: planned and active ones, with dates. */
function bandWindows(windows: FreezeWindow[] | undefined): FreezeWindow[] {
  return (windows ?? []).filter(
    w => (w.status === 'PLANNED' || w.status === 'ACTIVE') && toMs(w.startsAt) !== null && toMs(w.endsAt) !== null,
  );
}

/**
 * Shaded vertical bands over the whole chart for freeze windows, their name at the top; active
 * ones darker than planned ones.
 */
function FreezeBands(props: {
  windows: FreezeWindow[];
  x: (ms: number) => number;
  bottom: number;
  clipId: string;
  fmt: (ms: number) => string;
}) {
  const theme = useTheme();
  const color = freezeColor(theme);
  return (
    <g data-testid="gantt-freeze-windows" clipPath={`url(#${props.clipId})`} pointerEvents="none">
      {props.windows.map(w => {
        const x1 = props.x(toMs(w.startsAt)!);
        const bandWidth = Math.max(2, props.x(toMs(w.endsAt)!) - x1);
        const active = w.status === 'ACTIVE';
        const chars = Math.floor((bandWidth - 6) / CHAR_PX);
        return (
          <g key={w.id} data-testid={`gantt-freeze-${w.id}`} data-status={w.status}>
            <title>
              {`Freeze window ${w.name} (${w.status.toLowerCase()}): ${props.fmt(toMs(w.startsAt)!)} → ${props.fmt(
                toMs(w.endsAt)!,
              )}. Datasets: ${w.datasets.join(', ')}`}
            </title>
            <rect
              x={x1}
              y={0}
              width={bandWidth}
              height={props.bottom}
              fill={alpha(color, active ? 0.22 : 0.1)}
              stroke={color}
              strokeOpacity={0.6}
              strokeDasharray={active ? undefined : '3 2'}
            />
            {chars >= 4 && (
              <text x={x1 + 3} y={10} fontSize={10} fontWeight={600}>
                {truncate(w.name, chars)}
              </text>
            )}
          </g>
        );
      })}
    </g>
  );
}

/* ------------------------------------------------------------------ chart */

interface PhaseLayout {
  phase: TimelinePhase;
  row: number;
  critical: boolean;
  plannedStart: number | null;
  plannedEnd: number | null;
  actualStart: number | null;
  /** End of the actual bar: actual end, or now while running. */
  actualEnd: number | null;
  running: boolean;
}

function phaseLayouts(timeline: Timeline, now: number): PhaseLayout[] {
  const criticalIds = new Set(timeline.criticalPath);
  return timeline.phases.map((phase, row) => {
    const actualStart = toMs(phase.actualStart);
    const running = phase.status === 'IN_PROGRESS' && actualStart !== null && !phase.actualEnd;
    let actualEnd = toMs(phase.actualEnd);
    if (running && actualStart !== null) actualEnd = Math.max(now, actualStart);
    return {
      phase,
      row,
      critical: phase.critical || criticalIds.has(phase.id),
      plannedStart: toMs(phase.plannedStart),
      plannedEnd: toMs(phase.plannedEnd),
      actualStart,
      actualEnd,
      running,
    };
  });
}

/** Text of a phase's tooltip: dates, progress, slack and delay. */
function phaseDescription(p: PhaseLayout, fmt: (ms: number) => string): string {
  const { phase } = p;
  const parts = [`${phase.name} — ${humanStatus(phase.status)}`];
  if (p.plannedStart !== null || p.plannedEnd !== null) {
    parts.push(
      `Planned: ${p.plannedStart !== null ? fmt(p.plannedStart) : '?'} → ${p.plannedEnd !== null ? fmt(p.plannedEnd) : '?'}`,
    );
  } else {
    parts.push('Planned: not scheduled');
  }
  if (p.actualStart !== null) {
    const end = toMs(phase.actualEnd);
    let endText = '…';
    if (end !== null) endText = fmt(end);
    else if (p.running) endText = 'in progress';
    parts.push(`Actual: ${fmt(p.actualStart)} → ${endText}`);
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
  if (phase.dependsOn.length > 0) parts.push(`Depends on: ${phase.dependsOn.join(', ')}`);
  if (p.critical) parts.push('On the critical path');
  return parts.join('. ');
}

function milestoneDescription(m: Milestone, fmt: (ms: number) => string): string {
  const planned = toMs(m.plannedDate);
  const actual = toMs(m.actualDate);
  const parts = [m.name];
  parts.push(`Planned: ${planned !== null ? fmt(planned) : 'not scheduled'}`);
  if (actual !== null) parts.push(`Actual: ${fmt(actual)}`);
  parts.push(m.completed ? 'Completed' : 'Not completed');
  return parts.join('. ');
}

interface MilestoneMark {
  m: Milestone;
  cx: number;
  /** The name as drawn, possibly cut short; empty when there is no room. */
  label: string;
  anchor: 'start' | 'end';
}

/**
 * Milestones left to right at their date (actual once completed, else planned). Each name goes
 * right of its diamond, or left when there is more room there, cut short where it would run into
 * its neighbour. Milestones without a date are left out.
 */
function placeMilestones(
  milestones: Milestone[],
  x: (ms: number) => number,
  left: number,
  right: number,
): MilestoneMark[] {
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
    const rightLimit = next ? x(next.at) - MILESTONE_R - 4 : right;
    const rightRoom = rightLimit - (cx + MILESTONE_R + 3);
    const leftRoom = cx - MILESTONE_R - 3 - (taken + 4);
    const onRight = m.name.length * CHAR_PX <= rightRoom || rightRoom >= leftRoom;
    const chars = Math.floor((onRight ? rightRoom : leftRoom) / CHAR_PX);
    const label = chars >= 4 ? truncate(m.name, chars) : '';
    marks.push({ m, cx, label, anchor: onRight ? 'start' : 'end' });
    taken = onRight ? cx + MILESTONE_R + 3 + label.length * CHAR_PX : cx + MILESTONE_R;
  });
  return marks;
}

/**
 * A path from the end of a dependency's bar (x1, y1) to the start of the dependent's bar (x2, y2).
 * `targetEdgeY` is the dependent bar's near edge (top when it is below), `betweenY` the line between
 * the rows just above (or below) the dependent.
 */
function dependencyPath(
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
  return `M${x1},${y1} H${x1 + gap} V${betweenY} H${x2 - gap * 2} V${y2} H${x2}`;
}

/**
 * A Gantt chart of a migration's timeline, drawn as inline SVG: planned and actual bars with
 * progress per phase, the critical path, dependencies, milestones and today.
 */
export function GanttChart(props: {
  timeline: Timeline;
  now?: Date;
  /** Freeze windows of the migration; planned and active ones are drawn as bands. */
  freezeWindows?: FreezeWindow[];
}): JSX.Element {
  const { timeline } = props;
  const theme = useTheme();
  const classes = useStyles();
  const [containerRef, containerWidth] = useContainerWidth();
  const rawId = useId();
  const idBase = `gantt${rawId.replace(/[^a-zA-Z0-9_-]/g, '')}`;
  const nowMs = (props.now ?? new Date()).getTime();
  // Round "now" to the minute so a fresh Date on every render does not defeat memoisation.
  const now = Math.floor(nowMs / 60_000) * 60_000;

  const bands = useMemo(() => bandWindows(props.freezeWindows), [props.freezeWindows]);
  const layouts = useMemo(() => phaseLayouts(timeline, now), [timeline, now]);
  const range = useMemo(() => timeRange(timeline, now, bands), [timeline, now, bands]);
  const { spec, ticks, minorTicks } = useMemo(() => {
    const s = tickSpec(range.end - range.start);
    return {
      spec: s,
      ticks: boundaries(range.start, range.end, s.unit, s.step),
      minorTicks: s.minor ? boundaries(range.start, range.end, s.minor.unit, s.minor.step) : [],
    };
  }, [range.start, range.end]);

  const minPlotWidth = Math.max(MIN_WIDTH, containerWidth) - LABEL_WIDTH - RIGHT_PADDING;
  const plotWidth = Math.max(minPlotWidth, ticks.length * spec.spacing);
  const width = LABEL_WIDTH + plotWidth + RIGHT_PADDING;
  const plotLeft = LABEL_WIDTH;
  const plotRight = LABEL_WIDTH + plotWidth;

  const hasMilestones = timeline.milestones.length > 0;
  const rowsTop = AXIS_HEIGHT + (hasMilestones ? ROW_HEIGHT : 0);
  const rowsBottom = rowsTop + layouts.length * ROW_HEIGHT;
  const height = rowsBottom + FOOTER_HEIGHT;

  const x = (ms: number) =>
    Math.round((plotLeft + ((ms - range.start) / (range.end - range.start)) * plotWidth) * 2) / 2;
  const rowTop = (row: number) => rowsTop + row * ROW_HEIGHT;
  const withTime = range.end - range.start <= 3 * DAY_MS;
  const fmt = (ms: number) =>
    DateTime.fromMillis(ms).toLocaleString(withTime ? DateTime.DATETIME_MED : DateTime.DATE_MED);

  const text = theme.palette.text.primary;
  const divider = theme.palette.divider;
  const gridColor = theme.palette.grey[300];
  const errorColor = theme.palette.error.main;
  const todayColor = theme.palette.secondary.main;
  const paper = theme.palette.background.paper;

  const byId = new Map(layouts.map(l => [l.phase.id, l]));
  const markerId = `${idBase}-arrow`;
  const criticalMarkerId = `${idBase}-arrow-critical`;
  const clipId = `${idBase}-plot`;

  const todayVisible = now >= range.start && now <= range.end;
  const criticalNames = timeline.criticalPath
    .map(id => byId.get(id)?.phase.name ?? id)
    .join(' → ');
  const predicted = toMs(timeline.predictedCompletion);
  const summary = [
    `${layouts.length} phases and ${timeline.milestones.length} milestones`,
    `from ${fmt(range.start)} to ${fmt(range.end)}`,
    predicted !== null ? `predicted completion ${fmt(predicted)}` : null,
    criticalNames ? `critical path: ${criticalNames}` : null,
  ]
    .filter(Boolean)
    .join('; ');

  /* ---- dependency arrows */
  const arrows: ReactNode[] = [];
  for (const target of layouts) {
    for (const depId of target.phase.dependsOn) {
      const source = byId.get(depId);
      if (!source) continue;
      const from = source.plannedEnd ?? source.actualEnd;
      const to = target.plannedStart ?? target.actualStart;
      if (from === null || to === null) continue;
      const y1 = rowTop(source.row) + PLANNED_Y + PLANNED_H / 2;
      const y2 = rowTop(target.row) + PLANNED_Y + PLANNED_H / 2;
      const below = target.row > source.row;
      const betweenY = below ? rowTop(target.row) : rowTop(target.row) + ROW_HEIGHT;
      const targetEdgeY = rowTop(target.row) + PLANNED_Y + (below ? -1 : PLANNED_H + 1);
      const critical = source.critical && target.critical;
      arrows.push(
        <path
          key={`${depId}-${target.phase.id}`}
          data-testid={`gantt-dependency-${depId}-${target.phase.id}`}
          data-critical={critical ? 'true' : undefined}
          d={dependencyPath(x(from), y1, x(to) - 1, y2, targetEdgeY, betweenY)}
          fill="none"
          stroke={critical ? errorColor : theme.palette.grey[600]}
          strokeWidth={critical ? 1.5 : 1}
          markerEnd={`url(#${critical ? criticalMarkerId : markerId})`}
        >
          <title>{`${source.phase.name} → ${target.phase.name}`}</title>
        </path>,
      );
    }
  }

  const milestoneMarks = placeMilestones(timeline.milestones, x, plotLeft, plotRight + RIGHT_PADDING);

  return (
    <Box className={classes.root}>
      <div ref={containerRef} className={classes.scroller} data-testid="gantt-scroller">
        <svg
          className={classes.svg}
          role="img"
          aria-label={`Gantt chart of ${layouts.length} phases`}
          width={width}
          height={height}
          viewBox={`0 0 ${width} ${height}`}
          data-testid="gantt-chart"
        >
          <desc>{summary}</desc>
          <defs>
            <marker
              id={markerId}
              viewBox="0 0 8 8"
              refX={8}
              refY={4}
              markerWidth={7}
              markerHeight={7}
              orient="auto"
              markerUnits="userSpaceOnUse"
            >
              <path d="M0,0 L8,4 L0,8 z" fill={theme.palette.grey[600]} className="gantt-smooth" />
            </marker>
            <marker
              id={criticalMarkerId}
              viewBox="0 0 8 8"
              refX={8}
              refY={4}
              markerWidth={8}
              markerHeight={8}
              orient="auto"
              markerUnits="userSpaceOnUse"
            >
              <path d="M0,0 L8,4 L0,8 z" fill={errorColor} className="gantt-smooth" />
            </marker>
            <clipPath id={clipId}>
              <rect x={plotLeft} y={0} width={plotWidth + RIGHT_PADDING} height={height} />
            </clipPath>
          </defs>

          {/* Zebra rows and the label column divider */}
          <g aria-hidden="true">
            {layouts.map(l =>
              l.row % 2 === 1 ? (
                <rect
                  key={l.phase.id}
                  x={0}
                  y={rowTop(l.row)}
                  width={width}
                  height={ROW_HEIGHT}
                  fill={alpha(theme.palette.grey[500], 0.07)}
                />
              ) : null,
            )}
            <line x1={plotLeft} y1={0} x2={plotLeft} y2={rowsBottom} stroke={divider} />
            <line x1={0} y1={AXIS_HEIGHT} x2={width} y2={AXIS_HEIGHT} stroke={divider} />
            {hasMilestones && <line x1={0} y1={rowsTop} x2={width} y2={rowsTop} stroke={divider} />}
            <line x1={0} y1={rowsBottom} x2={width} y2={rowsBottom} stroke={divider} />
          </g>

          {/* Time axis and gridlines */}
          <g data-testid="gantt-axis">
            <text x={8} y={AXIS_HEIGHT - 10} fontSize={12} fontWeight={600}>
              Phase
            </text>
            {minorTicks.length * 8 <= plotWidth &&
              minorTicks.map(t => (
                <line
                  key={`minor-${t}`}
                  x1={x(t)}
                  y1={AXIS_HEIGHT}
                  x2={x(t)}
                  y2={rowsBottom}
                  stroke={gridColor}
                  strokeOpacity={0.45}
                />
              ))}
            {ticks.map(t => {
              const tx = x(t);
              return (
                <g key={t} data-testid="gantt-tick">
                  <line x1={tx} y1={AXIS_HEIGHT - 6} x2={tx} y2={rowsBottom} stroke={gridColor} />
                  {tx + spec.spacing / 2 <= width && (
                    <text x={tx} y={AXIS_HEIGHT - 10} fontSize={11} textAnchor="middle" className="gantt-muted">
                      {DateTime.fromMillis(t).toFormat(spec.format)}
                    </text>
                  )}
                </g>
              );
            })}
          </g>

          {/* Freeze windows, behind milestones and bars */}
          {bands.length > 0 && <FreezeBands windows={bands} x={x} bottom={rowsBottom} clipId={clipId} fmt={fmt} />}

          {/* Milestones */}
          {hasMilestones && (
            <g data-testid="gantt-milestones">
              <text x={8} y={AXIS_HEIGHT + ROW_HEIGHT / 2 + 4} fontSize={12} fontWeight={600}>
                Milestones
              </text>
              <g clipPath={`url(#${clipId})`}>
                {milestoneMarks.map(({ m, cx, label, anchor }) => {
                  const cy = AXIS_HEIGHT + ROW_HEIGHT / 2;
                  const r = MILESTONE_R;
                  return (
                    <g
                      key={m.id}
                      data-testid={`gantt-milestone-${m.id}`}
                      data-completed={m.completed ? 'true' : 'false'}
                    >
                      <title>{milestoneDescription(m, fmt)}</title>
                      <path
                        className="gantt-smooth"
                        d={`M${cx},${cy - r} L${cx + r},${cy} L${cx},${cy + r} L${cx - r},${cy} z`}
                        fill={m.completed ? text : paper}
                        stroke={text}
                        strokeWidth={1.5}
                      />
                      {label && (
                        <text
                          x={anchor === 'start' ? cx + r + 3 : cx - r - 3}
                          y={cy + 4}
                          fontSize={10}
                          textAnchor={anchor}
                        >
                          {label}
                        </text>
                      )}
                    </g>
                  );
                })}
              </g>
            </g>
          )}

          {/* Dependencies, under the bars */}
          <g data-testid="gantt-dependencies" className="gantt-smooth">
            {arrows}
          </g>

          {/* Phases */}
          {layouts.map(l => {
            const { phase } = l;
            const top = rowTop(l.row);
            const color = statusColor(theme, phase.status);
            const outline = l.critical ? errorColor : color;
            const hasPlan = l.plannedStart !== null && l.plannedEnd !== null;
            const px1 = hasPlan ? x(l.plannedStart!) : 0;
            const pw = hasPlan ? Math.max(2, x(l.plannedEnd!) - px1) : 0;
            const progress = Math.min(100, Math.max(0, phase.progressPercent || 0));
            const hasActual = l.actualStart !== null;
            const ax1 = hasActual ? x(l.actualStart!) : 0;
            const aw = hasActual ? Math.max(3, x(l.actualEnd ?? l.actualStart!) - ax1) : 0;
            const undated = !hasPlan && !hasActual;
            const statusLine = `${humanStatus(phase.status)} · ${Math.round(progress)}%`;
            return (
              <g
                key={phase.id}
                data-testid={`gantt-phase-${phase.id}`}
                data-critical={l.critical ? 'true' : undefined}
                data-status={phase.status}
              >
                <title>{phaseDescription(l, fmt)}</title>
                <text x={8} y={top + 12} fontSize={12} fontWeight={l.critical ? 600 : 400}>
                  {truncate(phase.name, MAX_LABEL_CHARS)}
                </text>
                <text x={8} y={top + 24} fontSize={10} className="gantt-muted">
                  {statusLine}
                  {l.critical && (
                    <tspan className="gantt-critical" fontWeight={700} dx={6}>
                      ◆ critical
                    </tspan>
                  )}
                </text>
                {undated && (
                  <text
                    x={plotLeft + 8}
                    y={top + ROW_HEIGHT / 2 + 4}
                    fontSize={11}
                    fontStyle="italic"
                    className="gantt-muted"
                  >
                    No dates scheduled
                  </text>
                )}
                {hasPlan && (
                  <g data-testid={`gantt-planned-${phase.id}`}>
                    <rect
                      x={px1}
                      y={top + PLANNED_Y}
                      width={pw}
                      height={PLANNED_H}
                      fill={alpha(color, 0.12)}
                      stroke={outline}
                      strokeWidth={l.critical ? 2 : 1}
                      strokeDasharray={phase.status === 'SKIPPED' ? '4 2' : undefined}
                    />
                    {progress > 0 && (
                      <rect
                        data-testid={`gantt-progress-${phase.id}`}
                        x={px1}
                        y={top + PLANNED_Y}
                        width={Math.round((pw * progress) / 100 * 2) / 2}
                        height={PLANNED_H}
                        fill={alpha(color, 0.55)}
                      />
                    )}
                  </g>
                )}
                {hasActual && (
                  <rect
                    data-testid={`gantt-actual-${phase.id}`}
                    x={ax1}
                    y={top + ACTUAL_Y}
                    width={aw}
                    height={ACTUAL_H}
                    fill={color}
                  />
                )}
              </g>
            );
          })}

          {/* Today */}
          {todayVisible && (
            <g data-testid="gantt-today" pointerEvents="none">
              <title>{`Today: ${fmt(now)}`}</title>
              <line
                x1={x(now)}
                y1={AXIS_HEIGHT}
                x2={x(now)}
                y2={rowsBottom + 4}
                stroke={todayColor}
                strokeWidth={2}
                strokeDasharray="4 2"
              />
              <text
                x={x(now)}
                y={height - 5}
                fontSize={11}
                fontWeight={700}
                textAnchor={x(now) > plotRight - 20 ? 'end' : 'middle'}
              >
                Today
              </text>
            </g>
          )}
          {!range.hasDates && (
            <text x={plotLeft + 8} y={height - 5} fontSize={11} fontStyle="italic" className="gantt-muted">
              Nothing is scheduled yet
            </text>
          )}
        </svg>
      </div>
      <GanttLegend freezeWindows={bands.length > 0} />
    </Box>
  );
}
