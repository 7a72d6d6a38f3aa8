import { InfoCard } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Chip from '@material-ui/core/Chip';
import Grid from '@material-ui/core/Grid';
import LinearProgress from '@material-ui/core/LinearProgress';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import Tooltip from '@material-ui/core/Tooltip';
import Typography from '@material-ui/core/Typography';
import Alert from '@material-ui/lab/Alert';
import {
  Snapshot,
  SnapshotVerification,
} from '@switchyard/plugin-cutover-common';
import { ReactNode, useState } from 'react';
import { cutoverApiRef } from '../../api';
import { ActionDialog } from '../common/ActionDialog';
import {
  errorMessage,
  formatBytes,
  formatCount,
  formatDateTime,
  formatRelative,
  formatUserRef,
} from '../common/format';
import { isUnderWay } from '../common/jobStatus';
import { StatusChip } from '../common/StatusChip';
import { useSubmit } from '../common/useSubmit';

function Fact(props: { label: string; children: ReactNode; testId?: string }) {
  return (
    <Grid item xs={6}>
      <Typography variant="caption" color="textSecondary" component="div">
        {props.label}
      </Typography>
      <Typography variant="body2" data-testid={props.testId}>
        {props.children}
      </Typography>
    </Grid>
  );
}

/** Records in a snapshot, over all its datasets. */
function snapshotRecords(snapshot: Snapshot): number {
  return Object.values(snapshot.recordCounts ?? {}).reduce(
    (sum, n) => sum + n,
    0,
  );
}

function expiry(snapshot: Snapshot): string {
  if (!snapshot.expiresAt) return 'kept until deleted';
  const past = new Date(snapshot.expiresAt).getTime() < Date.now();
  return `${past ? 'expired' : 'expires'} ${formatRelative(
    snapshot.expiresAt,
  )}`;
}

/** The later of two verifications: the one just run here, or the one the server has stored. */
function latest(
  a?: SnapshotVerification | null,
  b?: SnapshotVerification | null,
) {
  if (!a) return b ?? undefined;
  if (!b) return a;
  return a.at >= b.at ? a : b;
}

/** Records per dataset, with the current figures of the last verification beside them. */
function DatasetFigures(props: {
  snapshot: Snapshot;
  verification?: SnapshotVerification;
}) {
  const { snapshot, verification } = props;
  const checked = new Map(verification?.datasets.map(d => [d.dataset, d]));
  return (
    <Table size="small" aria-label={`Datasets of ${snapshot.name}`}>
      <TableHead>
        <TableRow>
          <TableCell>Dataset</TableCell>
          <TableCell align="right">Records</TableCell>
          {verification && <TableCell align="right">Now</TableCell>}
          {verification && <TableCell>Check</TableCell>}
        </TableRow>
      </TableHead>
      <TableBody>
        {snapshot.datasets.map(name => {
          const v = checked.get(name);
          return (
            <TableRow key={name} data-testid={`snapshot-dataset-${name}`}>
              <TableCell>{name}</TableCell>
              <TableCell align="right">
                {formatCount(snapshot.recordCounts[name])}
              </TableCell>
              {verification && (
                <TableCell align="right">
                  {formatCount(v?.currentCount)}
                </TableCell>
              )}
              {verification && (
                <TableCell>
                  {v && (
                    <Typography
                      variant="caption"
                      color={v.matches ? 'textPrimary' : 'error'}
                    >
                      {v.matches ? 'matches' : 'differs'}
                    </Typography>
                  )}
                </TableCell>
              )}
            </TableRow>
          );
        })}
      </TableBody>
    </Table>
  );
}

function VerificationSummary(props: { verification: SnapshotVerification }) {
  const v = props.verification;
  const differing = v.datasets.filter(d => !d.matches).map(d => d.dataset);
  return (
    <Alert
      severity={v.matches ? 'success' : 'warning'}
      data-testid="verification"
    >
      {v.matches
        ? 'Current data matches the snapshot'
        : `Current data differs from the snapshot in ${differing.join(
            ', ',
          )}`}{' '}
      (checked {formatRelative(v.at)}).
    </Alert>
  );
}

