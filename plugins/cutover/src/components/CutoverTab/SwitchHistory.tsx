import Box from '@material-ui/core/Box';
import Chip from '@material-ui/core/Chip';
import Tooltip from '@material-ui/core/Tooltip';
import Typography from '@material-ui/core/Typography';
import { DatasetSwitchEvent } from '@switchyard/plugin-cutover-common';
import { DataTable, TableColumn } from '../common/DataTable';
import {
  formatDateTime,
  formatRelative,
  formatUserRef,
} from '../common/format';

const KINDS: Record<DatasetSwitchEvent['kind'], string> = {
  READ_SOURCE: 'Read source',
  CUTOVER_STATE: 'Cutover state',
};

const COLUMNS: TableColumn<DatasetSwitchEvent>[] = [
  {
    title: 'When',
    field: 'at',
    defaultSort: 'desc',
    searchable: false,
    render: e => (
      <Tooltip title={formatDateTime(e.at)}>
        <Typography variant="body2" noWrap>
          {formatRelative(e.at)}
        </Typography>
      </Tooltip>
    ),
  },
  { title: 'Dataset', field: 'dataset' },
  {
    title: 'Kind',
    field: 'kind',
    render: e => KINDS[e.kind],
    customFilterAndSearch: (term: string, e) =>
      KINDS[e.kind].toLocaleLowerCase().includes(term.toLocaleLowerCase()),
  },
  {
    title: 'Change',
    field: 'to',
    sorting: false,
    render: e => (
      <Typography variant="body2" noWrap>
        {e.from} → {e.to}
      </Typography>
    ),
    customFilterAndSearch: (term: string, e) =>
      `${e.from} ${e.to}`.toLocaleLowerCase().includes(term.toLocaleLowerCase()),
  },
  { title: 'Reason', field: 'reason' },
  {
    title: 'By',
    field: 'actor',
    render: e => (
      <Box display="flex" alignItems="center" style={{ gap: 8 }}>
        {formatUserRef(e.actor)}
        {e.automatic && (
          <Chip
            size="small"
            color="secondary"
            label="automatic"
            title="Made by Switchyard when drift passed the rollback threshold"
          />
        )}
      </Box>
    ),
  },
];

/**
 * Every read-source switch and cutover-state change of the migration, newest first: sortable,
 * searchable and paged.
 */
export function SwitchHistory(props: { events: DatasetSwitchEvent[]; totalCount?: number }) {
  const count = Math.max(props.totalCount ?? 0, props.events.length);
  return (
    <DataTable<DatasetSwitchEvent>
      title={`Switch history (${count})`}
      columns={COLUMNS}
      data={props.events}
      rowTestId={e => `switch-${e.id}`}
      emptyContent={
        <Box p={2}>
          <Typography variant="body2" color="textSecondary">
            No switches yet: every dataset still reads where it started.
          </Typography>
        </Box>
      }
    />
  );
}
