import Checkbox from '@material-ui/core/Checkbox';
import FormControlLabel from '@material-ui/core/FormControlLabel';
import FormHelperText from '@material-ui/core/FormHelperText';
import { ReactNode } from 'react';

/** A checkbox of a dialog on a line of its own, with a sentence under it on what it means. */
export function CheckboxField(props: {
  label: string;
  checked: boolean;
  onChange: (checked: boolean) => void;
  helperText: ReactNode;
  /** Shows the helper text as a warning (the choice gives something up). */
  warn?: boolean;
}) {
  return (
    <>
      <FormControlLabel
        style={{ display: 'flex' }}
        control={
          <Checkbox
            checked={props.checked}
            onChange={e => props.onChange(e.target.checked)}
          />
        }
        label={props.label}
      />
      <FormHelperText
        error={props.warn}
        style={{ marginTop: -8, marginLeft: 32 }}
      >
        {props.helperText}
      </FormHelperText>
    </>
  );
}
