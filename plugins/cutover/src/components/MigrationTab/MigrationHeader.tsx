import { useApi } from '@backstage/core-plugin-api';
import { usePermission } from '@backstage/plugin-permission-react';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import TextField from '@material-ui/core/TextField';
import Tooltip from '@material-ui/core/Tooltip';
import Typography from '@material-ui/core/Typography';
import PauseIcon from '@material-ui/icons/Pause';
import PlayArrowIcon from '@material-ui/icons/PlayArrow';
import StopIcon from '@material-ui/icons/Stop';
import {
  ControlState,
  cutoverMigrationUpdatePermission,
  Dashboard,
} from '@switchyard/plugin-cutover-common';
import { useState } from 'react';
import { cutoverApiRef } from '../../api';
import { ActionDialog } from '../common/ActionDialog';
import { formatDateTime, formatRelative } from '../common/format';
import { LiveIndicator } from '../common/LiveIndicator';
import { useSubmit } from '../common/useSubmit';
import { StatusChip } from '../common/StatusChip';
import { ReportsMenu } from './ReportsMenu';

const ACTIONS: Record<ControlState, { label: string; verb: string; icon: JSX.Element }> = {
  PAUSE: { label: 'Pause', verb: 'pause', icon: <PauseIcon /> },
  RUN: { label: 'Resume', verb: 'resume', icon: <PlayArrowIcon /> },
  CANCEL: { label: 'Cancel', verb: 'cancel', icon: <StopIcon /> },
};

const CONSEQUENCES: Record<ControlState, string> = {
  CANCEL:
    'Jobs polling this migration will stop, and it cannot be resumed. Datasets keep their figures.',
  PAUSE: 'Jobs polling this migration will pause at their next check until it is resumed.',
  RUN: 'Jobs polling this migration will carry on.',
};

/** Title, status, live indicator and the job-control actions the user is allowed to take. */
export function MigrationHeader(props: {
  dashboard: Dashboard;
  live: boolean;
  loadedAt?: Date;
  onChanged: () => void;
}) {
  const { dashboard: d } = props;
  const api = useApi(cutoverApiRef);
  const { allowed } = usePermission({
    permission: cutoverMigrationUpdatePermission,
    resourceRef: d.migrationId,
  });
  const [pending, setPending] = useState<ControlState | undefined>();
  const [reason, setReason] = useState('');
  const submission = useSubmit(
    () =>
      api.updateMigration(d.migrationId, {
        controlState: pending!,
        ...(reason ? { reason } : {}),
      }),
    () => {
      setPending(undefined);
      setReason('');
      props.onChanged();
    },
  );

  const available: ControlState[] = [];
  if (d.status === 'IN_PROGRESS' || d.status === 'PLANNED') available.push('PAUSE');
  if (d.status === 'PAUSED') available.push('RUN');
  if (!['CANCELLED', 'COMPLETED', 'ROLLED_BACK'].includes(d.status)) available.push('CANCEL');

  return (
    <Box display="flex" alignItems="center" flexWrap="wrap" style={{ gap: 12 }} mb={2}>
      <Typography variant="h5" component="h2">
        {d.title}
      </Typography>
      <span data-testid="migration-status">
        <StatusChip status={d.status} size="medium" />
      </span>
      {d.controlState !== 'RUN' && d.status !== 'CANCELLED' && (
        <Tooltip title="What jobs are told when they poll for control">
          <Typography variant="body2" color="textSecondary">
            jobs told to {d.controlState.toLowerCase()}
          </Typography>
        </Tooltip>
      )}
      <Tooltip title={props.loadedAt ? `Updated ${formatDateTime(props.loadedAt.toISOString())}` : ''}>
        <LiveIndicator live={props.live}>
          {props.loadedAt ? ` · updated ${formatRelative(props.loadedAt.toISOString())}` : ''}
        </LiveIndicator>
      </Tooltip>
      <Box flexGrow={1} />
      <ReportsMenu migrationId={d.migrationId} />
      {allowed &&
        available.map(action => (
          <Button
            key={action}
            variant="outlined"
            size="small"
            color={action === 'CANCEL' ? 'secondary' : 'primary'}
            startIcon={ACTIONS[action].icon}
            onClick={() => {
              submission.reset();
              setPending(action);
            }}
          >
            {ACTIONS[action].label}
          </Button>
        ))}
      <ActionDialog
        open={!!pending}
        title={pending ? `${ACTIONS[pending].label} "${d.title}"?` : ''}
        description={pending ? CONSEQUENCES[pending] : ''}
        confirmLabel={pending ? ACTIONS[pending].label : ''}
        cancelLabel="Back"
        submission={submission}
        onClose={() => setPending(undefined)}
      >
        <TextField
          id="cutover-control-reason"
          label="Reason (recorded in the audit trail)"
          fullWidth
          value={reason}
          onChange={e => setReason(e.target.value)}
          inputProps={{ maxLength: 2000 }}
        />
      </ActionDialog>
    </Box>
  );
}
