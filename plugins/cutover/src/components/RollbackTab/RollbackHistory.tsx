import { InfoCard } from '@backstage/core-components';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import LinearProgress from '@material-ui/core/LinearProgress';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import Typography from '@material-ui/core/Typography';
import ExpandLessIcon from '@material-ui/icons/ExpandLess';
import ExpandMoreIcon from '@material-ui/icons/ExpandMore';
import { Rollback, Snapshot } from '@switchyard/plugin-cutover-common';
import { Fragment, useState } from 'react';
import {
  formatCount,
  formatDateTime,
  formatElapsed,
  formatRelative,
  formatUserRef,
} from '../common/format';
import { StatusChip } from '../common/StatusChip';
import { isUnderWay } from '../common/jobStatus';

const COLUMNS = 11;

function Verified(props: { rollback: Rollback }) {
  const { verified, verifyAfter } = props.rollback;
  if (verified === true) return <Typography variant="body2">yes</Typography>;
  if (verified === false) {
    return (
      <Typography variant="body2" color="error">
        no
      </Typography>
    );
  }
  const text =
    verifyAfter && isUnderWay(props.rollback) ? 'after restore' : 'not checked';
  return (
    <Typography variant="body2" color="textSecondary">
      {text}
    </Typography>
  );
}

/** Per-dataset outcome and the errors of one rollback, shown below its row. */
function RollbackDetails(props: { rollback: Rollback }) {
  const r = props.rollback;
  return (
    <Box py={1}>
      {r.errors.length > 0 && (
        <Box
          component="ul"
          m={0}
          pl={2}
          data-testid={`rollback-errors-${r.id}`}
        >
          {r.errors.map((e, i) => (
            <li key={i}>
              <Typography variant="body2" color="error">
                {e.dataset ? `${e.dataset}: ` : ''}
                {e.message}
              </Typography>
            </li>
          ))}
        </Box>
      )}
      {r.results.length > 0 && (
        <Typography variant="caption" color="textSecondary" component="div">
          {r.results
            .map(
              d =>
                `${d.dataset}: ${d.status.toLowerCase()}, ${formatCount(
                  d.recordsRestored,
                )} restored, ${formatCount(d.recordsDeleted)} deleted`,
            )
            .join(' · ')}
        </Typography>
      )}
    </Box>
  );
}

function RollbackRow(props: {
  rollback: Rollback;
  snapshotName: (id: string | null) => string;
}) {
  const r = props.rollback;
  const [open, setOpen] = useState(false);
  return (
    <Fragment>
      <TableRow data-testid={`rollback-${r.id}`}>
        <TableCell>
          <Typography variant="body2" noWrap>
            {formatDateTime(r.createdAt)}
          </Typography>
          <Typography variant="caption" color="textSecondary">
            {formatRelative(r.createdAt)}
          </Typography>
        </TableCell>
        <TableCell style={{ whiteSpace: 'nowrap' }}>{formatUserRef(r.createdBy)}</TableCell>
        <TableCell>{props.snapshotName(r.snapshotId)}</TableCell>
        <TableCell>{r.datasets.join(', ')}</TableCell>
        <TableCell>
          <StatusChip status={r.status} />
          {isUnderWay(r) && (
            <Box mt={0.5} minWidth={80}>
              <LinearProgress
                variant="determinate"
                value={Math.min(100, Math.max(0, r.progress))}
                aria-label="Rollback progress"
              />
              <Typography variant="caption">
                {Math.round(r.progress)}%
              </Typography>
            </Box>
          )}
        </TableCell>
        <TableCell align="right">{formatCount(r.recordsRestored)}</TableCell>
        <TableCell align="right">{formatCount(r.recordsDeleted)}</TableCell>
        <TableCell style={{ whiteSpace: 'nowrap' }}>{formatElapsed(r.durationMs)}</TableCell>
        <TableCell>
          <Verified rollback={r} />
        </TableCell>
        <TableCell>
          {r.backupSnapshotId ? props.snapshotName(r.backupSnapshotId) : 'none'}
        </TableCell>
        <TableCell>
          {r.errors.length > 0 ? (
            <Button
              size="small"
              color="secondary"
              onClick={() => setOpen(!open)}
              endIcon={open ? <ExpandLessIcon /> : <ExpandMoreIcon />}
              aria-expanded={open}
            >
              {r.errors.length} error{r.errors.length === 1 ? '' : 's'}
            </Button>
          ) : (
            '–'
          )}
        </TableCell>
      </TableRow>
      {open && (
        <TableRow>
          <TableCell colSpan={COLUMNS}>
            <RollbackDetails rollback={r} />
          </TableCell>
        </TableRow>
      )}
    </Fragment>
  );
}

/** Every rollback of the migration, newest first. */
export function RollbackHistory(props: {
  rollbacks: Rollback[];
  snapshots: Snapshot[];
}) {
  const names = new Map(props.snapshots.map(s => [s.id, s.name]));
  const snapshotName = (id: string | null) =>
    id ? names.get(id) ?? `${id} (deleted)` : '–';
  const rows = [...props.rollbacks].sort((a, b) =>
    b.createdAt.localeCompare(a.createdAt),
  );
  return (
    <InfoCard title={`Rollback history (${rows.length})`} noPadding>
      {rows.length === 0 ? (
        <Box p={2}>
          <Typography variant="body2" color="textSecondary">
            No rollbacks yet.
          </Typography>
        </Box>
      ) : (
        <Box style={{ overflowX: 'auto' }}>
          <Table size="small" aria-label="Rollback history">
            <TableHead>
              <TableRow style={{ whiteSpace: 'nowrap' }}>
                <TableCell>When</TableCell>
                <TableCell>By</TableCell>
                <TableCell>Snapshot</TableCell>
                <TableCell>Datasets</TableCell>
                <TableCell>Status</TableCell>
                <TableCell align="right">Restored</TableCell>
                <TableCell align="right">Deleted</TableCell>
                <TableCell>Duration</TableCell>
                <TableCell>Verified</TableCell>
                <TableCell>Backup</TableCell>
                <TableCell>Errors</TableCell>
              </TableRow>
            </TableHead>
            <TableBody>
              {rows.map(r => (
                <RollbackRow
                  key={r.id}
                  rollback={r}
                  snapshotName={snapshotName}
                />
              ))}
            </TableBody>
          </Table>
        </Box>
      )}
    </InfoCard>
  );
}
