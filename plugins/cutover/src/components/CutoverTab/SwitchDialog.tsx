import { useApi } from '@backstage/core-plugin-api';
import Box from '@material-ui/core/Box';
import Slider from '@material-ui/core/Slider';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import Alert from '@material-ui/lab/Alert';
import AlertTitle from '@material-ui/lab/AlertTitle';
import { FreezeWindow } from '@switchyard/plugin-cutover-common';
import { useState } from 'react';
import { cutoverApiRef } from '../../api';
import { ActionDialog } from '../common/ActionDialog';
import { CheckboxField } from '../common/CheckboxField';
import { formatDateTime } from '../common/format';
import { TextAreaField } from '../common/TextAreaField';
import { useSubmit } from '../common/useSubmit';
import {
  describeChange,
  describeRollout,
  STATE_ACTIONS,
  SwitchChange,
} from './datasetSwitches';

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
 * The gradual rollout of a switch to DUAL or NEW: off (everyone), or a share (1-99) of callers,
 * chosen by a stable hash of their targeting key; the others keep the current source.
 */
function RolloutField(props: {
  change: Extract<SwitchChange, { kind: 'READ_SOURCE' }>;
  enabled: boolean;
  percent: number;
  onChange: (enabled: boolean, percent: number) => void;
}) {
  const { change, enabled, percent } = props;
  const valid = Number.isInteger(percent) && percent >= 1 && percent <= 99;
  return (
    <Box data-testid="rollout-field">
      <CheckboxField
        label="Gradual rollout: only a share of callers"
        checked={enabled}
        onChange={on => props.onChange(on, percent)}
        helperText={
          enabled
            ? `Callers whose targeting key falls in the first ${
                valid ? percent : '…'
              }% read ${change.to}; the others keep ${
                change.from
              }. The same caller always gets the same answer, and raising the share only adds callers.`
            : `Everyone reads ${change.to}${
                change.rollout ? ' (the running rollout ends)' : ''
              }.`
        }
      />
      {enabled && (
        <Box display="flex" alignItems="center" style={{ gap: 16 }} mt={1} ml={4}>
          <Slider
            value={valid ? percent : 1}
            min={1}
            max={99}
            onChange={(_e, v) => props.onChange(true, v as number)}
            aria-label="Share of callers"
            style={{ flex: 1 }}
          />
          <TextField
            id="rollout-percent"
            label="Percent of callers"
            type="number"
            size="small"
            value={Number.isNaN(percent) ? '' : percent}
            onChange={e => props.onChange(true, Number(e.target.value))}
            inputProps={{ min: 1, max: 99, step: 1 }}
            error={!valid}
            helperText={valid ? ' ' : '1 to 99'}
            style={{ width: 140 }}
          />
        </Box>
      )}
    </Box>
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
  const current =
    change.kind === 'READ_SOURCE' && change.rollout?.source === change.to
      ? change.rollout
      : null;
  const [rollout, setRollout] = useState({
    enabled: !!current,
    percent: current?.percent ?? 10,
  });
  const risky = isRisky(change);
  const readSource = change.kind === 'READ_SOURCE';
  const canRollOut = change.kind === 'READ_SOURCE' && change.to !== 'LEGACY';
  const rolling = canRollOut && rollout.enabled;
  const percentValid =
    Number.isInteger(rollout.percent) &&
    rollout.percent >= 1 &&
    rollout.percent <= 99;
  const submission = useSubmit(
    () =>
      change.kind === 'READ_SOURCE'
        ? api.switchReadSource(migrationId, change.dataset, {
            source: change.to,
            reason: reason.trim(),
            ...(rolling ? { rolloutPercent: rollout.percent } : {}),
          })
        : api.setCutoverState(migrationId, change.dataset, {
            state: change.to,
            reason: reason.trim(),
          }),
    () => props.onClose(true),
  );

  return (
    <ActionDialog
      title={
        readSource
          ? `Switch reads of ${change.dataset}`
          : `Change the cutover state of ${change.dataset}`
      }
      confirmLabel={
        readSource
          ? `Switch to ${change.to}${
              rolling && percentValid ? ` for ${rollout.percent}%` : ''
            }`
          : STATE_ACTIONS[change.to]
      }
      confirmColor={risky ? 'secondary' : 'primary'}
      ready={!!reason.trim() && (!rolling || percentValid)}
      submission={submission}
      onClose={() => props.onClose(false)}
    >
      <Typography
        variant="h6"
        component="p"
        color={risky ? 'error' : 'textPrimary'}
        data-testid="switch-summary"
        gutterBottom
      >
        {describeChange(change)}
        {rolling && percentValid ? ` for ${rollout.percent}% of callers` : ''}
      </Typography>
      {change.kind === 'READ_SOURCE' && change.rollout && (
        <Typography variant="body2" gutterBottom data-testid="current-rollout">
          Now: {describeRollout(change.rollout)}, {change.from} for the others.
        </Typography>
      )}
      <Box display="grid" style={{ gap: 8 }}>
        {readSource ? (
          <ReadSourceEffect dataset={change.dataset} to={change.to} />
        ) : (
          <StateEffect change={change} />
        )}
        <FreezeNotice change={change} windows={props.freezes} />
        {canRollOut && change.kind === 'READ_SOURCE' && (
          <RolloutField
            change={change}
            enabled={rollout.enabled}
            percent={rollout.percent}
            onChange={(enabled, percent) => setRollout({ enabled, percent })}
          />
        )}
      </Box>
      <TextAreaField
        id="switch-reason"
        label="Reason (recorded in the switch history)"
        required
        value={reason}
        onChange={setReason}
        maxLength={4000}
      />
    </ActionDialog>
  );
}
