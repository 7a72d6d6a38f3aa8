import MenuItem from '@material-ui/core/MenuItem';
import TextField from '@material-ui/core/TextField';

/** A full-width select of a form: one of `options`, each shown by its label. */
export function SelectField<T extends string | number>(props: {
  id: string;
  label: string;
  value: T;
  options: ReadonlyArray<{ value: T; label: string }>;
  onChange: (value: T) => void;
  helperText?: string;
}) {
  const { options } = props;
  return (
    <TextField
      id={props.id}
      select
      label={props.label}
      fullWidth
      margin="normal"
      value={props.value}
      onChange={e =>
        props.onChange(
          options.find(o => String(o.value) === String(e.target.value))!.value,
        )
      }
      helperText={props.helperText}
    >
      {options.map(o => (
        <MenuItem key={o.value} value={o.value}>
          {o.label}
        </MenuItem>
      ))}
    </TextField>
  );
}
