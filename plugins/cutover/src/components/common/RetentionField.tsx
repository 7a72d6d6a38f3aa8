import TextField from '@material-ui/core/TextField';

/** What is wrong with a typed retention, if anything; empty is fine (the configured default). */
export function retentionProblem(text: string): string | undefined {
  if (!text.trim()) return undefined;
  const days = Number(text);
  if (!Number.isInteger(days) || days < 1 || days > 3650)
    return 'A whole number of days, 1 to 3650';
  return undefined;
}

/** The days a snapshot is kept, optional; says what is wrong with a value the backend refuses. */
export function RetentionField(props: {
  id: string;
  label: string;
  value: string;
  onChange: (value: string) => void;
  /** Shown below the field while the value is fine. */
  hint?: string;
}) {
  const problem = retentionProblem(props.value);
  return (
    <TextField
      id={props.id}
      label={props.label}
      type="number"
      fullWidth
      margin="normal"
      value={props.value}
      onChange={e => props.onChange(e.target.value)}
      error={!!problem}
      helperText={problem ?? props.hint}
      inputProps={{ min: 1, max: 3650 }}
    />
  );
}
