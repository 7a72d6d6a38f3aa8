import { alpha, useTheme } from '@material-ui/core/styles';
import { freezeColor } from './colors';
import { freezeDescription } from './describe';
import type { FreezeBand } from './layout';

/**
 * Shaded vertical bands over the whole chart for freeze windows, their name at the top; active
 * ones darker than planned ones.
 */
export function GanttFreezeWindows(props: {
  bands: FreezeBand[];
  clipId: string;
  fmt: (ms: number) => string;
}) {
  const color = freezeColor(useTheme());
  if (!props.bands.length) return null;
  return (
    <g
      data-testid="gantt-freeze-windows"
      clipPath={`url(#${props.clipId})`}
      pointerEvents="none"
    >
      {props.bands.map(band => (
        <g
          key={band.window.id}
          data-testid={`gantt-freeze-${band.window.id}`}
          data-status={band.window.status}
        >
          <title>{freezeDescription(band, props.fmt)}</title>
          <rect
            x={band.x}
            y={0}
            width={band.width}
            height={band.height}
            fill={alpha(color, band.active ? 0.22 : 0.1)}
            stroke={color}
            strokeOpacity={0.6}
            strokeDasharray={band.active ? undefined : '3 2'}
          />
          {band.label && (
            <text x={band.x + 3} y={10} fontSize={10} fontWeight={600}>
              {band.label}
            </text>
          )}
        </g>
      ))}
    </g>
  );
}
