import { useApi } from '@backstage/core-plugin-api';
import FormControlLabel from '@material-ui/core/FormControlLabel';
import MenuItem from '@material-ui/core/MenuItem';
import Radio from '@material-ui/core/Radio';
import RadioGroup from '@material-ui/core/RadioGroup';
import TextField from '@material-ui/core/TextField';
import Alert from '@material-ui/lab/Alert';
import { Milestone, Phase, PhaseUpdate } from '@switchyard/plugin-cutover-common';
import { useState } from 'react';
import { cutoverApiRef } from '../../api';
import { ActionDialog } from '../common/ActionDialog';
import { TextAreaField } from '../common/TextAreaField';
import { useSubmit } from '../common/useSubmit';

type PhaseAction = 'start' | 'progress' | 'complete' | 'fail' | 'skip' | 'pause' | 'resume';

const FINISHED = ['COMPLETED', 'SKIPPED', 'FAILED'];

const ACTIONS: Array<{ value: PhaseAction; label: string; allowed: (p: Phase) => boolean }> = [
  { value: 'start', label: 'Start it', allowed: p => p.status === 'PENDING' || p.status === 'FAILED' || p.status === 'SKIPPED' },
  { value: 'progress', label: 'Report its progress', allowed: p => p.status === 'IN_PROGRESS' },
  { value: 'complete', label: 'Mark it completed', allowed: p => p.status !== 'COMPLETED' },
  { value: 'fail', label: 'Mark it failed', allowed: p => p.status === 'IN_PROGRESS' },
  { value: 'skip', label: 'Skip it', allowed: p => p.status === 'PENDING' },
  {
    value: 'pause',
    label: "Pause it: its datasets' jobs are told to pause",
    allowed: p => !p.paused && !FINISHED.includes(p.status),
  },
  { value: 'resume', label: 'Resume it: its jobs carry on', allowed: p => !!p.paused },
];

/** The update a phase action sends. */
export function phaseUpdateFor(
  action: Exclude<PhaseAction, 'pause' | 'resume'>,
  progress: number,
  message: string,
): PhaseUpdate {
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
  const progressValid = Number.isFinite(progress) && progress >= 0 && progress <= 100;
  const ready = !!phase && !!action && (action !== 'progress' || progressValid) && (action !== 'fail' || !!message.trim());
  const submission = useSubmit(
    () => {
      const reason = message.trim() || undefined;
      if (action === 'pause') return api.pausePhase(props.migrationId, phase!.id, reason);
      if (action === 'resume') return api.resumePhase(props.migrationId, phase!.id, reason);
      return api.putPhase(props.migrationId, phase!.id, phaseUpdateFor(action!, progress, message));
    },
    () => props.onClose(true),
  );

  return (
    <ActionDialog
      title="Update a phase"
      description="Jobs report their phases themselves; use this for steps people do (tests, sign-offs, manual fixes). The change is kept in the audit trail."
      confirmLabel="Update phase"
      ready={ready}
      submission={submission}
      onClose={() => props.onClose(false)}
    >
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
            {p.name} ({p.status.replace('_', ' ').toLowerCase()}, {p.progressPercent.toFixed(0)}%
            {p.paused ? ', paused' : ''})
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
      {(action === 'pause' || action === 'resume') && (
        <>
          {action === 'pause' && (
            <Alert severity="info">
              Jobs that poll with their dataset (<code>cutover wait-until-running -d DATASET</code>)
              are told to pause:{' '}
              {phase?.datasets?.length ? phase.datasets.join(', ') : 'the phase lists no datasets'}.
              Samples they send meanwhile are kept, marked as sent while paused.
            </Alert>
          )}
          <TextAreaField id="phase-reason" label="Reason" value={message} onChange={setMessage} />
        </>
      )}
      {action === 'fail' && (
        <TextAreaField
          id="phase-failure"
          label="What went wrong"
          required
          value={message}
          onChange={setMessage}
        />
      )}
    </ActionDialog>
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
  const reopen = m.completed;
  const submission = useSubmit(
    () =>
      api.putMilestone(
        props.migrationId,
        m.id,
        reopen ? { completed: false, actualDate: null } : { completed: true },
      ),
    () => props.onClose(true),
  );
  return (
    <ActionDialog
      title={reopen ? `Reopen "${m.name}"?` : `Mark "${m.name}" reached?`}
      description={
        reopen
          ? 'The milestone goes back to not reached; the timeline predicts it again from its phases.'
          : 'The milestone is recorded as reached now, and the schedule variance is computed with it.'
      }
      confirmLabel={reopen ? 'Reopen' : 'Mark reached'}
      fullWidth={false}
      submission={submission}
      onClose={() => props.onClose(false)}
    />
  );
}
