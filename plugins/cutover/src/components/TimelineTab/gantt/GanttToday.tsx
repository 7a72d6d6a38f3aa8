import { useTheme } from '@material-ui/core/styles';
import type { GanttLayout } from './layout';

/** A dashed line at now, labelled "Today" under the rows. */
export function GanttToday(props: {
  today: NonNullable<GanttLayout['today']>;
  fmt: (ms: number) => string;
}) {
  const { today } = props;
  const color = useTheme().palette.secondary.main;
  return (
    <g data-testid="gantt-today" pointerEvents="none">
      <title>{`Today: ${props.fmt(today.at)}`}</title>
      <line
        x1={today.x}
        y1={today.top}
        x2={today.x}
        y2={today.bottom}
        stroke={color}
        strokeWidth={2}
        strokeDasharray="4 2"
      />
      <text
        x={today.x}
        y={today.labelY}
        fontSize={11}
        fontWeight={700}
        textAnchor={today.anchor}
      >
        Today
      </text>
    </g>
  );
}
