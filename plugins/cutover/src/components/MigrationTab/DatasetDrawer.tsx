import { Progress, ResponseErrorPanel } from '@backstage/core-components';
import Box from '@material-ui/core/Box';
import Chip from '@material-ui/core/Chip';
import Divider from '@material-ui/core/Divider';
import Drawer from '@material-ui/core/Drawer';
import Grid from '@material-ui/core/Grid';
import IconButton from '@material-ui/core/IconButton';
import LinearProgress from '@material-ui/core/LinearProgress';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableRow from '@material-ui/core/TableRow';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import CloseIcon from '@material-ui/icons/Close';
import type {
  Alert,
  CutoverApi,
  DashboardDataset,
  DatasetSwitchEvent,
  Page,
  ReconciliationRun,
} from '@switchyard/plugin-cutover-common';
import { ReactNode } from 'react';
import { useLiveCutoverData } from '../../hooks/useCutoverData';
import {
  formatBytes,
  formatCost,
  formatCount,
  formatDateTime,
  formatRate,
  formatRelative,
  formatUserRef,
} from '../common/format';
import { DataTable, PAGE_SIZE, TableColumn } from '../common/DataTable';
import { StatusChip } from '../common/StatusChip';
import { TrendsChart } from './TrendsChart';

/** Pages followed at most, so that a backend answering a cursor forever cannot hang the drawer. */
const MAX_PAGES = 50;

/** Every item of a list route, following `nextCursor` to the last page. */
async function allPages<T>(
  load: (cursor?: string) => Promise<Page<T>>,
): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | undefined;
  for (let i = 0; i < MAX_PAGES; i++) {
    const page = await load(cursor);
    items.push(...page.items);
    if (!page.nextCursor) break;
    cursor = page.nextCursor;
  }
  return items;
}

/** One reconciliation run, as far as it compared the dataset. */
interface RunRow {
  id: string;
  createdAt: string;
  /** When it finished, or started while it runs. */
  at: string;
  result: string;
  driftRatio: number | null;
  missing: number;
  mismatched: number | null;
  trigger: string;
}

interface DatasetHistory {
  alerts: Alert[];
  runs: RunRow[];
  switches: DatasetSwitchEvent[];
}

function runRow(run: ReconciliationRun, result: ReconciliationRun['datasets'][number]): RunRow {
  return {
    id: run.id,
    createdAt: run.createdAt,
    at: run.finishedAt ?? run.createdAt,
    result: result.level ?? result.status,
    driftRatio: result.driftRatio,
    missing: (result.missingInDestination ?? 0) + (result.missingInSource ?? 0),
    mismatched: result.mismatched,
    trigger: run.trigger.toLowerCase(),
  };
}

const SEVERITY_RANK: Record<Alert['severity'], number> = { CRITICAL: 0, HIGH: 1, MEDIUM: 2, LOW: 3 };

const switchText = (s: DatasetSwitchEvent) =>
  `${s.kind === 'READ_SOURCE' ? 'Reads' : 'State'}: ${s.from} → ${s.to}`;
const switchActor = (s: DatasetSwitchEvent) => (s.automatic ? 'Switchyard' : formatUserRef(s.actor));

const ALERT_COLUMNS: TableColumn<Alert>[] = [
  {
    title: 'Severity',
    field: 'severity',
    customSort: (a, b) => SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity],
  },
  { title: 'Alert', field: 'title' },
  { title: 'Status', field: 'status' },
  {
    title: 'Raised',
    field: 'createdAt',
    searchable: false,
    render: a => <span title={formatDateTime(a.createdAt)}>{formatRelative(a.createdAt)}</span>,
  },
];

const RUN_COLUMNS: TableColumn<RunRow>[] = [
  {
    title: 'When',
    field: 'at',
    defaultSort: 'desc',
    searchable: false,
    render: r => <span title={formatDateTime(r.createdAt)}>{formatRelative(r.at)}</span>,
  },
  { title: 'Result', field: 'result', render: r => <StatusChip status={r.result} /> },
  {
    title: 'Drift',
    field: 'driftRatio',
    type: 'numeric',
    searchable: false,
    render: r => (r.driftRatio === null ? '–' : `${(r.driftRatio * 100).toFixed(2)}%`),
  },
  {
    title: 'Missing / mismatched',
    field: 'missing',
    type: 'numeric',
    searchable: false,
    render: r => `${formatCount(r.missing)} / ${formatCount(r.mismatched)}`,
  },
  { title: 'Trigger', field: 'trigger' },
];

