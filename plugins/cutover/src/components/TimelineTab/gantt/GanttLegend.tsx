import Typography from '@material-ui/core/Typography';
import { alpha, makeStyles, useTheme } from '@material-ui/core/styles';
import type { PhaseStatus } from '@switchyard/plugin-cutover-common';
import { ReactNode } from 'react';
import { freezeColor, statusColor } from './colors';
import { humanStatus } from './describe';

const useStyles = makeStyles(theme => ({
  legend: {
    display: 'flex',
    flexWrap: 'wrap',
    alignItems: 'center',
    gap: theme.spacing(0.5, 2),
    marginTop: theme.spacing(1),
    '@media print': { color: '#000' },
  },
  item: {
    display: 'inline-flex',
    alignItems: 'center',
    gap: theme.spacing(0.75),
    WebkitPrintColorAdjust: 'exact',
    printColorAdjust: 'exact',
  },
  swatch: {
    display: 'block',
    flex: 'none',
    shapeRendering: 'crispEdges',
  },
}));

const smooth = { shapeRendering: 'geometricPrecision' } as const;

/** A bar 10 high in the middle of a swatch, filled faintly and outlined in `stroke`. */
function FramedBar(props: {
  x: number;
  width: number;
  fill: string;
  stroke: string;
  strokeWidth?: number;
}) {
  return (
    <rect
      x={props.x}
      y={3}
      width={props.width}
      height={10}
      fill={props.fill}
      stroke={props.stroke}
      strokeWidth={props.strokeWidth}
    />
  );
}

function LegendItem(props: {
  label: string;
  children: ReactNode;
  width?: number;
}) {
  const classes = useStyles();
  const width = props.width ?? 28;
  return (
    <span className={classes.item}>
      <svg
        className={classes.swatch}
        width={width}
        height={16}
        aria-hidden="true"
      >
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
  const freeze = freezeColor(theme);
  const plannedSwatch = (
    <FramedBar x={1} width={26} fill={alpha(info, 0.12)} stroke={info} />
  );
  const statuses: PhaseStatus[] = [
    'COMPLETED',
    'IN_PROGRESS',
    'FAILED',
    'PENDING',
  ];
  return (
    <div
      className={classes.legend}
      data-testid="gantt-legend"
      aria-label="Legend"
    >
      <LegendItem label="Planned">{plannedSwatch}</LegendItem>
      <LegendItem label="Progress">
        {plannedSwatch}
        <rect x={1} y={3} width={14} height={10} fill={alpha(info, 0.55)} />
      </LegendItem>
      <LegendItem label="Actual">
        <rect x={1} y={5} width={26} height={6} fill={info} />
      </LegendItem>
      <LegendItem label="Critical path">
        <FramedBar
          x={2}
          width={24}
          fill={alpha(grey, 0.12)}
          stroke={error}
          strokeWidth={2}
        />
      </LegendItem>
      <LegendItem label="Dependency">
        <path d="M1,8 H22" stroke={text} fill="none" style={smooth} />
        <path d="M21,4 L27,8 L21,12 z" fill={text} style={smooth} />
      </LegendItem>
      <LegendItem label="Milestone (planned / done)" width={36}>
        <path
          d="M9,2 L15,8 L9,14 L3,8 z"
          fill={theme.palette.background.paper}
          stroke={text}
          strokeWidth={1.5}
          style={smooth}
        />
        <path
          d="M27,2 L33,8 L27,14 L21,8 z"
          fill={text}
          stroke={text}
          strokeWidth={1.5}
          style={smooth}
        />
      </LegendItem>
      <LegendItem label="Today" width={12}>
        <line
          x1={6}
          y1={0}
          x2={6}
          y2={16}
          stroke={theme.palette.secondary.main}
          strokeWidth={2}
          strokeDasharray="4 2"
        />
      </LegendItem>
      {props.freezeWindows && (
        <LegendItem label="Freeze window (planned / active)" width={36}>
          {[
            { x: 1, opacity: 0.1, dash: '3 2' },
            { x: 19, opacity: 0.22 },
          ].map(w => (
            <rect
              key={w.x}
              x={w.x}
              y={1}
              width={16}
              height={14}
              fill={alpha(freeze, w.opacity)}
              stroke={freeze}
              strokeDasharray={w.dash}
            />
          ))}
        </LegendItem>
      )}
      {statuses.map(s => (
        <LegendItem
          key={s}
          label={s === 'PENDING' ? 'Pending / skipped' : humanStatus(s)}
          width={14}
        >
          <rect
            x={1}
            y={2}
            width={12}
            height={12}
            fill={statusColor(theme, s)}
          />
        </LegendItem>
      ))}
    </div>
  );
}
