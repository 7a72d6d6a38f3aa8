import { EmptyState, Progress } from '@backstage/core-components';
import { usePermission } from '@backstage/plugin-permission-react';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Grid from '@material-ui/core/Grid';
import LinearProgress from '@material-ui/core/LinearProgress';
import Typography from '@material-ui/core/Typography';
import AddIcon from '@material-ui/icons/AddAPhoto';
import Alert from '@material-ui/lab/Alert';
import AlertTitle from '@material-ui/lab/AlertTitle';
import {
  cutoverRollbackExecutePermission,
  cutoverSnapshotCreatePermission,
  cutoverSnapshotDeletePermission,
  Migration,
  Rollback,
  Snapshot,
} from '@switchyard/plugin-cutover-common';
import { useEffect, useState } from 'react';
import { useLiveCutoverData } from '../../hooks/useCutoverData';
import { EntityMigrations } from '../common/EntityMigrations';
import { formatRelative } from '../common/format';
import { isUnderWay } from '../common/jobStatus';
import { LiveIndicator } from '../common/LiveIndicator';
import { LoadFailure } from '../common/LoadFailure';
import { loadAllPages } from '../common/paging';
import { CreateSnapshotDialog } from './CreateSnapshotDialog';
import { RollbackDialog } from './RollbackDialog';
import { RollbackHistory } from './RollbackHistory';
import { SnapshotCard } from './SnapshotCard';

/**
 * How often to refetch while a snapshot or rollback runs and signals are not available, so
 * progress bars move faster than the hook's regular polling.
 */
const ACTIVE_JOB_POLL_MS = 3_000;

function NoDestination(props: { migrationId: string }) {
  return (
    <EmptyState
      missing="field"
      title="Snapshots need a destination connection"
      description={
        <>
          Snapshots and rollbacks act on the migration's destination database,
          and migration "{props.migrationId}" names none. Add{' '}
          <code>destination: {'{ connection: NAME }'}</code> to its plan and
          apply it again, and define that connection under{' '}
          <code>cutover.connections.NAME</code> in app-config.yaml (a Knex{' '}
          <code>client</code>, <code>pg</code> or <code>better-sqlite3</code>,
          and its <code>connection</code>).
        </>
      }
    />
  );
}

function NoSnapshots(props: { destination: string; canCreate: boolean }) {
  return (
    <EmptyState
      missing="content"
      title="No snapshots yet"
      description={
        <>
          A snapshot is a copy of the migration's datasets taken on the
          destination (connection <code>{props.destination}</code>), with record
          counts and checksums. Take one before a risky step, such as a tier
          import, a read switch or the cutover itself, to be able to roll all or
          some datasets back to that point.
          {props.canCreate
            ? ''
            : ' Ask someone allowed to take snapshots to take one.'}
        </>
      }
    />
  );
}

function RunningRollback(props: { rollback: Rollback; snapshotName: string }) {
  const r = props.rollback;
  return (
    <Alert severity="info" data-testid="running-rollback">
      <AlertTitle>
        Rollback to "{props.snapshotName}"{' '}
        {r.status === 'PENDING' ? 'waiting to start' : 'running'}
      </AlertTitle>
      {r.datasets.join(', ')}, started{' '}
      {formatRelative(r.startedAt ?? r.createdAt)}: {Math.round(r.progress)}%
      <LinearProgress
        variant="determinate"
        value={Math.min(100, Math.max(0, r.progress))}
        aria-label="Running rollback progress"
      />
    </Alert>
  );
}

