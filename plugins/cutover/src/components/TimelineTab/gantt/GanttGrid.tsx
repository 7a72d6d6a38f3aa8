import { alpha, useTheme } from '@material-ui/core/styles';
import type { GanttLayout } from './layout';

/** Zebra stripes under every other row, the label column's edge and the bands' dividers. */
export function GanttGrid(props: { layout: GanttLayout }) {
  const { layout } = props;
  const theme = useTheme();
  const divider = theme.palette.divider;
  const stripe = alpha(theme.palette.grey[500], 0.07);
  return (
    <g aria-hidden="true">
      {[...layout.rows, ...layout.subTaskRows].map(row =>
        row.index % 2 === 1 ? (
          <rect
            key={row.key}
            x={0}
            y={row.top}
            width={layout.width}
            height={row.height}
            fill={stripe}
          />
        ) : null,
      )}
      <line
        x1={layout.plot.left}
        y1={0}
        x2={layout.plot.left}
        y2={layout.rowsBottom}
        stroke={divider}
      />
      <line
        x1={0}
        y1={layout.axis.height}
        x2={layout.width}
        y2={layout.axis.height}
        stroke={divider}
      />
      {layout.milestones && (
        <line
          x1={0}
          y1={layout.rowsTop}
          x2={layout.width}
          y2={layout.rowsTop}
          stroke={divider}
        />
      )}
      <line
        x1={0}
        y1={layout.rowsBottom}
        x2={layout.width}
        y2={layout.rowsBottom}
        stroke={divider}
      />
    </g>
  );
}
