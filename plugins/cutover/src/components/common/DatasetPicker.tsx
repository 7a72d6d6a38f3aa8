import Checkbox from '@material-ui/core/Checkbox';
import FormControl from '@material-ui/core/FormControl';
import FormControlLabel from '@material-ui/core/FormControlLabel';
import FormGroup from '@material-ui/core/FormGroup';
import FormHelperText from '@material-ui/core/FormHelperText';
import FormLabel from '@material-ui/core/FormLabel';
import { formatCount } from '../common/format';

/** Checkboxes for choosing some of a list of datasets, with "all" on top. */
export function DatasetPicker(props: {
  label: string;
  datasets: string[];
  selected: string[];
  onChange: (selected: string[]) => void;
  /** Records per dataset, shown beside each name when known. */
  counts?: Record<string, number>;
}) {
  const { datasets, selected } = props;
  const chosen = new Set(selected);
  const all = datasets.length > 0 && datasets.every(d => chosen.has(d));
  const toggle = (name: string, on: boolean) =>
    props.onChange(datasets.filter(d => (d === name ? on : chosen.has(d))));
  const label = (name: string) =>
    props.counts?.[name] === undefined
      ? name
      : `${name} (${formatCount(props.counts[name])} records)`;
  return (
    <FormControl
      component="fieldset"
      margin="normal"
      fullWidth
      error={selected.length === 0}
    >
      <FormLabel component="legend">{props.label}</FormLabel>
      <FormGroup>
        {datasets.length > 1 && (
          <FormControlLabel
            control={
              <Checkbox
                checked={all}
                indeterminate={!all && selected.length > 0}
                onChange={e =>
                  props.onChange(e.target.checked ? [...datasets] : [])
                }
              />
            }
            label="All datasets"
          />
        )}
        {datasets.map(name => (
          <FormControlLabel
            key={name}
            style={datasets.length > 1 ? { marginLeft: 16 } : undefined}
            control={
              <Checkbox
                checked={chosen.has(name)}
                onChange={e => toggle(name, e.target.checked)}
                name={name}
              />
            }
            label={label(name)}
          />
        ))}
      </FormGroup>
      {selected.length === 0 && (
        <FormHelperText>Choose at least one dataset.</FormHelperText>
      )}
    </FormControl>
  );
}