/** Snapshots, rollback and history of one migration, live. */
export function RollbackView(props: { migrationId: string }) {
  const { migrationId } = props;
  const migration = useLiveCutoverData<Migration>(
    migrationId,
    (api, id) => api.getMigration(id),
    ['rollback'],
  );
  // Snapshots and rollbacks pile up past a page: follow nextCursor (the history names backups).
  const snapshots = useLiveCutoverData<{ items: Snapshot[] }>(
    migrationId,
    (api, id) => loadAllPages(cursor => api.listSnapshots(id, { cursor })),
    ['snapshot', 'rollback'],
  );
  const rollbacks = useLiveCutoverData<{ items: Rollback[] }>(
    migrationId,
    (api, id) => loadAllPages(cursor => api.listRollbacks(id, { cursor })),
    ['rollback', 'snapshot'],
  );
  const canCreate = usePermission({
    permission: cutoverSnapshotCreatePermission,
    resourceRef: migrationId,
  }).allowed;
  const canDelete = usePermission({
    permission: cutoverSnapshotDeletePermission,
    resourceRef: migrationId,
  }).allowed;
  const canRollback = usePermission({
    permission: cutoverRollbackExecutePermission,
    resourceRef: migrationId,
  }).allowed;
  const [creating, setCreating] = useState(false);
  const [rollingBack, setRollingBack] = useState<Snapshot>();

  const snapshotList = [...(snapshots.value?.items ?? [])].sort((a, b) =>
    b.createdAt.localeCompare(a.createdAt),
  );
  const rollbackList = rollbacks.value?.items ?? [];
  const runningRollback = rollbackList.find(isUnderWay);
  const working = !!runningRollback || snapshotList.some(isUnderWay);
  const refreshSnapshots = snapshots.retry;
  const refreshRollbacks = rollbacks.retry;
  const refresh = () => {
    refreshSnapshots();
    refreshRollbacks();
  };

  // Signals announce every change of a job; without them, poll briskly while one runs.
  useEffect(() => {
    if (!working || snapshots.live) return undefined;
    const timer = setInterval(() => {
      refreshSnapshots();
      refreshRollbacks();
    }, ACTIVE_JOB_POLL_MS);
    return () => clearInterval(timer);
  }, [working, snapshots.live, refreshSnapshots, refreshRollbacks]);

  const error = migration.error ?? snapshots.error ?? rollbacks.error;
  if (error && !(migration.value && snapshots.value && rollbacks.value)) {
    return (
      <LoadFailure
        error={error}
        what="snapshots and rollbacks"
        retry={() => {
          migration.retry();
          refresh();
        }}
        missing={{
          migrationId,
          howToCreate:
            'Apply its plan (cutover apply -f plan.yaml) to create it; snapshots can be taken once it has datasets and a destination connection.',
        }}
      />
    );
  }
  if (!migration.value || !snapshots.value || !rollbacks.value)
    return <Progress />;

  const destination = migration.value.destination?.connection;
  const names = new Map(snapshotList.map(s => [s.id, s.name]));
  return (
    <Grid container spacing={3}>
      <Grid item xs={12}>
        <Box
          display="flex"
          alignItems="center"
          flexWrap="wrap"
          style={{ gap: 12 }}
        >
          <Typography variant="h5" component="h2">
            Snapshots
          </Typography>
          {destination && (
            <Typography variant="body2" color="textSecondary">
              on destination connection <code>{destination}</code>
            </Typography>
          )}
          <LiveIndicator live={snapshots.live} />
          <Box flexGrow={1} />
          {canCreate && destination && (
            <Button
              variant="contained"
              color="primary"
              startIcon={<AddIcon />}
              onClick={() => setCreating(true)}
            >
              Take snapshot
            </Button>
          )}
        </Box>
      </Grid>
      {runningRollback && (
        <Grid item xs={12}>
          <RunningRollback
            rollback={runningRollback}
            snapshotName={
              names.get(runningRollback.snapshotId) ??
              runningRollback.snapshotId
            }
          />
        </Grid>
      )}
      {!destination && (
        <Grid item xs={12}>
          <NoDestination migrationId={migrationId} />
        </Grid>
      )}
      {destination && snapshotList.length === 0 && (
        <Grid item xs={12}>
          <NoSnapshots destination={destination} canCreate={canCreate} />
        </Grid>
      )}
      {snapshotList.map(s => (
        <Grid item xs={12} md={6} xl={4} key={s.id}>
          <SnapshotCard
            migrationId={migrationId}
            snapshot={s}
            canDelete={canDelete}
            canRollback={canRollback && !!destination}
            rollbackRunning={!!runningRollback}
            onRollback={setRollingBack}
            onChanged={refresh}
          />
        </Grid>
      ))}
      <Grid item xs={12}>
        <RollbackHistory rollbacks={rollbackList} snapshots={snapshotList} />
      </Grid>
      {creating && destination && (
        <CreateSnapshotDialog
          migrationId={migrationId}
          datasets={migration.value.datasets.map(d => d.name)}
          destination={destination}
          onClose={created => {
            setCreating(false);
            if (created) refreshSnapshots();
          }}
        />
      )}
      {rollingBack && (
        <RollbackDialog
          migrationId={migrationId}
          snapshot={rollingBack}
          destination={destination}
          onClose={started => {
            setRollingBack(undefined);
            if (started) refresh();
          }}
        />
      )}
    </Grid>
  );
}

/** The Rollback tab of an entity page. */
export function RollbackTab() {
  return (
    <EntityMigrations>
      {id => <RollbackView key={id} migrationId={id} />}
    </EntityMigrations>
  );
}
