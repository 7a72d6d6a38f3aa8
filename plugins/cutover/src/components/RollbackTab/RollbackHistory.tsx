import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import LinearProgress from '@material-ui/core/LinearProgress';
import Typography from '@material-ui/core/Typography';
import ExpandLessIcon from '@material-ui/icons/ExpandLess';
import ExpandMoreIcon from '@material-ui/icons/ExpandMore';
import { Rollback, Snapshot } from '@switchyard/plugin-cutover-common';
import { useState } from 'react';
import { DataTable, TableColumn } from '../common/DataTable';
import {
  formatCount,
  formatDateTime,
  formatElapsed,
  formatRelative,
  formatUserRef,
} from '../common/format';
import { StatusChip } from '../common/StatusChip';
import { isUnderWay } from '../common/jobStatus';

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

/** Every rollback of the migration, newest first: sortable, searchable and paged. */
export function RollbackHistory(props: {
  rollbacks: Rollback[];
  snapshots: Snapshot[];
}) {
  const [open, setOpen] = useState<ReadonlySet<string>>(new Set());
  const names = new Map(props.snapshots.map(s => [s.id, s.name]));
  const snapshotName = (id: string | null) =>
    id ? names.get(id) ?? `${id} (deleted)` : '–';
  const toggle = (id: string) =>
    setOpen(o => {
      const next = new Set(o);
      if (!next.delete(id)) next.add(id);
      return next;
    });
  const text = (term: string, value: string) =>
    value.toLocaleLowerCase().includes(term.toLocaleLowerCase());
  const columns: TableColumn<Rollback>[] = [
    {
      title: 'When',
      field: 'createdAt',
      defaultSort: 'desc',
      searchable: false,
      render: r => (
        <>
          <Typography variant="body2" noWrap>
            {formatDateTime(r.createdAt)}
          </Typography>
          <Typography variant="caption" color="textSecondary">
            {formatRelative(r.createdAt)}
          </Typography>
        </>
      ),
    },
    {
      title: 'By',
      field: 'createdBy',
      render: r => <span style={{ whiteSpace: 'nowrap' }}>{formatUserRef(r.createdBy)}</span>,
    },
    {
      title: 'Snapshot',
      field: 'snapshotId',
      render: r => snapshotName(r.snapshotId),
      customSort: (a, b) => snapshotName(a.snapshotId).localeCompare(snapshotName(b.snapshotId)),
      customFilterAndSearch: (term: string, r) => text(term, snapshotName(r.snapshotId)),
    },
    {
      title: 'Datasets',
      field: 'datasets',
      sorting: false,
      render: r => r.datasets.join(', '),
      customFilterAndSearch: (term: string, r) => text(term, r.datasets.join(' ')),
    },
    {
      title: 'Status',
      field: 'status',
      render: r => (
        <>
          <StatusChip status={r.status} />
          {isUnderWay(r) && (
            <Box mt={0.5} minWidth={80}>
              <LinearProgress
                variant="determinate"
                value={Math.min(100, Math.max(0, r.progress))}
                aria-label="Rollback progress"
              />
              <Typography variant="caption">{Math.round(r.progress)}%</Typography>
            </Box>
          )}
        </>
      ),
    },
    {
      title: 'Restored',
      field: 'recordsRestored',
      type: 'numeric',
      searchable: false,
      render: r => formatCount(r.recordsRestored),
    },
    {
      title: 'Deleted',
      field: 'recordsDeleted',
      type: 'numeric',
      searchable: false,
      render: r => formatCount(r.recordsDeleted),
    },
    {
      title: 'Duration',
      field: 'durationMs',
      searchable: false,
      render: r => <span style={{ whiteSpace: 'nowrap' }}>{formatElapsed(r.durationMs)}</span>,
    },
    {
      title: 'Verified',
      field: 'verified',
      searchable: false,
      render: r => <Verified rollback={r} />,
    },
    {
      title: 'Backup',
      field: 'backupSnapshotId',
      sorting: false,
      render: r => (r.backupSnapshotId ? snapshotName(r.backupSnapshotId) : 'none'),
      customFilterAndSearch: (term: string, r) =>
        !!r.backupSnapshotId && text(term, snapshotName(r.backupSnapshotId)),
    },
    {
      title: 'Errors',
      field: 'errors',
      sorting: false,
      searchable: false,
      render: r =>
        r.errors.length > 0 ? (
          <Button
            size="small"
            color="secondary"
            onClick={() => toggle(r.id)}
            endIcon={open.has(r.id) ? <ExpandLessIcon /> : <ExpandMoreIcon />}
            aria-expanded={open.has(r.id)}
          >
            {r.errors.length} error{r.errors.length === 1 ? '' : 's'}
          </Button>
        ) : (
          '–'
        ),
    },
  ];
  return (
    <DataTable<Rollback>
      title={`Rollback history (${props.rollbacks.length})`}
      columns={columns}
      data={props.rollbacks}
      rowTestId={r => `rollback-${r.id}`}
      renderDetail={r => (open.has(r.id) ? <RollbackDetails rollback={r} /> : null)}
      emptyContent={
        <Box p={2}>
          <Typography variant="body2" color="textSecondary">
            No rollbacks yet.
          </Typography>
        </Box>
      }
    />
  );
}
