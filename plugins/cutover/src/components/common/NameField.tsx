import TextField from '@material-ui/core/TextField';

/** The required name of something a dialog creates (a snapshot, a freeze window, a schedule). */
export function NameField(props: {
  id: string;
  value: string;
  onChange: (value: string) => void;
  placeholder?: string;
}) {
  return (
    <TextField
      id={props.id}
      label="Name"
      required
      fullWidth
      margin="normal"
      placeholder={props.placeholder}
      value={props.value}
      onChange={e => props.onChange(e.target.value)}
      inputProps={{ maxLength: 255 }}
    />
  );
}
