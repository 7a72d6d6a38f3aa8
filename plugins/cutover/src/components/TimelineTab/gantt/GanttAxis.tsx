import { useTheme } from '@material-ui/core/styles';
import type { GanttLayout } from './layout';

/** The time axis: the label column's heading, tick labels and gridlines down to the last row. */
export function GanttAxis(props: { layout: GanttLayout }) {
  const { layout } = props;
  const { axis } = layout;
  const gridColor = useTheme().palette.grey[300];
  return (
    <g data-testid="gantt-axis">
      <text x={8} y={axis.height - 10} fontSize={12} fontWeight={600}>
        Phase
      </text>
      {axis.minor.map(at => (
        <line
          key={`minor-${at}`}
          x1={layout.x(at)}
          y1={axis.height}
          x2={layout.x(at)}
          y2={layout.rowsBottom}
          stroke={gridColor}
          strokeOpacity={0.45}
        />
      ))}
      {axis.ticks.map(tick => (
        <g key={tick.at} data-testid="gantt-tick">
          <line
            x1={tick.x}
            y1={axis.height - 6}
            x2={tick.x}
            y2={layout.rowsBottom}
            stroke={gridColor}
          />
          {tick.labelled && (
            <text
              x={tick.x}
              y={axis.height - 10}
              fontSize={11}
              textAnchor="middle"
              className="gantt-muted"
            >
              {tick.label}
            </text>
          )}
        </g>
      ))}
    </g>
  );
}
