import { useTheme } from '@material-ui/core/styles';
import type { DependencyArrow } from './layout';

function Arrowhead(props: { id: string; size: number; fill: string }) {
  return (
    <marker
      id={props.id}
      viewBox="0 0 8 8"
      refX={8}
      refY={4}
      markerWidth={props.size}
      markerHeight={props.size}
      orient="auto"
      markerUnits="userSpaceOnUse"
    >
      <path d="M0,0 L8,4 L0,8 z" fill={props.fill} className="gantt-smooth" />
    </marker>
  );
}

/** Arrows from each dependency's end to its dependent's start, red along the critical path. */
export function GanttDependencies(props: {
  arrows: DependencyArrow[];
  /** Prefix of the arrowheads' ids, unique to the chart. */
  idBase: string;
}) {
  const theme = useTheme();
  const plain = theme.palette.grey[600];
  const critical = theme.palette.error.main;
  const markerId = `${props.idBase}-arrow`;
  const criticalMarkerId = `${props.idBase}-arrow-critical`;
  return (
    <g data-testid="gantt-dependencies" className="gantt-smooth">
      <defs>
        <Arrowhead id={markerId} size={7} fill={plain} />
        <Arrowhead id={criticalMarkerId} size={8} fill={critical} />
      </defs>
      {props.arrows.map(a => (
        <path
          key={`${a.from.id}-${a.to.id}`}
          data-testid={`gantt-dependency-${a.from.id}-${a.to.id}`}
          data-critical={a.critical ? 'true' : undefined}
          d={a.d}
          fill="none"
          stroke={a.critical ? critical : plain}
          strokeWidth={a.critical ? 1.5 : 1}
          markerEnd={`url(#${a.critical ? criticalMarkerId : markerId})`}
        >
          <title>{`${a.from.name} → ${a.to.name}`}</title>
        </path>
      ))}
    </g>
  );
}
