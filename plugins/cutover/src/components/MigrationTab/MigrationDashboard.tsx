import { EmptyState, Progress } from '@backstage/core-components';
import Box from '@material-ui/core/Box';
import Grid from '@material-ui/core/Grid';
import Alert from '@material-ui/lab/Alert';
import AlertTitle from '@material-ui/lab/AlertTitle';
import type { Dashboard } from '@switchyard/plugin-cutover-common';
import { useState } from 'react';
import { useLiveCutoverData } from '../../hooks/useCutoverData';
import { DatasetDrawer } from './DatasetDrawer';
import { LoadFailure } from '../common/LoadFailure';
import { DatasetTable } from './DatasetTable';
import { MigrationHeader } from './MigrationHeader';
import { ProgressCard } from './ProgressCard';
import { QualityCard } from './QualityCard';
import { TrendsChart } from './TrendsChart';
import { AlertsPanel } from './AlertsPanel';
import { ScrollToHash } from '../common/useScrollToHash';

/** The live dashboard of one migration. */
export function MigrationDashboard(props: { migrationId: string }) {
  const { migrationId } = props;
  const { value, error, loading, live, loadedAt, retry } = useLiveCutoverData<Dashboard>(
    migrationId,
    (api, id) => api.getDashboard(id),
    ['progress', 'quality', 'readsource', 'migration', 'timeline'],
  );
  const [open, setOpen] = useState<string | undefined>();

  if (error && !value) {
    return (
      <LoadFailure
        error={error}
        what="the migration"
        retry={retry}
        missing={{
          migrationId,
          howToCreate: `This entity's switchyard.dev/migration annotation names "${migrationId}", but the cutover backend has no such migration. Create it by applying its plan: cutover apply -f plan.yaml (or PUT /api/cutover/migrations/${migrationId}).`,
        }}
      />
    );
  }
  if (!value) {
    return <Progress />;
  }

  return (
    <Box>
      <MigrationHeader dashboard={value} live={live} loadedAt={loadedAt} onChanged={retry} />
      {error && (
        <Box mb={2}>
          <Alert severity="warning">
            Showing figures from {loadedAt?.toLocaleTimeString()}: the latest refresh failed ({error.message}).
          </Alert>
        </Box>
      )}
      {value.datasets.length === 0 ? (
        <EmptyState
          missing="content"
          title="No datasets in this migration's plan"
          description="Add datasets (tables or record types) to the plan and apply it again; jobs then report progress per dataset."
        />
      ) : (
        <Grid container spacing={3}>
          {value.blockers.length > 0 && (
            <Grid item xs={12}>
              <Alert severity={value.status === 'COMPLETED' ? 'warning' : 'info'}>
                <AlertTitle>
                  {value.blockers.length} blocker{value.blockers.length === 1 ? '' : 's'} before cutover
                </AlertTitle>
                <ul style={{ margin: 0, paddingLeft: 20 }}>
                  {value.blockers.map(b => (
                    <li key={b}>{b}</li>
                  ))}
                </ul>
              </Alert>
            </Grid>
          )}
          {value.writingWhilePaused && value.writingWhilePaused.length > 0 && (
            <Grid item xs={12}>
              <Alert severity="warning" data-testid="writing-while-paused">
                <AlertTitle>Paused, but the job is still writing</AlertTitle>
                {value.controlState === 'PAUSE'
                  ? 'The migration is paused'
                  : `Phase ${(value.pausedPhases ?? []).join(', ')} is paused`}
                , yet samples keep arriving for{' '}
                <strong>{value.writingWhilePaused.join(', ')}</strong>. They are taken and marked
                as sent while paused: check that the job polls{' '}
                <code>cutover wait-until-running</code> (or <code>GET /control</code>) between batches.
              </Alert>
            </Grid>
          )}
          {value.pausedPhases && value.pausedPhases.length > 0 && !value.writingWhilePaused && (
            <Grid item xs={12}>
              <Alert severity="info" data-testid="paused-phases">
                Phase {value.pausedPhases.join(', ')} is paused: jobs of{' '}
                {value.datasets
                  .filter(d => d.pausedByPhase)
                  .map(d => d.name)
                  .join(', ') || 'its datasets'}{' '}
                are told to pause. Resume it from the Timeline tab.
              </Alert>
            </Grid>
          )}
          {value.importedRecords + value.failedRecords === 0 && (
            <Grid item xs={12}>
              <Alert severity="info">
                No progress reported yet. Jobs report it with{' '}
                <code>cutover report --migration {migrationId} --dataset NAME --imported N</code>{' '}
                or <code>POST /api/cutover/migrations/{migrationId}/metrics</code>.
              </Alert>
            </Grid>
          )}
          <Grid item xs={12} md={6}>
            <ProgressCard dashboard={value} />
          </Grid>
          <Grid item xs={12} md={6} id="quality">
            <QualityCard dashboard={value} />
          </Grid>
          <Grid item xs={12}>
            <DatasetTable datasets={value.datasets} onOpen={setOpen} />
          </Grid>
          <Grid item xs={12} id="alerts">
            <AlertsPanel
              migrationId={migrationId}
              datasets={value.datasets.map(d => d.name)}
            />
            <ScrollToHash />
          </Grid>
          <Grid item xs={12}>
            <TrendsChart
              migrationId={migrationId}
              elapsedMs={value.elapsedMs}
              currency={value.resources?.currency}
            />
          </Grid>
        </Grid>
      )}
      <DatasetDrawer
        migrationId={migrationId}
        dataset={value.datasets.find(d => d.name === open)}
        elapsedMs={value.elapsedMs}
        onClose={() => setOpen(undefined)}
      />
      {loading && <Box display="none" data-testid="refreshing" />}
    </Box>
  );
}
