import {
  Content,
  EmptyState,
  MissingAnnotationEmptyState,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { useEntity } from '@backstage/plugin-catalog-react';
import { usePermission } from '@backstage/plugin-permission-react';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Grid from '@material-ui/core/Grid';
import Typography from '@material-ui/core/Typography';
import {
  CUTOVER_MIGRATION_ANNOTATION,
  cutoverFreezeManagePermission,
  cutoverReadSourceSwitchPermission,
  cutoverReconcileRunPermission,
  DatasetSwitchEvent,
  FreezeWindow,
  Migration,
  ReconciliationRun,
} from '@switchyard/plugin-cutover-common';
import { ReactNode, useEffect, useState } from 'react';
import { getEntityMigrationIds } from '../../conditions';
import { LiveData, useLiveCutoverData } from '../../hooks/useCutoverData';
import { MigrationSelector } from '../MigrationTab/MigrationTab';
import { isUnderWay } from '../common/jobStatus';
import { CutoverBoard } from './CutoverBoard';
import { activeFreezes, lastSwitches, SwitchChange } from './datasetSwitches';
import { FreezeWindowsCard } from './FreezeWindowsCard';
import { latestDrift } from './reconciliationRuns';
import { ReconciliationCard } from './ReconciliationCard';
import { SwitchDialog } from './SwitchDialog';
import { SwitchHistory } from './SwitchHistory';

/** How often to refetch runs while one is under way and signals are not available. */
const ACTIVE_RUN_POLL_MS = 3_000;

const isNotFound = (e: Error) =>
  (e as any).response?.status === 404 || e.name === 'NotFoundError';

function LoadError(props: { error: Error; what: string; retry: () => void }) {
  return (
    <Box>
      <ResponseErrorPanel
        error={props.error}
        title={`Could not load ${props.what}`}
      />
      <Button variant="outlined" style={{ marginTop: 8 }} onClick={props.retry}>
        Try again
      </Button>
    </Box>
  );
}

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
      <LoadError error={data.error} what={props.what} retry={data.retry} />
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
  const history = useLiveCutoverData<{ items: DatasetSwitchEvent[] }>(
    migrationId,
    (api, id) => api.listSwitchHistory(id),
    ['readsource', 'reconciliation'],
  );
  const windows = useLiveCutoverData<{ items: FreezeWindow[] }>(
    migrationId,
    (api, id) => api.listFreezeWindows(id),
    ['timeline', 'readsource'],
  );
  const runs = useLiveCutoverData<{ items: ReconciliationRun[] }>(
    migrationId,
    (api, id) => api.listReconciliations(id),
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
    if (isNotFound(migration.error)) {
      return (
        <EmptyState
          missing="data"
          title={`Migration "${migrationId}" does not exist yet`}
          description="Apply its plan (cutover apply -f plan.yaml) to create it with its datasets."
        />
      );
    }
    return (
      <LoadError
        error={migration.error}
        what="the migration"
        retry={migration.retry}
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
          <Typography
            variant="caption"
            color="textSecondary"
            data-testid="live-indicator"
          >
            {migration.live ? '● live' : '○ refreshing every 10 s'}
          </Typography>
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
          {value => <SwitchHistory events={value.items} />}
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
  const { entity } = useEntity();
  const ids = getEntityMigrationIds(entity);
  if (!ids.length) {
    return (
      <MissingAnnotationEmptyState annotation={CUTOVER_MIGRATION_ANNOTATION} />
    );
  }
  return (
    <Content noPadding>
      <MigrationSelector ids={ids}>
        {id => <CutoverView key={id} migrationId={id} />}
      </MigrationSelector>
    </Content>
  );
}
