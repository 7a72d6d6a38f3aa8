import { useTheme } from '@material-ui/core/styles';
import { milestoneDescription } from './describe';
import { GANTT, GanttLayout } from './layout';

/** The milestone row: diamonds at their dates, filled once reached, with their names. */
export function GanttMilestones(props: {
  milestones: NonNullable<GanttLayout['milestones']>;
  clipId: string;
  fmt: (ms: number) => string;
}) {
  const theme = useTheme();
  const text = theme.palette.text.primary;
  const paper = theme.palette.background.paper;
  const r = GANTT.milestoneRadius;
  const { top } = props.milestones;
  return (
    <g data-testid="gantt-milestones">
      <text
        x={8}
        y={top + GANTT.rowHeight / 2 + 4}
        fontSize={12}
        fontWeight={600}
      >
        Milestones
      </text>
      <g clipPath={`url(#${props.clipId})`}>
        {props.milestones.marks.map(mark => {
          const { milestone: m, cx, cy } = mark;
          return (
            <g
              key={m.id}
              data-testid={`gantt-milestone-${m.id}`}
              data-completed={m.completed ? 'true' : 'false'}
            >
              <title>{milestoneDescription(m, props.fmt)}</title>
              <path
                className="gantt-smooth"
                d={`M${cx},${cy - r} L${cx + r},${cy} L${cx},${cy + r} L${
                  cx - r
                },${cy} z`}
                fill={m.completed ? text : paper}
                stroke={text}
                strokeWidth={1.5}
              />
              {mark.label && (
                <text
                  x={mark.labelX}
                  y={cy + 4}
                  fontSize={10}
                  textAnchor={mark.anchor}
                >
                  {mark.label}
                </text>
              )}
            </g>
          );
        })}
      </g>
    </g>
  );
}