/** One snapshot: status, figures, last verification, and the actions the user may take. */
export function SnapshotCard(props: {
  migrationId: string;
  snapshot: Snapshot;
  canDelete: boolean;
  canRollback: boolean;
  /** A rollback is running; another would be refused. */
  rollbackRunning: boolean;
  onRollback: (snapshot: Snapshot) => void;
  onChanged: () => void;
}) {
  const { migrationId, snapshot: s } = props;
  const api = useApi(cutoverApiRef);
  const [verified, setVerified] = useState<SnapshotVerification>();
  const [confirmDelete, setConfirmDelete] = useState(false);
  const verification = latest(verified, s.lastVerification);
  const usable = s.status === 'SUCCEEDED';
  const verify = useSubmit(
    () => api.verifySnapshot(migrationId, s.id),
    setVerified,
  );
  const remove = useSubmit(
    () => api.deleteSnapshot(migrationId, s.id),
    () => {
      setConfirmDelete(false);
      props.onChanged();
    },
  );

  const actions = (
    <Box display="flex" flexWrap="wrap" style={{ gap: 8 }}>
      {usable && (
        <Button size="small" onClick={verify.submit} disabled={verify.busy}>
          {verify.busy ? 'Verifying…' : 'Verify'}
        </Button>
      )}
      {usable && props.canRollback && (
        <Tooltip
          title={props.rollbackRunning ? 'Another rollback is running' : ''}
        >
          <span>
            <Button
              size="small"
              color="secondary"
              onClick={() => props.onRollback(s)}
              disabled={props.rollbackRunning}
            >
              Roll back…
            </Button>
          </span>
        </Tooltip>
      )}
      {props.canDelete && !isUnderWay(s) && (
        <Button size="small" onClick={() => setConfirmDelete(true)}>
          Delete
        </Button>
      )}
    </Box>
  );

  return (
    <Box data-testid={`snapshot-${s.id}`} height="100%">
      <InfoCard
        title={s.name}
        subheader={s.description ?? undefined}
        action={<StatusChip status={s.status} />}
        actions={actions}
        variant="gridItem"
      >
        {s.backupForRollback && (
          <Box mb={1}>
            <Chip
              size="small"
              variant="outlined"
              label="Automatic backup taken before a rollback"
            />
          </Box>
        )}
        {isUnderWay(s) && (
          <Box mb={2}>
            <Typography variant="body2">
              {s.status === 'PENDING' ? 'Waiting to start' : 'Copying data'}…{' '}
              {Math.round(s.progress)}%
            </Typography>
            <LinearProgress
              variant="determinate"
              value={Math.min(100, Math.max(0, s.progress))}
              aria-label={`${s.name} progress`}
            />
          </Box>
        )}
        {s.status === 'FAILED' && (
          <Box mb={2}>
            <Alert severity="error">{s.error ?? 'The snapshot failed.'}</Alert>
          </Box>
        )}
        <Grid container spacing={1}>
          <Fact label="Records" testId="snapshot-records">
            {formatCount(snapshotRecords(s))}
          </Fact>
          <Fact label="Size" testId="snapshot-size">
            {formatBytes(s.sizeBytes)}
          </Fact>
          <Fact label="Taken">
            <Tooltip title={formatDateTime(s.createdAt)}>
              <span>
                {formatRelative(s.createdAt)} by {formatUserRef(s.createdBy)}
              </span>
            </Tooltip>
          </Fact>
          <Fact label="Retention">
            <Tooltip title={s.expiresAt ? formatDateTime(s.expiresAt) : ''}>
              <span>{expiry(s)}</span>
            </Tooltip>
          </Fact>
        </Grid>
        <Box mt={2}>
          <DatasetFigures snapshot={s} verification={verification} />
        </Box>
        {verification && (
          <Box mt={2}>
            <VerificationSummary verification={verification} />
          </Box>
        )}
        {verify.error && (
          <Box mt={2}>
            <Alert severity="error">{errorMessage(verify.error)}</Alert>
          </Box>
        )}
      </InfoCard>
      <ActionDialog
        open={confirmDelete}
        title={`Delete snapshot "${s.name}"?`}
        description={
          <>
            Its stored copy of {s.datasets.join(', ')} is removed from the
            destination, and the datasets can no longer be rolled back to this
            point.
          </>
        }
        confirmLabel="Delete"
        confirmColor="secondary"
        fullWidth={false}
        submission={remove}
        onClose={() => {
          setConfirmDelete(false);
          remove.reset();
        }}
      />
    </Box>
  );
}
