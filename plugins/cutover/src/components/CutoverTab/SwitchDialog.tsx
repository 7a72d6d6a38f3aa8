import { useApi } from '@backstage/core-plugin-api';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogTitle from '@material-ui/core/DialogTitle';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import Alert from '@material-ui/lab/Alert';
import AlertTitle from '@material-ui/lab/AlertTitle';
import { FreezeWindow } from '@switchyard/plugin-cutover-common';
import { useState } from 'react';
import { cutoverApiRef } from '../../api';
import { errorMessage, formatDateTime } from '../common/format';
import { describeChange, STATE_ACTIONS, SwitchChange } from './execution';

/** Whether the change puts the dataset at risk: reads from the new side, or a rollback. */
function isRisky(change: SwitchChange): boolean {
  return change.kind === 'READ_SOURCE'
    ? change.to === 'NEW'
    : change.to === 'ROLLED_BACK';
}

/** What happens when a dataset's reads move. */
function ReadSourceEffect(props: { dataset: string; to: string }) {
  const { dataset, to } = props;
  if (to === 'NEW') {
    return (
      <Alert severity="error">
        <AlertTitle>
          Applications will read {dataset} from the new system
        </AlertTitle>
        The legacy side is no longer read. Make sure the last reconciliation
        shows no drift, and keep the way back (LEGACY) at hand.
      </Alert>
    );
  }
  if (to === 'DUAL') {
    return (
      <Alert severity="info">
        Applications read {dataset} from both sides, so differences show up
        before the new side becomes the only source.
      </Alert>
    );
  }
  return (
    <Alert severity="info">
      Applications read {dataset} from the legacy system again. Switching back
      to LEGACY is always allowed, even during a freeze.
    </Alert>
  );
}

const STATE_EFFECTS: Record<string, string> = {
  PENDING:
    'The dataset goes back to preparation; if it reads from another side, its reads return to LEGACY.',
  READY:
    'The server checks the readiness conditions first (import complete, quality, no open critical or high alerts, required checklist items) and says which are unmet.',
  CUTOVER:
    'The dataset is being cut over: its reads may now be switched to NEW.',
  COMPLETED: 'The cutover of the dataset is recorded as finished.',
};

/** What happens when a dataset's cutover state moves. */
function StateEffect(props: { change: SwitchChange }) {
  const { change } = props;
  if (change.to === 'ROLLED_BACK') {
    return (
      <Alert severity="error">
        <AlertTitle>The cutover of {change.dataset} is rolled back</AlertTitle>
        {change.kind === 'CUTOVER_STATE' && change.readSource !== 'LEGACY'
          ? `Its reads return from ${change.readSource} to LEGACY at once. `
          : ''}
        It starts again from PENDING afterwards.
      </Alert>
    );
  }
  return <Alert severity="info">{STATE_EFFECTS[change.to]}</Alert>;
}

/** The freeze windows a dataset is in, and whether they let its reads be switched. */
function FreezeNotice(props: {
  change: SwitchChange;
  windows: FreezeWindow[];
}) {
  const { change, windows } = props;
  if (!windows.length) return null;
  const blocking =
    change.kind === 'READ_SOURCE' && change.to !== 'LEGACY'
      ? windows.find(w => !w.allowReadSourceSwitch)
      : undefined;
  return (
    <Alert
      severity={blocking ? 'error' : 'warning'}
      data-testid="freeze-notice"
    >
      {change.dataset} is inside the active freeze window
      {windows.length > 1 ? 's' : ''}{' '}
      {windows
        .map(w => `"${w.name}" (until ${formatDateTime(w.endsAt)})`)
        .join(', ')}
      .
      {blocking
        ? ` "${blocking.name}" does not allow read-source switches, so this one will be refused.`
        : ''}
    </Alert>
  );
}

/**
 * Confirms a read-source switch or a cutover-state change: shows what changes, asks for the
 * reason recorded in the history, and shows the server's refusal (freeze, unmet conditions).
 */
export function SwitchDialog(props: {
  migrationId: string;
  change: SwitchChange;
  /** ACTIVE freeze windows covering the dataset. */
  freezes: FreezeWindow[];
  onClose: (done: boolean) => void;
}) {
  const { migrationId, change } = props;
  const api = useApi(cutoverApiRef);
  const [reason, setReason] = useState('');
  const [error, setError] = useState<Error>();
  const [busy, setBusy] = useState(false);
  const risky = isRisky(change);
  const readSource = change.kind === 'READ_SOURCE';

  const submit = async () => {
    setBusy(true);
    setError(undefined);
    try {
      if (change.kind === 'READ_SOURCE') {
        await api.switchReadSource(migrationId, change.dataset, {
          source: change.to,
          reason: reason.trim(),
        });
      } else {
        await api.setCutoverState(migrationId, change.dataset, {
          state: change.to,
          reason: reason.trim(),
        });
      }
      props.onClose(true);
    } catch (e) {
      setError(e as Error);
      setBusy(false);
    }
  };

  return (
    <Dialog
      open
      onClose={() => !busy && props.onClose(false)}
      maxWidth="sm"
      fullWidth
    >
      <DialogTitle>
        {readSource
          ? `Switch reads of ${change.dataset}`
          : `Change the cutover state of ${change.dataset}`}
      </DialogTitle>
      <DialogContent>
        <Typography
          variant="h6"
          component="p"
          color={risky ? 'error' : 'textPrimary'}
          data-testid="switch-summary"
          gutterBottom
        >
          {describeChange(change)}
        </Typography>
        <Box display="grid" style={{ gap: 8 }}>
          {readSource ? (
            <ReadSourceEffect dataset={change.dataset} to={change.to} />
          ) : (
            <StateEffect change={change} />
          )}
          <FreezeNotice change={change} windows={props.freezes} />
        </Box>
        <TextField
          id="switch-reason"
          label="Reason (recorded in the switch history)"
          required
          fullWidth
          multiline
          minRows={2}
          margin="normal"
          value={reason}
          onChange={e => setReason(e.target.value)}
          inputProps={{ maxLength: 4000 }}
        />
        {error && <Alert severity="error">{errorMessage(error)}</Alert>}
      </DialogContent>
      <DialogActions>
        <Button onClick={() => props.onClose(false)} disabled={busy}>
          Cancel
        </Button>
        <Button
          color={risky ? 'secondary' : 'primary'}
          variant="contained"
          onClick={submit}
          disabled={!reason.trim() || busy}
        >
          {readSource ? `Switch to ${change.to}` : STATE_ACTIONS[change.to]}
        </Button>
      </DialogActions>
    </Dialog>
  );
}
