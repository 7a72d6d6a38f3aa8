import { useApi } from '@backstage/core-plugin-api';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogContentText from '@material-ui/core/DialogContentText';
import DialogTitle from '@material-ui/core/DialogTitle';
import FormControlLabel from '@material-ui/core/FormControlLabel';
import MenuItem from '@material-ui/core/MenuItem';
import Radio from '@material-ui/core/Radio';
import RadioGroup from '@material-ui/core/RadioGroup';
import TextField from '@material-ui/core/TextField';
import Alert from '@material-ui/lab/Alert';
import { Milestone, Phase, PhaseUpdate } from '@switchyard/plugin-cutover-common';
import { useState } from 'react';
import { cutoverApiRef } from '../../api';
import { errorMessage } from '../common/format';

type PhaseAction = 'start' | 'progress' | 'complete' | 'fail' | 'skip';

const ACTIONS: Array<{ value: PhaseAction; label: string; allowed: (p: Phase) => boolean }> = [
  { value: 'start', label: 'Start it', allowed: p => p.status === 'PENDING' || p.status === 'FAILED' || p.status === 'SKIPPED' },
  { value: 'progress', label: 'Report its progress', allowed: p => p.status === 'IN_PROGRESS' },
  { value: 'complete', label: 'Mark it completed', allowed: p => p.status !== 'COMPLETED' },
  { value: 'fail', label: 'Mark it failed', allowed: p => p.status === 'IN_PROGRESS' },
  { value: 'skip', label: 'Skip it', allowed: p => p.status === 'PENDING' },
];

/** The update a phase action sends. */
export function phaseUpdateFor(action: PhaseAction, progress: number, message: string): PhaseUpdate {
  switch (action) {
    case 'start':
      return { status: 'IN_PROGRESS' };
    case 'progress':
      return { progressPercent: progress };
    case 'complete':
      return { status: 'COMPLETED' };
    case 'fail':
      return { status: 'FAILED', ...(message.trim() ? { errors: [message.trim()] } : {}) };
    default:
      return { status: 'SKIPPED' };
  }
}

/**
 * Lets the migration's owners move a phase by hand (jobs usually report phases themselves, but
 * UAT, sign-offs and manual steps have no job): start, progress, complete, fail with a reason, skip.
 */
