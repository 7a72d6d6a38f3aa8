import Tooltip from '@material-ui/core/Tooltip';
import ToggleButton from '@material-ui/lab/ToggleButton';
import ToggleButtonGroup from '@material-ui/lab/ToggleButtonGroup';
import {
  DatasetCutoverState,
  READ_SOURCES,
  READ_SOURCES_BY_STATE,
  ReadSource,
} from '@switchyard/plugin-cutover-common';
import { StatusChip } from '../common/StatusChip';

/** The cutover state from which a read source becomes allowed, for the tooltip of a disabled one. */
function allowedFrom(source: ReadSource): DatasetCutoverState[] {
  return (Object.keys(READ_SOURCES_BY_STATE) as DatasetCutoverState[]).filter(state =>
    READ_SOURCES_BY_STATE[state].includes(source),
  );
}

/**
 * Where a dataset's reads come from: a segmented control for those allowed to switch it (picking
 * another side asks for confirmation), a chip for everyone else. Sources the dataset's cutover
 * state does not allow (the backend would answer 409) are disabled, and say why.
 */
export function ReadSourceControl(props: {
  dataset: string;
  value: ReadSource;
  cutoverState: DatasetCutoverState;
  canSwitch: boolean;
  /** A gradual rollout runs: picking the current source again ends it (for everyone). */
  rollout?: boolean;
  onSwitch: (to: ReadSource) => void;
}) {
  const { dataset, value, cutoverState } = props;
  if (!props.canSwitch) return <StatusChip status={value} />;
  const allowed = READ_SOURCES_BY_STATE[cutoverState] ?? READ_SOURCES;
  return (
    <ToggleButtonGroup
      size="small"
      exclusive
      value={value}
      onChange={(_e, next: ReadSource | null) => {
        if (next && next !== value && allowed.includes(next)) props.onSwitch(next);
        // The pressed button again (exclusive groups answer null): ends a rollout.
        else if (next === null && props.rollout) props.onSwitch(value);
      }}
      aria-label={`Read source of ${dataset}`}
    >
      {READ_SOURCES.map(source => {
        const forbidden = source !== value && !allowed.includes(source);
        const button = (
          <ToggleButton
            key={source}
            value={source}
            disabled={forbidden}
            aria-label={`${dataset} reads ${source}`}
            style={{ paddingTop: 2, paddingBottom: 2 }}
          >
            {source}
          </ToggleButton>
        );
        if (!forbidden) return button;
        // A disabled button fires no events: the tooltip hangs on a wrapper.
        return (
          <Tooltip
            key={source}
            title={`${dataset} is ${cutoverState.replace('_', ' ').toLowerCase()}: reads may go to ${source} only when it is ${allowedFrom(source)
              .map(s => s.replace('_', ' ').toLowerCase())
              .join(' or ')}`}
          >
            <span>{button}</span>
          </Tooltip>
        );
      })}
    </ToggleButtonGroup>
  );
}
