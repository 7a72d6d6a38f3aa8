import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import { makeStyles } from '@material-ui/core/styles';
import type { FreezeWindow, Timeline } from '@switchyard/plugin-cutover-common';
import { RefObject, useEffect, useId, useMemo, useRef, useState } from 'react';
import { chartSummary } from './gantt/describe';
import { GanttAxis } from './gantt/GanttAxis';
import { GanttBars } from './gantt/GanttBars';
import { GanttDependencies } from './gantt/GanttDependencies';
import { GanttFreezeWindows } from './gantt/GanttFreezeWindows';
import { GanttGrid } from './gantt/GanttGrid';
import { GanttLegend } from './gantt/GanttLegend';
import { GanttMilestones } from './gantt/GanttMilestones';
import { GanttToday } from './gantt/GanttToday';
import { GANTT, layOutGantt } from './gantt/layout';
import { dateFormatter } from './gantt/scale';

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
    minWidth: GANTT.minWidth,
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
}));

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

/**
 * A Gantt chart of a migration's timeline, drawn as inline SVG: planned and actual bars with
 * progress per phase, the critical path, dependencies, milestones, freeze windows and today.
 * `gantt/layout` computes where everything goes; each layer draws one kind of mark.
 */
export function GanttChart(props: {
  timeline: Timeline;
  now?: Date;
  /** Freeze windows of the migration; planned and active ones are drawn as bands. */
  freezeWindows?: FreezeWindow[];
}): JSX.Element {
  const { timeline, freezeWindows } = props;
  const classes = useStyles();
  const [containerRef, containerWidth] = useContainerWidth();
  const rawId = useId();
  const idBase = `gantt${rawId.replace(/[^a-zA-Z0-9_-]/g, '')}`;
  const clipId = `${idBase}-plot`;
  // Round "now" to the minute so a fresh Date on every render does not defeat memoisation.
  const now = Math.floor((props.now ?? new Date()).getTime() / 60_000) * 60_000;

  // Sub-tasks show under their phase; each phase's can be folded away.
  const [folded, setFolded] = useState<ReadonlySet<string>>(() => new Set());
  const toggle = (phaseId: string) =>
    setFolded(current => {
      const next = new Set(current);
      if (next.has(phaseId)) next.delete(phaseId);
      else next.add(phaseId);
      return next;
    });
  const withSubTasks = timeline.phases.filter(p => (p.subTasks?.length ?? 0) > 0);
  const allFolded = withSubTasks.every(p => folded.has(p.id));
  const layout = useMemo(
    () => layOutGantt({ timeline, now, freezeWindows, containerWidth, folded }),
    [timeline, now, freezeWindows, containerWidth, folded],
  );
  const fmt = dateFormatter(layout.range);
  const { width, height, plot } = layout;

  return (
    <Box className={classes.root}>
      {withSubTasks.length > 0 && (
        <Box display="flex" justifyContent="flex-end" mb={0.5}>
          <Button
            size="small"
            data-testid="gantt-fold-all"
            onClick={() =>
              setFolded(allFolded ? new Set() : new Set(withSubTasks.map(p => p.id)))
            }
          >
            {allFolded ? 'Show sub-tasks' : 'Fold sub-tasks'}
          </Button>
        </Box>
      )}
      <div
        ref={containerRef}
        className={classes.scroller}
        data-testid="gantt-scroller"
      >
        <svg
          className={classes.svg}
          role="figure"
          aria-label={`Gantt chart of ${layout.rows.length} phases`}
          width={width}
          height={height}
          viewBox={`0 0 ${width} ${height}`}
          data-testid="gantt-chart"
        >
          <desc>{chartSummary(timeline, layout, fmt)}</desc>
          <defs>
            <clipPath id={clipId}>
              <rect
                x={plot.left}
                y={0}
                width={plot.width + GANTT.rightPadding}
                height={height}
              />
            </clipPath>
          </defs>
          <GanttGrid layout={layout} />
          <GanttAxis layout={layout} />
          {/* Freeze windows, behind milestones and bars */}
          <GanttFreezeWindows
            bands={layout.freezeBands}
            clipId={clipId}
            fmt={fmt}
          />
          {layout.milestones && (
            <GanttMilestones
              milestones={layout.milestones}
              clipId={clipId}
              fmt={fmt}
            />
          )}
          {/* Dependencies, under the bars */}
          <GanttDependencies arrows={layout.dependencies} idBase={idBase} />
          <GanttBars
            rows={layout.rows}
            subTaskRows={layout.subTaskRows}
            plotLeft={plot.left}
            fmt={fmt}
            folded={folded}
            onToggle={toggle}
          />
          {layout.today && <GanttToday today={layout.today} fmt={fmt} />}
          {!layout.range.hasDates && (
            <text
              x={plot.left + 8}
              y={height - 5}
              fontSize={11}
              fontStyle="italic"
              className="gantt-muted"
            >
              Nothing is scheduled yet
            </text>
          )}
        </svg>
      </div>
      <GanttLegend freezeWindows={layout.freezeBands.length > 0} />
    </Box>
  );
}