const SWITCH_COLUMNS: TableColumn<DatasetSwitchEvent>[] = [
  {
    title: 'When',
    field: 'at',
    defaultSort: 'desc',
    searchable: false,
    render: s => <span title={formatDateTime(s.at)}>{formatRelative(s.at)}</span>,
  },
  {
    title: 'Change',
    field: 'to',
    sorting: false,
    customFilterAndSearch: (term: string, s) =>
      switchText(s).toLocaleLowerCase().includes(term.toLocaleLowerCase()),
    render: switchText,
  },
  {
    title: 'By',
    field: 'actor',
    customSort: (a, b) => switchActor(a).localeCompare(switchActor(b)),
    customFilterAndSearch: (term: string, s) =>
      switchActor(s).toLocaleLowerCase().includes(term.toLocaleLowerCase()),
    render: switchActor,
  },
  { title: 'Reason', field: 'reason' },
];

/** A list of the drawer: the portal's table, searchable once it is longer than a page. */
function DrawerTable<T extends object>(props: {
  columns: TableColumn<T>[];
  data: T[];
  rowTestId: (row: T) => string;
}) {
  return (
    <DataTable<T>
      columns={props.columns}
      data={props.data}
      rowTestId={props.rowTestId}
      options={{ toolbar: props.data.length > PAGE_SIZE }}
      style={{ boxShadow: 'none' }}
    />
  );
}

async function loadHistory(
  api: CutoverApi,
  migrationId: string,
  dataset: string,
): Promise<DatasetHistory> {
  const [alerts, runs, switches] = await Promise.all([
    allPages(cursor => api.listAlerts(migrationId, { limit: 200, cursor })),
    allPages(cursor => api.listReconciliations(migrationId, { limit: 100, cursor })),
    allPages(cursor =>
      api.listSwitchHistory(migrationId, { dataset, limit: 200, cursor }),
    ),
  ]);
  return {
    alerts: alerts.filter(a => a.dataset === dataset),
    runs: runs.flatMap(run => {
      const result = run.datasets.find(d => d.name === dataset);
      return result ? [runRow(run, result)] : [];
    }),
    switches: switches.filter(s => s.dataset === dataset),
  };
}

const useStyles = makeStyles(theme => ({
  paper: { width: 'min(760px, 100vw)' },
  section: { marginTop: theme.spacing(3) },
  figure: { fontWeight: 600 },
  bar: { height: 8, borderRadius: 4 },
}));

function Figure(props: { label: string; value: ReactNode; title?: string }) {
  const classes = useStyles();
  return (
    <Grid item xs={6} sm={3}>
      <Typography variant="caption" color="textSecondary">
        {props.label}
      </Typography>
      <Typography variant="body1" className={classes.figure} title={props.title}>
        {props.value}
      </Typography>
    </Grid>
  );
}

function Section(props: { title: string; count?: number; children: ReactNode; testId: string }) {
  const classes = useStyles();
  return (
    <Box className={classes.section} data-testid={props.testId}>
      <Typography variant="h6" component="h3" gutterBottom>
        {props.title}
        {props.count !== undefined ? ` (${props.count})` : ''}
      </Typography>
      {props.children}
    </Box>
  );
}

