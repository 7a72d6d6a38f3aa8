import { alpha, useTheme } from '@material-ui/core/styles';
import { statusColor } from './colors';
import { humanStatus, phaseDescription } from './describe';
import { GANTT, PhaseRow } from './layout';

/** One phase: name and status in the label column, planned bar with its progress, actual bar. */
function GanttPhaseRow(props: {
  row: PhaseRow;
  plotLeft: number;
  fmt: (ms: number) => string;
}) {
  const { row } = props;
  const { phase, top } = row;
  const theme = useTheme();
  const color = statusColor(theme, phase.status);
  const outline = row.critical ? theme.palette.error.main : color;
  return (
    <g
      data-testid={`gantt-phase-${phase.id}`}
      data-critical={row.critical ? 'true' : undefined}
      data-status={phase.status}
    >
      <title>{phaseDescription(row, props.fmt)}</title>
      <text
        x={8}
        y={top + 12}
        fontSize={12}
        fontWeight={row.critical ? 600 : 400}
      >
        {row.label}
      </text>
      <text x={8} y={top + 24} fontSize={10} className="gantt-muted">
        {`${humanStatus(phase.status)} · ${Math.round(row.progress)}%`}
        {row.critical && (
          <tspan className="gantt-critical" fontWeight={700} dx={6}>
            ◆ critical
          </tspan>
        )}
      </text>
      {row.undated && (
        <text
          x={props.plotLeft + 8}
          y={top + row.height / 2 + 4}
          fontSize={11}
          fontStyle="italic"
          className="gantt-muted"
        >
          No dates scheduled
        </text>
      )}
      {row.planned && (
        <g data-testid={`gantt-planned-${phase.id}`}>
          <rect
            x={row.planned.x}
            y={top + GANTT.plannedY}
            width={row.planned.width}
            height={GANTT.plannedHeight}
            fill={alpha(color, 0.12)}
            stroke={outline}
            strokeWidth={row.critical ? 2 : 1}
            strokeDasharray={phase.status === 'SKIPPED' ? '4 2' : undefined}
          />
          {row.progress > 0 && (
            <rect
              data-testid={`gantt-progress-${phase.id}`}
              x={row.planned.x}
              y={top + GANTT.plannedY}
              width={row.planned.progressWidth}
              height={GANTT.plannedHeight}
              fill={alpha(color, 0.55)}
            />
          )}
        </g>
      )}
      {row.actual && (
        <rect
          data-testid={`gantt-actual-${phase.id}`}
          x={row.actual.x}
          y={top + GANTT.actualY}
          width={row.actual.width}
          height={GANTT.actualHeight}
          fill={color}
        />
      )}
    </g>
  );
}

/** The phases' rows, drawn over the gridlines, bands and arrows. */
export function GanttBars(props: {
  rows: PhaseRow[];
  plotLeft: number;
  fmt: (ms: number) => string;
}) {
  return (
    <>
      {props.rows.map(row => (
        <GanttPhaseRow
          key={row.key}
          row={row}
          plotLeft={props.plotLeft}
          fmt={props.fmt}
        />
      ))}
    </>
  );
}
