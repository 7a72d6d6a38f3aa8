import { alpha, useTheme } from '@material-ui/core/styles';
import { statusColor } from './colors';
import { humanStatus, phaseDescription } from './describe';
import { GANTT, PhaseRow, SubTaskRow } from './layout';

/** Folding of a phase's sub-tasks, when it has any. */
interface Fold {
  folded: boolean;
  toggle: () => void;
}

/** One phase: name and status in the label column, planned bar with its progress, actual bar. */
function GanttPhaseRow(props: {
  row: PhaseRow;
  plotLeft: number;
  fmt: (ms: number) => string;
  fold?: Fold;
}) {
  const { row, fold } = props;
  const { phase, top } = row;
  const theme = useTheme();
  const color = statusColor(theme, phase.status);
  const outline = row.critical ? theme.palette.error.main : color;
  const textX = fold ? 22 : 8;
  const count = phase.subTasks?.length ?? 0;
  return (
    <g
      data-testid={`gantt-phase-${phase.id}`}
      data-critical={row.critical ? 'true' : undefined}
      data-status={phase.status}
      data-paused={phase.paused ? 'true' : undefined}
    >
      <title>{phaseDescription(row, props.fmt)}</title>
      {fold && (
        <g
          role="button"
          tabIndex={0}
          aria-expanded={!fold.folded}
          aria-label={`${fold.folded ? 'Unfold' : 'Fold'} the ${count} sub-task${
            count === 1 ? '' : 's'
          } of ${phase.name}`}
          data-testid={`gantt-fold-${phase.id}`}
          style={{ cursor: 'pointer' }}
          onClick={fold.toggle}
          onKeyDown={e => {
            if (e.key === 'Enter' || e.key === ' ') {
              e.preventDefault();
              fold.toggle();
            }
          }}
        >
          <rect x={2} y={top + 2} width={18} height={row.height - 4} fill="transparent" />
          <text x={7} y={top + 17} fontSize={11} className="gantt-muted">
            {fold.folded ? '▸' : '▾'}
          </text>
        </g>
      )}
      <text
        x={textX}
        y={top + 12}
        fontSize={12}
        fontWeight={row.critical ? 600 : 400}
      >
        {row.label}
      </text>
      <text x={textX} y={top + 24} fontSize={10} className="gantt-muted">
        {`${humanStatus(phase.status)} · ${Math.round(row.progress)}%`}
        {phase.paused && (
          <tspan
            fontWeight={700}
            dx={6}
            fill={theme.palette.warning.dark}
            data-testid={`gantt-paused-${phase.id}`}
          >
            paused
          </tspan>
        )}
        {fold?.folded && count > 0 && (
          <tspan dx={6}>{`${count} sub-task${count === 1 ? '' : 's'}`}</tspan>
        )}
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

/** A sub-task under its phase: indented name and status, a thin bar over the phase's span. */
function GanttSubTaskRow(props: { row: SubTaskRow }) {
  const { row } = props;
  const { subTask, top } = row;
  const theme = useTheme();
  const color = statusColor(theme, subTask.status);
  const id = `${row.phase.id}-${subTask.id}`;
  return (
    <g data-testid={`gantt-subtask-${id}`} data-status={subTask.status}>
      <title>{`${subTask.name} (sub-task of ${row.phase.name}): ${humanStatus(
        subTask.status,
      )}, ${Math.round(row.progress)}%`}</title>
      <text x={GANTT.subTaskIndent} y={top + 14} fontSize={11}>
        {row.label}
        <tspan dx={6} fontSize={10} className="gantt-muted">
          {`${Math.round(row.progress)}%`}
        </tspan>
      </text>
      {row.bar && (
        <g>
          <rect
            x={row.bar.x}
            y={top + GANTT.subTaskY}
            width={row.bar.width}
            height={GANTT.subTaskBarHeight}
            fill={alpha(color, 0.1)}
            stroke={alpha(color, 0.7)}
            strokeWidth={1}
            strokeDasharray={subTask.status === 'SKIPPED' ? '3 2' : undefined}
          />
          {row.progress > 0 && (
            <rect
              data-testid={`gantt-subtask-progress-${id}`}
              x={row.bar.x}
              y={top + GANTT.subTaskY}
              width={row.bar.progressWidth}
              height={GANTT.subTaskBarHeight}
              fill={alpha(color, 0.5)}
            />
          )}
        </g>
      )}
    </g>
  );
}

/** The phases' rows (with their sub-tasks), drawn over the gridlines, bands and arrows. */
export function GanttBars(props: {
  rows: PhaseRow[];
  subTaskRows?: SubTaskRow[];
  plotLeft: number;
  fmt: (ms: number) => string;
  folded?: ReadonlySet<string>;
  onToggle?: (phaseId: string) => void;
}) {
  const { folded, onToggle } = props;
  return (
    <>
      {props.rows.map(row => (
        <GanttPhaseRow
          key={row.key}
          row={row}
          plotLeft={props.plotLeft}
          fmt={props.fmt}
          fold={
            onToggle && (row.phase.subTasks?.length ?? 0) > 0
              ? {
                  folded: folded?.has(row.phase.id) ?? false,
                  toggle: () => onToggle(row.phase.id),
                }
              : undefined
          }
        />
      ))}
      {(props.subTaskRows ?? []).map(row => (
        <GanttSubTaskRow key={row.key} row={row} />
      ))}
    </>
  );
}
