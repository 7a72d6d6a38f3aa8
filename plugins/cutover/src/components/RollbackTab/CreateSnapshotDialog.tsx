import { useApi } from '@backstage/core-plugin-api';
import Button from '@material-ui/core/Button';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogContentText from '@material-ui/core/DialogContentText';
import DialogTitle from '@material-ui/core/DialogTitle';
import TextField from '@material-ui/core/TextField';
import Alert from '@material-ui/lab/Alert';
import { SnapshotCreate } from '@switchyard/plugin-cutover-common';
import { useState } from 'react';
import { cutoverApiRef } from '../../api';
import { errorMessage } from '../common/format';
import { DatasetPicker } from './DatasetPicker';

function retentionProblem(text: string): string | undefined {
  if (!text.trim()) return undefined;
  const days = Number(text);
  if (!Number.isInteger(days) || days < 1 || days > 3650)
    return 'A whole number of days, 1 to 3650';
  return undefined;
}

/** Asks for a snapshot's name, datasets and retention, and starts it. */
export function CreateSnapshotDialog(props: {
  migrationId: string;
  /** Datasets of the migration's plan. */
  datasets: string[];
  destination: string;
  onClose: (created: boolean) => void;
}) {
  const api = useApi(cutoverApiRef);
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [datasets, setDatasets] = useState<string[]>(props.datasets);
  const [retention, setRetention] = useState('');
  const [error, setError] = useState<Error>();
  const [busy, setBusy] = useState(false);
  const retentionError = retentionProblem(retention);
  const ready =
    !!name.trim() && datasets.length > 0 && !retentionError && !busy;

  const submit = async () => {
    setBusy(true);
    setError(undefined);
    const body: SnapshotCreate = {
      name: name.trim(),
      ...(description.trim() ? { description: description.trim() } : {}),
      datasets,
      ...(retention.trim() ? { retentionDays: Number(retention) } : {}),
    };
    try {
      await api.createSnapshot(props.migrationId, body);
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
      <DialogTitle>Take a snapshot</DialogTitle>
      <DialogContent>
        <DialogContentText>
          Copies the chosen datasets as they are now on the destination
          (connection <code>{props.destination}</code>), so they can be rolled
          back to this point later. It runs in the background; its progress
          shows on its card.
        </DialogContentText>
        <TextField
          id="snapshot-name"
          label="Name"
          required
          fullWidth
          margin="normal"
          placeholder="before-tier1-import"
          value={name}
          onChange={e => setName(e.target.value)}
          inputProps={{ maxLength: 255 }}
        />
        <TextField
          id="snapshot-description"
          label="Description"
          fullWidth
          multiline
          minRows={2}
          margin="normal"
          value={description}
          onChange={e => setDescription(e.target.value)}
          inputProps={{ maxLength: 4000 }}
        />
        <DatasetPicker
          label="Datasets"
          datasets={props.datasets}
          selected={datasets}
          onChange={setDatasets}
        />
        <TextField
          id="snapshot-retention"
          label="Keep for (days)"
          type="number"
          fullWidth
          margin="normal"
          value={retention}
          onChange={e => setRetention(e.target.value)}
          error={!!retentionError}
          helperText={
            retentionError ??
            'Optional; the configured retention applies when empty.'
          }
          inputProps={{ min: 1, max: 3650 }}
        />
        {error && <Alert severity="error">{errorMessage(error)}</Alert>}
      </DialogContent>
      <DialogActions>
        <Button onClick={() => props.onClose(false)} disabled={busy}>
          Cancel
        </Button>
        <Button
          color="primary"
          variant="contained"
          onClick={submit}
          disabled={!ready}
        >
          Take snapshot
        </Button>
      </DialogActions>
    </Dialog>
  );
}
