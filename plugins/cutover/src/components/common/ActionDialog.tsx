import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Dialog, { DialogProps } from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogContentText from '@material-ui/core/DialogContentText';
import DialogTitle from '@material-ui/core/DialogTitle';
import TextField from '@material-ui/core/TextField';
import Alert from '@material-ui/lab/Alert';
import { ReactNode, useEffect, useId, useState } from 'react';
import { errorMessage } from './format';
import { Submission } from './useSubmit';

/**
 * The shell of every confirm dialog of the plugin: title, what the action does, the dialog's own
 * fields, the error of a failed submit, and Cancel / Confirm. While the action runs, the buttons
 * are disabled and the dialog does not close; Confirm waits for `ready` and, for destructive
 * actions, for the typed confirmation.
 */
export function ActionDialog(props: {
  /** False keeps the dialog mounted but hidden (for dialogs whose parent holds their fields). */
  open?: boolean;
  title: ReactNode;
  /** What the action does, in a sentence or two above the fields. */
  description?: ReactNode;
  /** The dialog's fields and notices. */
  children?: ReactNode;
  confirmLabel: ReactNode;
  cancelLabel?: ReactNode;
  /** `secondary` for actions that destroy or undo something. */
  confirmColor?: 'primary' | 'secondary';
  /** False while the fields are incomplete or invalid. */
  ready?: boolean;
  /** Destructive actions: the text a person types to enable Confirm, and the field's id. */
  typedConfirmation?: { text: string; id: string };
  submission: Submission;
  onClose: () => void;
  maxWidth?: DialogProps['maxWidth'];
  /** False for short confirmations that need no wide form. */
  fullWidth?: boolean;
}) {
  const { submission, typedConfirmation, open = true } = props;
  const titleId = `action-dialog-${useId().replace(/[^a-zA-Z0-9_-]/g, '')}`;
  const [typed, setTyped] = useState('');
  useEffect(() => {
    if (!open) setTyped('');
  }, [open]);
  const confirmed =
    !typedConfirmation || typed.trim() === typedConfirmation.text;
  const close = () => {
    if (!submission.busy) props.onClose();
  };

  return (
    <Dialog
      open={open}
      onClose={close}
      maxWidth={props.maxWidth ?? 'sm'}
      fullWidth={props.fullWidth ?? true}
      aria-labelledby={titleId}
    >
      <DialogTitle id={titleId}>{props.title}</DialogTitle>
      <DialogContent>
        {props.description && (
          <DialogContentText>{props.description}</DialogContentText>
        )}
        {props.children}
        {typedConfirmation && (
          <TextField
            id={typedConfirmation.id}
            label={`Type ${typedConfirmation.text} to confirm`}
            fullWidth
            margin="normal"
            autoComplete="off"
            value={typed}
            onChange={e => setTyped(e.target.value)}
          />
        )}
        {submission.error && (
          <Box mt={2}>
            <Alert severity="error">{errorMessage(submission.error)}</Alert>
          </Box>
        )}
      </DialogContent>
      <DialogActions>
        <Button onClick={close} disabled={submission.busy}>
          {props.cancelLabel ?? 'Cancel'}
        </Button>
        <Button
          color={props.confirmColor ?? 'primary'}
          variant="contained"
          onClick={submission.submit}
          disabled={props.ready === false || !confirmed || submission.busy}
        >
          {props.confirmLabel}
        </Button>
      </DialogActions>
    </Dialog>
  );
}