export function PhaseUpdateDialog(props: {
  migrationId: string;
  phases: Phase[];
  onClose: (changed: boolean) => void;
}) {
  const api = useApi(cutoverApiRef);
  const [phaseId, setPhaseId] = useState(
    () => (props.phases.find(p => p.status === 'IN_PROGRESS') ?? props.phases.find(p => p.status === 'PENDING') ?? props.phases[0])?.id ?? '',
  );
  const phase = props.phases.find(p => p.id === phaseId);
  const allowed = phase ? ACTIONS.filter(a => a.allowed(phase)) : [];
  const [chosen, setChosen] = useState<PhaseAction>();
  const action = chosen && allowed.some(a => a.value === chosen) ? chosen : allowed[0]?.value;
  const [progress, setProgress] = useState<number>(phase?.progressPercent ?? 0);
  const [message, setMessage] = useState('');
  const [error, setError] = useState<Error>();
  const [busy, setBusy] = useState(false);
  const progressValid = Number.isFinite(progress) && progress >= 0 && progress <= 100;
  const ready = !!phase && !!action && (action !== 'progress' || progressValid) && (action !== 'fail' || !!message.trim());

  const submit = async () => {
    if (!phase || !action) return;
    setBusy(true);
    setError(undefined);
    try {
      await api.putPhase(props.migrationId, phase.id, phaseUpdateFor(action, progress, message));
      props.onClose(true);
    } catch (e) {
      setError(e as Error);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Dialog open onClose={() => props.onClose(false)} maxWidth="sm" fullWidth aria-labelledby="phase-update-title">
      <DialogTitle id="phase-update-title">Update a phase</DialogTitle>
      <DialogContent>
        <DialogContentText>
          Jobs report their phases themselves; use this for steps people do (tests, sign-offs, manual fixes).
          The change is kept in the audit trail.
        </DialogContentText>
        <TextField
          select
          fullWidth
          label="Phase"
          value={phaseId}
          onChange={e => {
            const next = props.phases.find(p => p.id === e.target.value);
            setPhaseId(e.target.value);
            setProgress(next?.progressPercent ?? 0);
            setChosen(undefined);
          }}
          margin="normal"
          inputProps={{ 'aria-label': 'Phase' }}
        >
          {props.phases.map(p => (
            <MenuItem key={p.id} value={p.id}>
              {p.name} ({p.status.replace('_', ' ').toLowerCase()}, {p.progressPercent.toFixed(0)}%)
            </MenuItem>
          ))}
        </TextField>
        {allowed.length === 0 ? (
          <Alert severity="info">This phase is completed; nothing to change.</Alert>
        ) : (
          <RadioGroup
            aria-label="What to do"
            value={action ?? ''}
            onChange={e => setChosen(e.target.value as PhaseAction)}
          >
            {allowed.map(a => (
              <FormControlLabel key={a.value} value={a.value} control={<Radio />} label={a.label} />
            ))}
          </RadioGroup>
        )}
        {action === 'progress' && (
          <TextField
            id="phase-progress"
            type="number"
            label="Progress (%)"
            value={Number.isFinite(progress) ? progress : ''}
            onChange={e => setProgress(e.target.value === '' ? NaN : Number(e.target.value))}
            inputProps={{ min: 0, max: 100, step: 5 }}
            error={!progressValid}
            helperText={progressValid ? ' ' : 'between 0 and 100'}
            margin="normal"
          />
        )}
        {action === 'fail' && (
          <TextField
            fullWidth
            id="phase-failure"
            required
            multiline
            minRows={2}
            label="What went wrong"
            value={message}
            onChange={e => setMessage(e.target.value)}
            margin="normal"
          />
        )}
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
        <Button color="primary" variant="contained" onClick={submit} disabled={!ready || busy}>
          Update phase
        </Button>
      </DialogActions>
    </Dialog>
  );
}

/** Marks a milestone reached (now), or takes that back. */
export function MilestoneDialog(props: {
  migrationId: string;
  milestone: Milestone;
  onClose: (changed: boolean) => void;
}) {
  const api = useApi(cutoverApiRef);
  const m = props.milestone;
  const [error, setError] = useState<Error>();
  const [busy, setBusy] = useState(false);
  const reopen = m.completed;
  const submit = async () => {
    setBusy(true);
    setError(undefined);
    try {
      await api.putMilestone(
        props.migrationId,
        m.id,
        reopen ? { completed: false, actualDate: null } : { completed: true },
      );
      props.onClose(true);
    } catch (e) {
      setError(e as Error);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Dialog open onClose={() => props.onClose(false)} aria-labelledby="milestone-title">
      <DialogTitle id="milestone-title">{reopen ? `Reopen "${m.name}"?` : `Mark "${m.name}" reached?`}</DialogTitle>
      <DialogContent>
        <DialogContentText>
          {reopen
            ? 'The milestone goes back to not reached; the timeline predicts it again from its phases.'
            : 'The milestone is recorded as reached now, and the schedule variance is computed with it.'}
        </DialogContentText>
        {error && <Alert severity="error">{errorMessage(error)}</Alert>}
      </DialogContent>
      <DialogActions>
        <Button onClick={() => props.onClose(false)} disabled={busy}>
          Cancel
        </Button>
        <Button color="primary" variant="contained" onClick={submit} disabled={busy}>
          {reopen ? 'Reopen' : 'Mark reached'}
        </Button>
      </DialogActions>
    </Dialog>
  );
}
