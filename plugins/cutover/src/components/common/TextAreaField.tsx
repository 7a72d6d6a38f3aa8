import TextField from '@material-ui/core/TextField';

/** A full-width text area of a dialog (reason, description, notes), a few lines high. */
export function TextAreaField(props: {
  id: string;
  label: string;
  value: string;
  onChange: (value: string) => void;
  required?: boolean;
  minRows?: number;
  /** The most characters the backend accepts for the field, where it caps it. */
  maxLength?: number;
}) {
  return (
    <TextField
      id={props.id}
      label={props.label}
      required={props.required}
      fullWidth
      multiline
      minRows={props.minRows ?? 2}
      margin="normal"
      value={props.value}
      onChange={e => props.onChange(e.target.value)}
      inputProps={
        props.maxLength === undefined
          ? undefined
          : { maxLength: props.maxLength }
      }
    />
  );
}
