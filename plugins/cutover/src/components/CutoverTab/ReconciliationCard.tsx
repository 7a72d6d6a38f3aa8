import { InfoCard } from '@backstage/core-components';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import IconButton from '@material-ui/core/IconButton';
import LinearProgress from '@material-ui/core/LinearProgress';
import Tooltip from '@material-ui/core/Tooltip';
import Typography from '@material-ui/core/Typography';
import ExpandLessIcon from '@material-ui/icons/ExpandLess';
import ExpandMoreIcon from '@material-ui/icons/ExpandMore';
import PlayArrowIcon from '@material-ui/icons/PlayArrow';
import { ReconciliationRun } from '@switchyard/plugin-cutover-common';
import { useState } from 'react';
import { DataTable, TableColumn } from '../common/DataTable';
import {
  formatDateTime,
  formatElapsed,
  formatRelative,
  formatUserRef,
} from '../common/format';
import { StatusChip } from '../common/StatusChip';
import { isUnderWay } from '../common/jobStatus';
import { DriftChart } from './DriftChart';
import { newestFirst, runDurationMs, runTime, worstLevel } from './reconciliationRuns';
import { ReconciliationDetails } from './ReconciliationDetails';
import { RunReconciliationDialog } from './RunReconciliationDialog';

function RunStatus(props: { run: ReconciliationRun }) {
  const { run } = props;
  return (
    <Box minWidth={90}>
      <StatusChip status={run.status} />
      {isUnderWay(run) && (
        <Box mt={0.5}>
          <LinearProgress
            variant="determinate"
            value={Math.min(100, Math.max(0, run.progress))}
            aria-label="Reconciliation progress"
          />
        </Box>
      )}
    </Box>
  );
}

/** Reconciliation runs as a sortable, searchable, paged table; a run's figures open below it. */
function RunsTable(props: { migrationId: string; runs: ReconciliationRun[] }) {
  const [open, setOpen] = useState<ReadonlySet<string>>(new Set());
  const toggle = (id: string) =>
    setOpen(o => {
      const next = new Set(o);
      if (!next.delete(id)) next.add(id);
      return next;
    });
  const columns: TableColumn<ReconciliationRun>[] = [
    {
      title: '',
      field: 'id',
      sorting: false,
      searchable: false,
      width: '56px',
      render: run => (
        <IconButton
          size="small"
          aria-label={open.has(run.id) ? 'Hide figures' : 'Show figures'}
          aria-expanded={open.has(run.id)}
          onClick={() => toggle(run.id)}
        >
          {open.has(run.id) ? <ExpandLessIcon /> : <ExpandMoreIcon />}
        </IconButton>
      ),
    },
    {
      title: 'Started',
      field: 'startedAt',
      defaultSort: 'desc',
      searchable: false,
      customSort: (a, b) => runTime(a).localeCompare(runTime(b)),
      render: run => (
        <Tooltip title={formatDateTime(runTime(run))}>
          <Typography variant="body2" noWrap>
            {formatRelative(runTime(run))}
          </Typography>
        </Tooltip>
      ),
    },
    { title: 'Status', field: 'status', render: run => <RunStatus run={run} /> },
    {
      title: 'Trigger',
      field: 'trigger',
      render: run =>
        run.trigger === 'SCHEDULED' ? 'scheduled' : `by ${formatUserRef(run.createdBy)}`,
      customFilterAndSearch: (term: string, run) =>
        `${run.trigger} ${run.createdBy ?? ''}`.toLocaleLowerCase().includes(term.toLocaleLowerCase()),
    },
    {
      title: 'Datasets',
      field: 'datasets',
      sorting: false,
      render: run => run.datasets.map(d => d.name).join(', '),
      customFilterAndSearch: (term: string, run) =>
        run.datasets.some(d => d.name.toLocaleLowerCase().includes(term.toLocaleLowerCase())),
    },
    {
      title: 'Duration',
      field: 'finishedAt',
      searchable: false,
      customSort: (a, b) => (runDurationMs(a) ?? 0) - (runDurationMs(b) ?? 0),
      render: run => formatElapsed(runDurationMs(run)),
    },
    {
      title: 'Worst level',
      field: 'status',
      sorting: false,
      render: run => {
        const worst = worstLevel(run);
        return worst ? <StatusChip status={worst} /> : '–';
      },
      customFilterAndSearch: (term: string, run) =>
        (worstLevel(run) ?? '').toLocaleLowerCase().includes(term.toLocaleLowerCase()),
    },
  ];
  return (
    <DataTable<ReconciliationRun>
      title={`Runs (${props.runs.length})`}
      columns={columns}
      data={props.runs}
      rowTestId={run => `reconciliation-${run.id}`}
      renderDetail={run =>
        open.has(run.id) ? (
          <ReconciliationDetails migrationId={props.migrationId} run={run} />
        ) : null
      }
      style={{ boxShadow: 'none' }}
    />
  );
}

/** Reconciliation runs of the migration, starting one, and the drift of datasets over runs. */
export function ReconciliationCard(props: {
  migrationId: string;
  runs: ReconciliationRun[];
  datasets: string[];
  canRun: boolean;
  onStarted: () => void;
}) {
  const { migrationId } = props;
  const [starting, setStarting] = useState(false);
  const runs = newestFirst(props.runs);
  const running = runs.some(isUnderWay);
  return (
    <InfoCard
      title="Reconciliation"
      subheader="Source and destination compared by key; drift is the share of rows that differ."
      action={
        props.canRun ? (
          <Tooltip title={running ? 'A reconciliation is running' : ''}>
            <span>
              <Button
                color="primary"
                variant="contained"
                startIcon={<PlayArrowIcon />}
                disabled={running}
                onClick={() => setStarting(true)}
              >
                Run reconciliation
              </Button>
            </span>
          </Tooltip>
        ) : undefined
      }
    >
      {runs.length === 0 ? (
        <Typography variant="body2" color="textSecondary">
          No reconciliation has run yet.
        </Typography>
      ) : (
        <>
          <RunsTable migrationId={migrationId} runs={runs} />
          <Box mt={3}>
            <DriftChart runs={runs} datasets={props.datasets} />
          </Box>
        </>
      )}
      {starting && (
        <RunReconciliationDialog
          migrationId={migrationId}
          datasets={props.datasets}
          onClose={started => {
            setStarting(false);
            if (started) props.onStarted();
          }}
        />
      )}
    </InfoCard>
  );
}
