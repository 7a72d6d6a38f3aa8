import { Progress } from '@backstage/core-components';
import { usePermission } from '@backstage/plugin-permission-react';
import Box from '@material-ui/core/Box';
import Grid from '@material-ui/core/Grid';
import Typography from '@material-ui/core/Typography';
import {
  cutoverFreezeManagePermission,
  cutoverReadSourceSwitchPermission,
  cutoverReconcileRunPermission,
  DatasetSwitchEvent,
  FreezeWindow,
  Migration,
  ReconciliationRun,
} from '@switchyard/plugin-cutover-common';
import { ReactNode, useEffect, useState } from 'react';
import { LiveData, useLiveCutoverData } from '../../hooks/useCutoverData';
import { EntityMigrations } from '../common/EntityMigrations';
import { isUnderWay } from '../common/jobStatus';
import { LiveIndicator } from '../common/LiveIndicator';
import { LoadFailure } from '../common/LoadFailure';
import { AllPages, loadAllPages } from '../common/paging';
import { CutoverBoard } from './CutoverBoard';
import { activeFreezes, lastSwitches, SwitchChange } from './datasetSwitches';
import { FreezeWindowsCard } from './FreezeWindowsCard';
import { latestDrift } from './reconciliationRuns';
import { ReconciliationCard } from './ReconciliationCard';
import { SwitchDialog } from './SwitchDialog';
import { SwitchHistory } from './SwitchHistory';

/** How often to refetch runs while one is under way and signals are not available. */
const ACTIVE_RUN_POLL_MS = 3_000;

/**
 * A card once its data is there, else an error with a retry, or a spinner: a card that fails
 * does not take the rest of the tab with it.
 */
function Loaded<T>(props: {
  data: LiveData<T>;
  what: string;
  children: (value: T) => ReactNode;
}) {
  const { data } = props;
  if (data.value !== undefined) return <>{props.children(data.value)}</>;
  if (data.error) {
    return (
      <LoadFailure error={data.error} what={props.what} retry={data.retry} />
    );
  }
  return <Progress />;
}

/** The cutover of one migration's datasets, live. */
export function CutoverView(props: { migrationId: string }) {
  const { migrationId } = props;
  const migration = useLiveCutoverData<Migration>(
    migrationId,
    (api, id) => api.getMigration(id),
    ['readsource', 'reconciliation'],
  );
  // Histories grow past a page: follow nextCursor, so the board's last switches and the drift
  // chart see all of them.
  const history = useLiveCutoverData<AllPages<DatasetSwitchEvent>>(
    migrationId,
    (api, id) => loadAllPages(cursor => api.listSwitchHistory(id, { cursor })),
    ['readsource', 'reconciliation'],
  );
  const windows = useLiveCutoverData<AllPages<FreezeWindow>>(
    migrationId,
    (api, id) => loadAllPages(cursor => api.listFreezeWindows(id, { cursor })),
    ['timeline', 'readsource'],
  );
  const runs = useLiveCutoverData<AllPages<ReconciliationRun>>(
    migrationId,
    (api, id) => loadAllPages(cursor => api.listReconciliations(id, { cursor })),
    ['reconciliation'],
  );
  const canSwitch = usePermission({
    permission: cutoverReadSourceSwitchPermission,
    resourceRef: migrationId,
  }).allowed;
  const canFreeze = usePermission({
    permission: cutoverFreezeManagePermission,
    resourceRef: migrationId,
  }).allowed;
  const canReconcile = usePermission({
    permission: cutoverReconcileRunPermission,
    resourceRef: migrationId,
  }).allowed;
  const [change, setChange] = useState<SwitchChange>();

  const runList = runs.value?.items ?? [];
  const windowList = windows.value?.items ?? [];
  const running = runList.some(isUnderWay);
  const refreshMigration = migration.retry;
  const refreshHistory = history.retry;
  const refreshRuns = runs.retry;

  // Signals announce every step of a run; without them, poll briskly while one runs.
  useEffect(() => {
    if (!running || runs.live) return undefined;
    const timer = setInterval(() => {
      refreshRuns();
      refreshMigration();
      refreshHistory();
    }, ACTIVE_RUN_POLL_MS);
    return () => clearInterval(timer);
  }, [running, runs.live, refreshRuns, refreshMigration, refreshHistory]);

  if (migration.error && !migration.value) {
    return (
      <LoadFailure
        error={migration.error}
        what="the migration"
        retry={migration.retry}
        missing={{
          migrationId,
          howToCreate:
            'Apply its plan (cutover apply -f plan.yaml) to create it with its datasets.',
        }}
      />
    );
  }
  if (!migration.value) return <Progress />;

  const datasets = migration.value.datasets;
  const names = datasets.map(d => d.name);
  const freezes = activeFreezes(windowList);
  return (
    <Grid container spacing={3}>
      <Grid item xs={12}>
        <Box display="flex" alignItems="center" style={{ gap: 12 }}>
          <Typography variant="h5" component="h2">
            Cutover
          </Typography>
          <LiveIndicator live={migration.live} />
        </Box>
      </Grid>
      <Grid item xs={12}>
        <CutoverBoard
          datasets={datasets}
          lastSwitches={lastSwitches(history.value?.items ?? [])}
          drift={latestDrift(runList)}
          freezes={freezes}
          canSwitch={canSwitch}
          onChange={setChange}
        />
      </Grid>
      <Grid item xs={12}>
        <Loaded data={windows} what="freeze windows">
          {value => (
            <FreezeWindowsCard
              migrationId={migrationId}
              windows={value.items}
              datasets={names}
              canManage={canFreeze}
              onChanged={windows.retry}
            />
          )}
        </Loaded>
      </Grid>
      <Grid item xs={12}>
        <Loaded data={runs} what="reconciliation runs">
          {value => (
            <ReconciliationCard
              migrationId={migrationId}
              runs={value.items}
              datasets={names}
              canRun={canReconcile}
              onStarted={runs.retry}
            />
          )}
        </Loaded>
      </Grid>
      <Grid item xs={12}>
        <Loaded data={history} what="the switch history">
          {value => <SwitchHistory events={value.items} totalCount={value.totalCount} />}
        </Loaded>
      </Grid>
      {change && (
        <SwitchDialog
          migrationId={migrationId}
          change={change}
          freezes={freezes.get(change.dataset) ?? []}
          onClose={done => {
            setChange(undefined);
            if (done) {
              refreshMigration();
              refreshHistory();
            }
          }}
        />
      )}
    </Grid>
  );
}

/** The Cutover tab of an entity page. */
export function CutoverTab() {
  return (
    <EntityMigrations>
      {id => <CutoverView key={id} migrationId={id} />}
    </EntityMigrations>
  );
}
