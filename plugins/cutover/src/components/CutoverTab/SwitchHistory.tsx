import { InfoCard } from '@backstage/core-components';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Chip from '@material-ui/core/Chip';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import Tooltip from '@material-ui/core/Tooltip';
import Typography from '@material-ui/core/Typography';
import { DatasetSwitchEvent } from '@switchyard/plugin-cutover-common';
import { useState } from 'react';
import {
  formatDateTime,
  formatRelative,
  formatUserRef,
} from '../common/format';

/** Rows shown before "Show all". */
const FIRST_ROWS = 25;

const KINDS: Record<DatasetSwitchEvent['kind'], string> = {
  READ_SOURCE: 'Read source',
  CUTOVER_STATE: 'Cutover state',
};

function HistoryRow(props: { event: DatasetSwitchEvent }) {
  const e = props.event;
  return (
    <TableRow data-testid={`switch-${e.id}`}>
      <TableCell>
        <Tooltip title={formatDateTime(e.at)}>
          <Typography variant="body2" noWrap>
            {formatRelative(e.at)}
          </Typography>
        </Tooltip>
      </TableCell>
      <TableCell>{e.dataset}</TableCell>
      <TableCell>{KINDS[e.kind]}</TableCell>
      <TableCell>
        <Typography variant="body2" noWrap>
          {e.from} → {e.to}
          {e.rolloutPercent ? ` for ${e.rolloutPercent}% of callers` : ''}
        </Typography>
      </TableCell>
      <TableCell>{e.reason}</TableCell>
      <TableCell>
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
      </TableCell>
    </TableRow>
  );
}

/** Every read-source switch and cutover-state change of the migration, newest first. */
export function SwitchHistory(props: { events: DatasetSwitchEvent[] }) {
  const [showAll, setShowAll] = useState(false);
  const rows = [...props.events].sort((a, b) => b.at.localeCompare(a.at));
  const shown = showAll ? rows : rows.slice(0, FIRST_ROWS);
  return (
    <InfoCard title={`Switch history (${rows.length})`} noPadding>
      {rows.length === 0 ? (
        <Box p={2}>
          <Typography variant="body2" color="textSecondary">
            No switches yet: every dataset still reads where it started.
          </Typography>
        </Box>
      ) : (
        <Box style={{ overflowX: 'auto' }}>
          <Table size="small" aria-label="Switch history">
            <TableHead>
              <TableRow>
                <TableCell>When</TableCell>
                <TableCell>Dataset</TableCell>
                <TableCell>Kind</TableCell>
                <TableCell>Change</TableCell>
                <TableCell>Reason</TableCell>
                <TableCell>By</TableCell>
              </TableRow>
            </TableHead>
            <TableBody>
              {shown.map(e => (
                <HistoryRow key={e.id} event={e} />
              ))}
            </TableBody>
          </Table>
          {shown.length < rows.length && (
            <Box p={1}>
              <Button size="small" onClick={() => setShowAll(true)}>
                Show all {rows.length}
              </Button>
            </Box>
          )}
        </Box>
      )}
    </InfoCard>
  );
}
