import { InfoCard } from '@backstage/core-components';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import IconButton from '@material-ui/core/IconButton';
import LinearProgress from '@material-ui/core/LinearProgress';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import Tooltip from '@material-ui/core/Tooltip';
import Typography from '@material-ui/core/Typography';
import ExpandLessIcon from '@material-ui/icons/ExpandLess';
import ExpandMoreIcon from '@material-ui/icons/ExpandMore';
import PlayArrowIcon from '@material-ui/icons/PlayArrow';
import { ReconciliationRun } from '@switchyard/plugin-cutover-common';
import { Fragment, useState } from 'react';
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

const COLUMNS = 7;
/** Runs listed before "Show all" (scheduled runs add up quickly). */
const FIRST_RUNS = 10;

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

function RunRow(props: { migrationId: string; run: ReconciliationRun }) {
  const { run } = props;
  const [open, setOpen] = useState(false);
  const worst = worstLevel(run);
  return (
    <Fragment>
      <TableRow data-testid={`reconciliation-${run.id}`}>
        <TableCell padding="checkbox">
          <IconButton
            size="small"
            aria-label={open ? 'Hide figures' : 'Show figures'}
            aria-expanded={open}
            onClick={() => setOpen(!open)}
          >
            {open ? <ExpandLessIcon /> : <ExpandMoreIcon />}
          </IconButton>
        </TableCell>
        <TableCell>
          <Tooltip title={formatDateTime(runTime(run))}>
            <Typography variant="body2" noWrap>
              {formatRelative(runTime(run))}
            </Typography>
          </Tooltip>
        </TableCell>
        <TableCell>
          <RunStatus run={run} />
        </TableCell>
        <TableCell>
          {run.trigger === 'SCHEDULED'
            ? 'scheduled'
            : `by ${formatUserRef(run.createdBy)}`}
        </TableCell>
        <TableCell>{run.datasets.map(d => d.name).join(', ')}</TableCell>
        <TableCell>{formatElapsed(runDurationMs(run))}</TableCell>
        <TableCell>{worst ? <StatusChip status={worst} /> : '–'}</TableCell>
      </TableRow>
      {open && (
        <TableRow>
          <TableCell colSpan={COLUMNS}>
            <ReconciliationDetails migrationId={props.migrationId} run={run} />
          </TableCell>
        </TableRow>
      )}
    </Fragment>
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
  const [showAll, setShowAll] = useState(false);
  const runs = newestFirst(props.runs);
  const shown = showAll ? runs : runs.slice(0, FIRST_RUNS);
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
          <Box style={{ overflowX: 'auto' }}>
            {/* A fixed layout keeps an open run's wide figures from stretching the card: they scroll. */}
            <Table size="small" aria-label="Reconciliation runs" style={{ tableLayout: 'fixed', width: '100%' }}>
              <TableHead>
                <TableRow>
                  <TableCell padding="checkbox" style={{ width: 56 }} />
                  <TableCell style={{ width: '14%' }}>Started</TableCell>
                  <TableCell style={{ width: '14%' }}>Status</TableCell>
                  <TableCell style={{ width: '14%' }}>Trigger</TableCell>
                  <TableCell>Datasets</TableCell>
                  <TableCell style={{ width: '10%' }}>Duration</TableCell>
                  <TableCell style={{ width: '12%' }}>Worst level</TableCell>
                </TableRow>
              </TableHead>
              <TableBody>
                {shown.map(run => (
                  <RunRow key={run.id} migrationId={migrationId} run={run} />
                ))}
              </TableBody>
            </Table>
            {shown.length < runs.length && (
              <Button size="small" onClick={() => setShowAll(true)}>
                Show all {runs.length} runs
              </Button>
            )}
          </Box>
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
