import ToggleButton from '@material-ui/lab/ToggleButton';
import ToggleButtonGroup from '@material-ui/lab/ToggleButtonGroup';
import { READ_SOURCES, ReadSource } from '@switchyard/plugin-cutover-common';
import { StatusChip } from '../common/StatusChip';

/**
 * Where a dataset's reads come from: a segmented control for those allowed to switch it (picking
 * another side asks for confirmation), a chip for everyone else.
 */
export function ReadSourceControl(props: {
  dataset: string;
  value: ReadSource;
  canSwitch: boolean;
  onSwitch: (to: ReadSource) => void;
}) {
  const { dataset, value } = props;
  if (!props.canSwitch) return <StatusChip status={value} />;
  return (
    <ToggleButtonGroup
      size="small"
      exclusive
      value={value}
      onChange={(_e, next: ReadSource | null) => {
        if (next && next !== value) props.onSwitch(next);
      }}
      aria-label={`Read source of ${dataset}`}
    >
      {READ_SOURCES.map(source => (
        <ToggleButton
          key={source}
          value={source}
          aria-label={`${dataset} reads ${source}`}
          style={{ paddingTop: 2, paddingBottom: 2 }}
        >
          {source}
        </ToggleButton>
      ))}
    </ToggleButtonGroup>
  );
}
