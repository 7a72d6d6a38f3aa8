import { useApi } from '@backstage/core-plugin-api';
import Button from '@material-ui/core/Button';
import Checkbox from '@material-ui/core/Checkbox';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogTitle from '@material-ui/core/DialogTitle';
import FormControlLabel from '@material-ui/core/FormControlLabel';
import FormHelperText from '@material-ui/core/FormHelperText';
import TextField from '@material-ui/core/TextField';
import Alert from '@material-ui/lab/Alert';
import AlertTitle from '@material-ui/lab/AlertTitle';
import { RollbackCreate, Snapshot } from '@switchyard/plugin-cutover-common';
import { useState } from 'react';
import { cutoverApiRef } from '../../api';
import { errorMessage, formatDateTime, formatRelative } from '../common/format';
import { DatasetPicker } from './DatasetPicker';

/**
 * Rolls datasets back to a snapshot. Destructive, so the user types the migration id to
 * enable the button, and a backup snapshot is taken first unless they opt out.
 */
export function RollbackDialog(props: {
  migrationId: string;
  snapshot: Snapshot;
  destination?: string;
  onClose: (started: boolean) => void;
}) {
  const { migrationId, snapshot } = props;
  const api = useApi(cutoverApiRef);
  const [datasets, setDatasets] = useState<string[]>(snapshot.datasets);
  const [createBackup, setCreateBackup] = useState(true);
  const [verifyAfter, setVerifyAfter] = useState(true);
  const [reason, setReason] = useState('');
  const [confirmation, setConfirmation] = useState('');
  const [error, setError] = useState<Error>();
  const [busy, setBusy] = useState(false);
  const confirmed = confirmation.trim() === migrationId;

  const submit = async () => {
    setBusy(true);
    setError(undefined);
    const body: RollbackCreate = {
      snapshotId: snapshot.id,
      datasets,
      createBackup,
      verifyAfter,
      ...(reason.trim() ? { reason: reason.trim() } : {}),
    };
    try {
      await api.executeRollback(migrationId, body);
      props.onClose(true);
    } catch (e) {
      setError(e as Error);
      setBusy(false);
    }
  };

  const where = props.destination ? ` (connection ${props.destination})` : '';
  return (
    <Dialog
      open
      onClose={() => !busy && props.onClose(false)}
      maxWidth="sm"
      fullWidth
    >
      <DialogTitle>Roll back to "{snapshot.name}"</DialogTitle>
      <DialogContent>
        <Alert severity="error">
          <AlertTitle>Data on the destination will be replaced</AlertTitle>
          The chosen datasets on the destination{where} are restored to their
          state in this snapshot, taken {formatRelative(snapshot.createdAt)} (
          {formatDateTime(snapshot.createdAt)}). Rows written, changed or
          deleted since then are overwritten or removed, and applications
          reading from the destination see the restored data at once.
        </Alert>
        <DatasetPicker
          label="Datasets to roll back"
          datasets={snapshot.datasets}
          selected={datasets}
          onChange={setDatasets}
          counts={snapshot.recordCounts}
        />
        <FormControlLabel
          style={{ display: 'flex' }}
          control={
            <Checkbox
              checked={createBackup}
              onChange={e => setCreateBackup(e.target.checked)}
            />
          }
          label="Take a backup snapshot first"
        />
        <FormHelperText
          error={!createBackup}
          style={{ marginTop: -8, marginLeft: 32 }}
        >
          {createBackup
            ? 'The current data is saved as a snapshot before anything is replaced, so this rollback can be undone.'
            : 'Without a backup, the data replaced by this rollback cannot be recovered.'}
        </FormHelperText>
        <FormControlLabel
          style={{ display: 'flex' }}
          control={
            <Checkbox
              checked={verifyAfter}
              onChange={e => setVerifyAfter(e.target.checked)}
            />
          }
          label="Verify after restore"
        />
        <FormHelperText style={{ marginTop: -8, marginLeft: 32 }}>
          Compares record counts and checksums of the restored datasets with the
          snapshot.
        </FormHelperText>
        <TextField
          id="rollback-reason"
          label="Reason (recorded in the audit trail)"
          fullWidth
          multiline
          minRows={2}
          margin="normal"
          value={reason}
          onChange={e => setReason(e.target.value)}
          inputProps={{ maxLength: 4000 }}
        />
        <TextField
          id="rollback-confirmation"
          label={`Type ${migrationId} to confirm`}
          fullWidth
          margin="normal"
          autoComplete="off"
          value={confirmation}
          onChange={e => setConfirmation(e.target.value)}
        />
        {error && <Alert severity="error">{errorMessage(error)}</Alert>}
      </DialogContent>
      <DialogActions>
        <Button onClick={() => props.onClose(false)} disabled={busy}>
          Cancel
        </Button>
        <Button
          color="secondary"
          variant="contained"
          onClick={submit}
          disabled={!confirmed || datasets.length === 0 || busy}
        >
          Roll back
        </Button>
      </DialogActions>
    </Dialog>
  );
}
