import { useApi } from '@backstage/core-plugin-api';
import Box from '@material-ui/core/Box';
import Typography from '@material-ui/core/Typography';
import Alert from '@material-ui/lab/Alert';
import AlertTitle from '@material-ui/lab/AlertTitle';
import { FreezeWindow } from '@switchyard/plugin-cutover-common';
import { useState } from 'react';
import { cutoverApiRef } from '../../api';
import { ActionDialog } from '../common/ActionDialog';
import { formatDateTime } from '../common/format';
import { TextAreaField } from '../common/TextAreaField';
import { useSubmit } from '../common/useSubmit';
import { describeChange, STATE_ACTIONS, SwitchChange } from './datasetSwitches';

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
  const risky = isRisky(change);
  const readSource = change.kind === 'READ_SOURCE';
  const submission = useSubmit(
    () =>
      change.kind === 'READ_SOURCE'
        ? api.switchReadSource(migrationId, change.dataset, {
            source: change.to,
            reason: reason.trim(),
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
        readSource ? `Switch to ${change.to}` : STATE_ACTIONS[change.to]
      }
      confirmColor={risky ? 'secondary' : 'primary'}
      ready={!!reason.trim()}
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
      </Typography>
      <Box display="grid" style={{ gap: 8 }}>
        {readSource ? (
          <ReadSourceEffect dataset={change.dataset} to={change.to} />
        ) : (
          <StateEffect change={change} />
        )}
        <FreezeNotice change={change} windows={props.freezes} />
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
