import { useApi } from '@backstage/core-plugin-api';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Checkbox from '@material-ui/core/Checkbox';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogContentText from '@material-ui/core/DialogContentText';
import DialogTitle from '@material-ui/core/DialogTitle';
import FormControlLabel from '@material-ui/core/FormControlLabel';
import FormHelperText from '@material-ui/core/FormHelperText';
import TextField from '@material-ui/core/TextField';
import Alert from '@material-ui/lab/Alert';
import { FreezeWindowCreate } from '@switchyard/plugin-cutover-common';
import { DateTime } from 'luxon';
import { useState } from 'react';
import { cutoverApiRef } from '../../api';
import { errorMessage } from '../common/format';
import { DatasetPicker } from '../RollbackTab/DatasetPicker';

const LOCAL_FORMAT = "yyyy-MM-dd'T'HH:mm";

/** A `datetime-local` value (local time) as an ISO timestamp in UTC, or undefined. */
export function localToIso(value: string): string | undefined {
  if (!value) return undefined;
  const dt = DateTime.fromISO(value);
  return dt.isValid ? dt.toUTC().toISO() ?? undefined : undefined;
}

/** A `datetime-local` value some hours from the next full hour. */
function hoursAhead(hours: number): string {
  return DateTime.now()
    .plus({ hours: 1 })
    .startOf('hour')
    .plus({ hours })
    .toFormat(LOCAL_FORMAT);
}

/** Plans a freeze window: its name, datasets, period and whether reads may be switched in it. */
export function FreezeWindowDialog(props: {
  migrationId: string;
  datasets: string[];
  onClose: (created: boolean) => void;
}) {
  const api = useApi(cutoverApiRef);
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [datasets, setDatasets] = useState<string[]>(props.datasets);
  // Typical freeze windows last 2-4 hours.
  const [start, setStart] = useState(() => hoursAhead(0));
  const [end, setEnd] = useState(() => hoursAhead(4));
  const [allowSwitch, setAllowSwitch] = useState(true);
  const [error, setError] = useState<Error>();
  const [busy, setBusy] = useState(false);
  const startsAt = localToIso(start);
  const endsAt = localToIso(end);
  const endBeforeStart =
    !!startsAt && !!endsAt && Date.parse(endsAt) <= Date.parse(startsAt);
  const ready =
    !!name.trim() &&
    datasets.length > 0 &&
    !!startsAt &&
    !!endsAt &&
    !endBeforeStart &&
    !busy;

  const submit = async () => {
    if (!startsAt || !endsAt) return;
    setBusy(true);
    setError(undefined);
    const body: FreezeWindowCreate = {
      name: name.trim(),
      ...(description.trim() ? { description: description.trim() } : {}),
      datasets,
      startsAt,
      endsAt,
      allowReadSourceSwitch: allowSwitch,
    };
    try {
      await api.createFreezeWindow(props.migrationId, body);
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
      <DialogTitle>Plan a freeze window</DialogTitle>
      <DialogContent>
        <DialogContentText>
          While a window is active, the data of its datasets must not change, so
          a cutover can be checked against figures that hold still. Once
          planned, activate it when the freeze begins and complete it when it
          ends.
        </DialogContentText>
        <TextField
          id="freeze-name"
          label="Name"
          required
          fullWidth
          margin="normal"
          placeholder="orders cutover"
          value={name}
          onChange={e => setName(e.target.value)}
          inputProps={{ maxLength: 255 }}
        />
        <TextField
          id="freeze-description"
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
          label="Datasets frozen"
          datasets={props.datasets}
          selected={datasets}
          onChange={setDatasets}
        />
        <Box display="flex" style={{ gap: 16 }}>
          <TextField
            id="freeze-start"
            label="Starts"
            type="datetime-local"
            required
            fullWidth
            margin="normal"
            value={start}
            onChange={e => setStart(e.target.value)}
            InputLabelProps={{ shrink: true }}
          />
          <TextField
            id="freeze-end"
            label="Ends"
            type="datetime-local"
            required
            fullWidth
            margin="normal"
            value={end}
            onChange={e => setEnd(e.target.value)}
            error={endBeforeStart}
            helperText={endBeforeStart ? 'Must be after the start' : undefined}
            InputLabelProps={{ shrink: true }}
          />
        </Box>
        <FormControlLabel
          control={
            <Checkbox
              checked={allowSwitch}
              onChange={e => setAllowSwitch(e.target.checked)}
            />
          }
          label="Allow read-source switches during the window"
        />
        <FormHelperText style={{ marginTop: -8, marginLeft: 32 }}>
          {allowSwitch
            ? 'Reads may be switched while the window is active: the usual way to cut over.'
            : 'Reads may only go back to LEGACY while the window is active.'}
        </FormHelperText>
        {error && (
          <Box mt={2}>
            <Alert severity="error">{errorMessage(error)}</Alert>
          </Box>
        )}
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
          Plan window
        </Button>
      </DialogActions>
    </Dialog>
  );
}