function ErrorsByType(props: { errors: Record<string, number> | undefined }) {
  const classes = useStyles();
  const entries = Object.entries(props.errors ?? {}).sort((a, b) => b[1] - a[1]);
  if (!entries.length) {
    return (
      <Typography variant="body2" color="textSecondary">
        The job has not reported errors by type (samples may carry <code>errorsByType</code>).
      </Typography>
    );
  }
  const most = Math.max(...entries.map(e => e[1]), 1);
  return (
    <Table size="small" aria-label="Errors by type">
      <TableBody>
        {entries.map(([type, count]) => (
          <TableRow key={type}>
            <TableCell style={{ width: '35%' }}>
              <code>{type}</code>
            </TableCell>
            <TableCell align="right" style={{ width: '15%' }}>
              {formatCount(count)}
            </TableCell>
            <TableCell>
              <LinearProgress
                className={classes.bar}
                variant="determinate"
                value={(count / most) * 100}
                color="secondary"
                aria-label={`${type} errors`}
              />
            </TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}

function History(props: { migrationId: string; dataset: string }) {
  const { value, error } = useLiveCutoverData<DatasetHistory>(
    props.migrationId,
    (api, id) => loadHistory(api, id, props.dataset),
    ['alert', 'reconciliation', 'readsource', 'rollback'],
    [props.dataset],
  );
  if (error) return <ResponseErrorPanel error={error} />;
  if (!value) return <Progress />;
  return (
    <>
      <Section title="Alerts" count={value.alerts.length} testId="drawer-alerts">
        {value.alerts.length === 0 ? (
          <Typography variant="body2" color="textSecondary">
            No alerts about this dataset.
          </Typography>
        ) : (
          <DrawerTable<Alert>
            columns={ALERT_COLUMNS}
            data={value.alerts}
            rowTestId={a => `drawer-alert-${a.id}`}
          />
        )}
      </Section>
      <Section
        title="Reconciliation history"
        count={value.runs.length}
        testId="drawer-reconciliations"
      >
        {value.runs.length === 0 ? (
          <Typography variant="body2" color="textSecondary">
            No reconciliation has compared this dataset yet.
          </Typography>
        ) : (
          <DrawerTable<RunRow>
            columns={RUN_COLUMNS}
            data={value.runs}
            rowTestId={r => `drawer-run-${r.id}`}
          />
        )}
      </Section>
      <Section title="Switch history" count={value.switches.length} testId="drawer-switches">
        {value.switches.length === 0 ? (
          <Typography variant="body2" color="textSecondary">
            Reads and cutover state of this dataset have not changed yet.
          </Typography>
        ) : (
          <DrawerTable<DatasetSwitchEvent>
            columns={SWITCH_COLUMNS}
            data={value.switches}
            rowTestId={e => `drawer-switch-${e.id}`}
          />
        )}
      </Section>
    </>
  );
}

/** A dataset's detail: figures, trends, errors by severity and type, alerts, reconciliations, switches. */
export function DatasetDrawer(props: {
  migrationId: string;
  dataset?: DashboardDataset;
  elapsedMs?: number | null;
  onClose: () => void;
}) {
  const classes = useStyles();
  const d = props.dataset;
  return (
    <Drawer
      anchor="right"
      open={Boolean(d)}
      onClose={props.onClose}
      classes={{ paper: classes.paper }}
    >
      {d && (
        <Box p={3} role="region" aria-label={`Dataset ${d.name}`} data-testid="dataset-drawer">
          <Box display="flex" alignItems="center" style={{ gap: 12 }}>
            <Typography variant="h5" component="h2">
              {d.name}
            </Typography>
            <StatusChip status={d.status} />
            {d.pausedByPhase && (
              <Chip size="small" label={`paused by phase ${d.pausedByPhase}`} />
            )}
            <Box flexGrow={1} />
            <IconButton aria-label="Close dataset details" onClick={props.onClose}>
              <CloseIcon />
            </IconButton>
          </Box>
          <Typography variant="body2" color="textSecondary">
            Tier {d.tier}
            {d.category ? ` · ${d.category}` : ''} · reads from {d.readSource} · cutover state{' '}
            {d.cutoverState} · last sample {formatRelative(d.lastSampleAt)}
          </Typography>
          {d.writingWhilePaused && (
            <Box mt={1}>
              <Typography variant="body2" color="error">
                Told to pause, but its job is still writing.
              </Typography>
            </Box>
          )}
          <Box mt={2}>
            <Grid container spacing={2}>
              <Figure
                label="Imported / total"
                value={`${formatCount(d.importedRecords)} / ${formatCount(d.totalRecords)}`}
              />
              <Figure label="Failed" value={formatCount(d.failedRecords)} />
              <Figure label="Skipped" value={formatCount(d.skippedRecords)} />
              <Figure label="Progress" value={`${d.overallProgress.toFixed(1)}%`} />
              <Figure label="Rate" value={formatRate(d.importRate)} />
              <Figure
                label="ETA"
                value={d.estimatedCompletion ? formatRelative(d.estimatedCompletion) : '–'}
                title={formatDateTime(d.estimatedCompletion)}
              />
              <Figure
                label="Quality"
                value={d.qualityScore === null ? '–' : d.qualityScore.toFixed(1)}
              />
              {d.resources && (
                <>
                  <Figure
                    label="Throughput"
                    value={
                      d.resources.bytesPerSecond === null
                        ? '–'
                        : `${formatBytes(d.resources.bytesPerSecond)}/s`
                    }
                  />
                  <Figure label="Moved" value={formatBytes(d.resources.bytesMoved)} />
                  <Figure
                    label="Cost to date"
                    value={formatCost(d.resources.cost, d.resources.currency)}
                  />
                  <Figure
                    label="Projected cost"
                    value={formatCost(d.resources.projectedCost, d.resources.currency)}
                  />
                  <Figure label="Memory peak" value={formatBytes(d.resources.memoryPeakBytes)} />
                </>
              )}
            </Grid>
          </Box>
          <Divider style={{ marginTop: 16 }} />
          <Section title="Errors" testId="drawer-errors">
            <Box display="flex" style={{ gap: 8 }} mb={1} flexWrap="wrap">
              {(['critical', 'high', 'medium', 'low'] as const).map(level => (
                <Chip
                  key={level}
                  size="small"
                  variant={d.errors[level] ? 'default' : 'outlined'}
                  label={`${level} ${formatCount(d.errors[level])}`}
                />
              ))}
            </Box>
            <ErrorsByType errors={d.errorsByType} />
          </Section>
          <Box className={classes.section}>
            <TrendsChart
              migrationId={props.migrationId}
              dataset={d.name}
              elapsedMs={props.elapsedMs}
              title={`Trends of ${d.name}`}
              currency={d.resources?.currency}
            />
          </Box>
          <History migrationId={props.migrationId} dataset={d.name} />
        </Box>
      )}
    </Drawer>
  );
}
