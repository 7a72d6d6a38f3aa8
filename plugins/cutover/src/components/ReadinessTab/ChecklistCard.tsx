import { InfoCard } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { usePermission } from '@backstage/plugin-permission-react';
import Box from '@material-ui/core/Box';
import Chip from '@material-ui/core/Chip';
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
  cutoverMigrationUpdatePermission,
} from '@switchyard/plugin-cutover-common';
import Button from '@material-ui/core/Button';
import FormControlLabel from '@material-ui/core/FormControlLabel';
import Switch from '@material-ui/core/Switch';
import { useState } from 'react';
import { cutoverApiRef } from '../../api';
import { ActionDialog } from '../common/ActionDialog';
import { formatRelative, formatUserRef } from '../common/format';
import { TextAreaField } from '../common/TextAreaField';
import { useSubmit } from '../common/useSubmit';

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
  const submission = useSubmit(
    () =>
      api.updateChecklistItem(props.migrationId, props.item.id, {
        ...(props.item.automated ? {} : { status }),
        notes: notes || null,
        version: props.item.version,
      }),
    () => props.onClose(true),
  );
  return (
    <ActionDialog
      title={`${props.item.id}: ${props.item.title}`}
      confirmLabel="Save"
      submission={submission}
      onClose={() => props.onClose(false)}
    >
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
      <TextAreaField
        id="checklist-notes"
        label="Notes (evidence, links, who checked)"
        value={notes}
        onChange={setNotes}
        minRows={3}
      />
    </ActionDialog>
  );
}

/** Adds a custom item to the checklist (in an existing category or a new one). */
function AddItemDialog(props: {
  migrationId: string;
  categories: string[];
  onClose: (changed: boolean) => void;
}) {
  const api = useApi(cutoverApiRef);
  const [category, setCategory] = useState(props.categories[0] ?? 'Operations');
  const [title, setTitle] = useState('');
  const [id, setId] = useState('');
  const [description, setDescription] = useState('');
  const [required, setRequired] = useState(true);
  const submission = useSubmit(
    () =>
      api.addChecklistItem(props.migrationId, {
        category: category.trim(),
        title: title.trim(),
        required,
        ...(id.trim() ? { id: id.trim().toUpperCase() } : {}),
        ...(description.trim() ? { description: description.trim() } : {}),
      }),
    () => props.onClose(true),
  );
  return (
    <ActionDialog
      title="Add a checklist item"
      description="A check of your own, decided by people like the other manual items."
      confirmLabel="Add item"
      ready={!!title.trim() && !!category.trim()}
      submission={submission}
      onClose={() => props.onClose(false)}
    >
      <TextField
        id="checklist-new-category"
        label="Category"
        fullWidth
        margin="dense"
        value={category}
        onChange={e => setCategory(e.target.value)}
        inputProps={{ list: 'checklist-categories' }}
        helperText={`Existing: ${props.categories.join(', ')}`}
      />
      <datalist id="checklist-categories">
        {props.categories.map(c => (
          <option key={c} value={c} />
        ))}
      </datalist>
      <TextField
        id="checklist-new-title"
        label="Title"
        fullWidth
        margin="dense"
        value={title}
        onChange={e => setTitle(e.target.value)}
      />
      <TextField
        id="checklist-new-id"
        label="Id (optional, e.g. OPS001)"
        fullWidth
        margin="dense"
        value={id}
        onChange={e => setId(e.target.value)}
      />
      <TextAreaField
        id="checklist-new-description"
        label="Description (optional)"
        value={description}
        onChange={setDescription}
        minRows={2}
      />
      <FormControlLabel
        control={
          <Switch
            checked={required}
            onChange={e => setRequired(e.target.checked)}
            color="primary"
          />
        }
        label="Required for cutover"
      />
    </ActionDialog>
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
  const canAdd = usePermission({
    permission: cutoverMigrationUpdatePermission,
    resourceRef: props.migrationId,
  }).allowed;
  const [editing, setEditing] = useState<ChecklistItem>();
  const [adding, setAdding] = useState(false);
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
                    {formatUserRef(item.updatedBy)}
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
      {adding && (
        <AddItemDialog
          migrationId={props.migrationId}
          categories={props.checklist.categories.map(c => c.category)}
          onClose={changed => {
            setAdding(false);
            if (changed) props.onChanged();
          }}
        />
      )}
      <Box p={1}>
        {canAdd && (
          <Button color="primary" onClick={() => setAdding(true)}>
            Add checklist item
          </Button>
        )}
      </Box>
    </InfoCard>
  );
}
