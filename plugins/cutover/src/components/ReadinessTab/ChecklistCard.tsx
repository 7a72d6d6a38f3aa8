import { InfoCard } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { usePermission } from '@backstage/plugin-permission-react';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Chip from '@material-ui/core/Chip';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogTitle from '@material-ui/core/DialogTitle';
import IconButton from '@material-ui/core/IconButton';
import MenuItem from '@material-ui/core/MenuItem';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import TextField from '@material-ui/core/TextField';
import Tooltip from '@material-ui/core/Tooltip';
import Typography from '@material-ui/core/Typography';
import EditIcon from '@material-ui/icons/Edit';
import Alert from '@material-ui/lab/Alert';
import {
  Checklist,
  ChecklistItem,
  ChecklistStatus,
  cutoverChecklistUpdatePermission,
} from '@switchyard/plugin-cutover-common';
import { useState } from 'react';
import { cutoverApiRef } from '../../api';
import { errorMessage, formatRelative } from '../common/format';

const STATUS_COLOR: Record<ChecklistStatus, 'primary' | 'secondary' | 'default'> = {
  PASS: 'primary',
  FAIL: 'secondary',
  NOT_TESTED: 'default',
};

function StatusChip(props: { status: ChecklistStatus }) {
  return (
    <Chip
      size="small"
      color={STATUS_COLOR[props.status]}
      label={props.status.replace('_', ' ')}
      data-testid={`check-${props.status}`}
    />
  );
}

/** Records a manual item's result. */
function EditDialog(props: {
  migrationId: string;
  item: ChecklistItem;
  onClose: (changed: boolean) => void;
}) {
  const api = useApi(cutoverApiRef);
  const [status, setStatus] = useState<ChecklistStatus>(props.item.status);
  const [notes, setNotes] = useState(props.item.notes ?? '');
  const [error, setError] = useState<Error>();
  const [busy, setBusy] = useState(false);
  const save = async () => {
    setBusy(true);
    try {
      await api.updateChecklistItem(props.migrationId, props.item.id, {
        ...(props.item.automated ? {} : { status }),
        notes: notes || null,
        version: props.item.version,
      });
      props.onClose(true);
    } catch (e) {
      setError(e as Error);
      setBusy(false);
    }
  };
  return (
    <Dialog open onClose={() => props.onClose(false)} maxWidth="sm" fullWidth>
      <DialogTitle>
        {props.item.id}: {props.item.title}
      </DialogTitle>
      <DialogContent>
        {props.item.automated ? (
          <Alert severity="info">
            Decided from the migration's data ({props.item.evidence}); you can add notes.
          </Alert>
        ) : (
          <TextField
            id="checklist-status"
            select
            label="Result"
            value={status}
            onChange={e => setStatus(e.target.value as ChecklistStatus)}
            fullWidth
            margin="normal"
          >
            <MenuItem value="PASS">Pass</MenuItem>
            <MenuItem value="FAIL">Fail</MenuItem>
            <MenuItem value="NOT_TESTED">Not tested</MenuItem>
          </TextField>
        )}
        <TextField
          id="checklist-notes"
          label="Notes (evidence, links, who checked)"
          value={notes}
          onChange={e => setNotes(e.target.value)}
          fullWidth
          multiline
          minRows={3}
          margin="normal"
        />
        {error && <Alert severity="error">{errorMessage(error)}</Alert>}
      </DialogContent>
      <DialogActions>
        <Button onClick={() => props.onClose(false)} disabled={busy}>
          Cancel
        </Button>
        <Button color="primary" variant="contained" onClick={save} disabled={busy}>
          Save
        </Button>
      </DialogActions>
    </Dialog>
  );
}

/** The checklist grouped by category, editable where the user is allowed. */
export function ChecklistCard(props: {
  migrationId: string;
  checklist: Checklist;
  onChanged: () => void;
}) {
  const { allowed } = usePermission({
    permission: cutoverChecklistUpdatePermission,
    resourceRef: props.migrationId,
  });
  const [editing, setEditing] = useState<ChecklistItem>();
  const { summary } = props.checklist;
  return (
    <InfoCard
      title="Cutover checklist"
      subheader={`${summary.passed} of ${summary.total} passed · ${summary.failed} failing · ${summary.requiredOpen} required items open`}
      noPadding
    >
      <Table size="small" aria-label="Cutover checklist">
        <TableHead>
          <TableRow>
            <TableCell>Item</TableCell>
            <TableCell>Result</TableCell>
            <TableCell>Decided from / notes</TableCell>
            <TableCell>By</TableCell>
            <TableCell />
          </TableRow>
        </TableHead>
        <TableBody>
          {props.checklist.categories.map(group => [
            <TableRow key={`group-${group.category}`}>
              <TableCell colSpan={5}>
                <Typography variant="subtitle2">{group.category}</Typography>
              </TableCell>
            </TableRow>,
            ...group.items.map(item => (
              <TableRow key={item.id} data-testid={`checklist-${item.id}`}>
                <TableCell>
                  <Typography variant="body2">
                    <strong>{item.id}</strong> {item.title}
                  </Typography>
                  <Typography variant="caption" color="textSecondary">
                    {item.required ? 'required' : 'recommended'}
                    {item.automated ? ' · automatic' : ''}
                    {item.custom ? ' · custom' : ''}
                  </Typography>
                </TableCell>
                <TableCell>
                  <StatusChip status={item.status} />
                </TableCell>
                <TableCell>
                  <Typography variant="body2">{item.evidence ?? item.notes ?? ''}</Typography>
                  {item.evidence && item.notes && (
                    <Typography variant="caption" color="textSecondary">
                      {item.notes}
                    </Typography>
                  )}
                </TableCell>
                <TableCell>
                  <Typography variant="caption" noWrap>
                    {item.updatedBy ? item.updatedBy.replace(/^user:(default\/)?/, '') : '–'}
                    {item.updatedAt && !item.automated ? ` · ${formatRelative(item.updatedAt)}` : ''}
                  </Typography>
                </TableCell>
                <TableCell padding="checkbox">
                  {allowed && (
                    <Tooltip title={item.automated ? 'Add notes' : 'Record result'}>
                      <IconButton
                        size="small"
                        aria-label={`Edit ${item.id}`}
                        onClick={() => setEditing(item)}
                      >
                        <EditIcon fontSize="small" />
                      </IconButton>
                    </Tooltip>
                  )}
                </TableCell>
              </TableRow>
            )),
          ])}
        </TableBody>
      </Table>
      {editing && (
        <EditDialog
          migrationId={props.migrationId}
          item={editing}
          onClose={changed => {
            setEditing(undefined);
            if (changed) props.onChanged();
          }}
        />
      )}
      <Box p={1} />
    </InfoCard>
  );
}
