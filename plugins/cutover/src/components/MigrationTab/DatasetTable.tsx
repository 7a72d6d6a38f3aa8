import { Table, TableColumn } from '@backstage/core-components';
import Box from '@material-ui/core/Box';
import FormControl from '@material-ui/core/FormControl';
import InputLabel from '@material-ui/core/InputLabel';
import LinearProgress from '@material-ui/core/LinearProgress';
import MenuItem from '@material-ui/core/MenuItem';
import Select from '@material-ui/core/Select';
import Typography from '@material-ui/core/Typography';
import type { DashboardDataset } from '@switchyard/plugin-cutover-common';
import { useMemo, useState } from 'react';
import {
  formatBytes,
  formatCount,
  formatDateTime,
  formatRate,
  formatRelative,
} from '../common/format';
import { StatusChip } from '../common/StatusChip';

type Grouping = 'none' | 'tier' | 'category';

function etaOf(row: DashboardDataset): string {
  if (row.status === 'COMPLETED' || row.overallProgress >= 100) return 'done';
  return row.estimatedCompletion ? formatRelative(row.estimatedCompletion) : '–';
}

function ProgressCell(props: { row: DashboardDataset }) {
  const { row } = props;
  return (
    <Box minWidth={140}>
      <Typography variant="body2">{row.overallProgress.toFixed(1)}%</Typography>
      <LinearProgress
        variant="determinate"
        value={row.overallProgress}
        aria-label={`${row.name} progress`}
        color={row.status === 'FAILED' ? 'secondary' : 'primary'}
      />
      <Typography
        variant="caption"
        color="textSecondary"
        noWrap
        title={formatDateTime(row.estimatedCompletion)}
        data-testid={`eta-${row.name}`}
      >
        ETA {etaOf(row)}
      </Typography>
    </Box>
  );
}


/**
 * Per-dataset progress, counts, quality and state; sortable, groupable by tier or category. A
 * row opens the dataset's detail (`onOpen`).
 */
export function DatasetTable(props: {
  datasets: DashboardDataset[];
  onOpen?: (dataset: string) => void;
}) {
  const [grouping, setGrouping] = useState<Grouping>('none');
  const withBytes = props.datasets.some(d => d.resources?.bytesPerSecond !== undefined && d.resources?.bytesPerSecond !== null);
  const columns: TableColumn<DashboardDataset & { tierLabel: string; categoryLabel: string }>[] =
    useMemo(
      () => [
        {
          title: 'Tier',
          field: 'tierLabel',
          hidden: grouping !== 'tier',
          defaultGroupOrder: grouping === 'tier' ? 0 : undefined,
        },
        {
          title: 'Category',
          field: 'categoryLabel',
          hidden: grouping !== 'category',
          defaultGroupOrder: grouping === 'category' ? 0 : undefined,
        },
        {
          title: 'Dataset',
          field: 'name',
          highlight: true,
          render: row => (
            <Box>
              <Typography variant="body2" style={{ fontWeight: 600 }}>
                {row.name}
              </Typography>
              <Typography variant="caption" color="textSecondary">
                Tier {row.tier}
                {row.category ? ` · ${row.category}` : ''}
              </Typography>
            </Box>
          ),
        },
        {
          title: 'Progress / ETA',
          field: 'overallProgress',
          type: 'numeric',
          render: row => <ProgressCell row={row} />,
        },
        {
          title: 'Imported / total',
          field: 'importedRecords',
          type: 'numeric',
          render: row => (
            <Typography variant="body2" noWrap>
              {formatCount(row.importedRecords)} / {formatCount(row.totalRecords)}
            </Typography>
          ),
        },
        {
          title: 'Failed / skipped',
          field: 'failedRecords',
          type: 'numeric',
          render: row => (
            <Typography variant="body2" noWrap data-testid={`failed-skipped-${row.name}`}>
              {formatCount(row.failedRecords)} / {formatCount(row.skippedRecords)}
            </Typography>
          ),
        },
        {
          title: 'Rate',
          field: 'importRate',
          type: 'numeric',
          render: row => (
            <Box>
              <Typography variant="body2" noWrap>
                {formatRate(row.importRate)}
              </Typography>
              {withBytes && row.resources && row.resources.bytesPerSecond !== null && (
                <Typography variant="caption" color="textSecondary" noWrap>
                  {formatBytes(row.resources.bytesPerSecond)}/s
                </Typography>
              )}
            </Box>
          ),
        },

        {
          title: 'Quality',
          field: 'qualityScore',
          type: 'numeric',
          render: row => (row.qualityScore === null ? '–' : row.qualityScore.toFixed(1)),
        },
        {
          title: 'Status',
          field: 'status',
          render: row => (
            <Box display="flex" style={{ gap: 4 }} flexWrap="wrap">
              <StatusChip status={row.status} />
              {row.pausedByPhase && (
                <Typography variant="caption" color="textSecondary" noWrap>
                  paused ({row.pausedByPhase})
                </Typography>
              )}
            </Box>
          ),
        },
        {
          title: 'Reads',
          field: 'readSource',
        },
        {
          title: 'Last sample',
          field: 'lastSampleAt',
          render: row => (
            <Typography variant="body2" noWrap>
              {formatRelative(row.lastSampleAt)}
            </Typography>
          ),
        },
      ],
      [grouping, withBytes],
    );
  const data = useMemo(
    () =>
      props.datasets.map(d => ({
        ...d,
        tierLabel: `Tier ${d.tier}`,
        categoryLabel: d.category ?? 'uncategorised',
      })),
    [props.datasets],
  );
  return (
    <Table
      key={grouping}
      title={
        <Box display="flex" alignItems="center" style={{ gap: 24 }}>
          <Typography variant="h6">Datasets ({props.datasets.length})</Typography>
          <FormControl size="small">
            <InputLabel id="cutover-group-by">Group by</InputLabel>
            <Select
              labelId="cutover-group-by"
              SelectDisplayProps={{ id: 'cutover-group-by-value' } as any}
              value={grouping}
              onChange={e => setGrouping(e.target.value as Grouping)}
              style={{ minWidth: 120 }}
            >
              <MenuItem value="none">Nothing</MenuItem>
              <MenuItem value="tier">Tier</MenuItem>
              <MenuItem value="category">Category</MenuItem>
            </Select>
          </FormControl>
        </Box>
      }
      options={{
        paging: props.datasets.length > 20,
        pageSize: 20,
        pageSizeOptions: [20, 50, 100],
        search: props.datasets.length > 10,
        padding: 'dense',
        grouping: false,
        toolbarButtonAlignment: 'left',
        draggable: false,
      }}
      columns={columns}
      data={data}
      onRowClick={
        props.onOpen
          ? (_event, row) => {
              if (row) props.onOpen!(row.name);
            }
          : undefined
      }
    />
  );
}
