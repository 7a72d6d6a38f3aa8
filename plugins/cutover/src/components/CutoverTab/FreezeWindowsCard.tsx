import { InfoCard } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Typography from '@material-ui/core/Typography';
import AddIcon from '@material-ui/icons/Add';
import Alert from '@material-ui/lab/Alert';
import { FreezeStatus, FreezeWindow } from '@switchyard/plugin-cutover-common';
import { useState } from 'react';
import { cutoverApiRef } from '../../api';
import { ActionDialog } from '../common/ActionDialog';
import { ACTIONS_COLUMN, DataTable, PAGE_SIZE, TableColumn } from '../common/DataTable';
import { errorMessage, formatDateTime } from '../common/format';
import { StatusChip } from '../common/StatusChip';
import { TextAreaField } from '../common/TextAreaField';
import { useSubmit } from '../common/useSubmit';
import { FreezeWindowDialog } from './FreezeWindowDialog';

type Action = 'activate' | 'complete';

/** Active windows first, then planned ones, then the past; each by start. */
const ORDER: Record<FreezeStatus, number> = {
  ACTIVE: 0,
  PLANNED: 1,
  COMPLETED: 2,
  CANCELLED: 2,
};

function sortWindows(windows: FreezeWindow[]): FreezeWindow[] {
  return [...windows].sort(
    (a, b) =>
      ORDER[a.status] - ORDER[b.status] || a.startsAt.localeCompare(b.startsAt),
  );
}

/** Asks why a freeze window is cancelled, and cancels it. */
function CancelFreezeDialog(props: {
  migrationId: string;
  window: FreezeWindow;
  onClose: (done: boolean) => void;
}) {
  const { window: w } = props;
  const api = useApi(cutoverApiRef);
  const [reason, setReason] = useState('');
  const submission = useSubmit(
    () =>
      api.freezeWindowAction(
        props.migrationId,
        w.id,
        'cancel',
        reason.trim() ? { reason: reason.trim() } : {},
      ),
    () => props.onClose(true),
  );
  return (
    <ActionDialog
      title={`Cancel freeze window "${w.name}"?`}
      description={
        w.status === 'ACTIVE'
          ? `The freeze on ${w.datasets.join(', ')} ends now.`
          : `The freeze on ${w.datasets.join(', ')} will not happen.`
      }
      confirmLabel="Cancel window"
      cancelLabel="Keep it"
      confirmColor="secondary"
      submission={submission}
      onClose={() => props.onClose(false)}
    >
      <TextAreaField
        id="freeze-cancel-reason"
        label="Reason (recorded in the audit trail)"
        value={reason}
        onChange={setReason}
        maxLength={4000}
      />
    </ActionDialog>
  );
}

function WindowActions(props: {
  window: FreezeWindow;
  busy: boolean;
  onAction: (action: Action) => void;
  onCancel: () => void;
}) {
  const { window: w, busy } = props;
  if (w.status !== 'PLANNED' && w.status !== 'ACTIVE') return null;
  return (
    <Box display="flex" style={{ gap: 4 }}>
      {w.status === 'PLANNED' && (
        <Button
          size="small"
          color="primary"
          disabled={busy}
          onClick={() => props.onAction('activate')}
        >
          Activate
        </Button>
      )}
      {w.status === 'ACTIVE' && (
        <Button
          size="small"
          color="primary"
          disabled={busy}
          onClick={() => props.onAction('complete')}
        >
          Complete
        </Button>
      )}
      <Button size="small" disabled={busy} onClick={props.onCancel}>
        Cancel…
      </Button>
    </Box>
  );
}

/** "activated on the clock" / "completed on the clock": windows the system moved at their start or end. */
function byClock(w: FreezeWindow): string | undefined {
  const system = (who?: string | null) => who === 'switchyard';
  if (w.status === 'COMPLETED' && system(w.completedBy))
    return 'completed on the clock';
  if (w.status === 'ACTIVE' && system(w.activatedBy))
    return 'activated on the clock';
  if (w.status === 'COMPLETED' && system(w.activatedBy))
    return 'activated on the clock';
  return undefined;
}

/** Freeze windows of the migration: a sortable table (searchable and paged when long), planning, and their lifecycle for those allowed. */
export function FreezeWindowsCard(props: {
  migrationId: string;
  windows: FreezeWindow[];
  datasets: string[];
  canManage: boolean;
  onChanged: () => void;
}) {
  const { migrationId, canManage } = props;
  const api = useApi(cutoverApiRef);
  const [creating, setCreating] = useState(false);
  const [cancelling, setCancelling] = useState<FreezeWindow>();
  const [busyId, setBusyId] = useState<string>();
  const [error, setError] = useState<Error>();
  const rows = sortWindows(props.windows);

  const act = async (w: FreezeWindow, action: Action) => {
    setBusyId(w.id);
    setError(undefined);
    try {
      await api.freezeWindowAction(migrationId, w.id, action);
      props.onChanged();
    } catch (e) {
      setError(e as Error);
    } finally {
      setBusyId(undefined);
    }
  };

  const columns: TableColumn<FreezeWindow>[] = [
    {
      title: 'Name',
      field: 'name',
      render: w => (
        <>
          <Typography variant="body2" style={{ fontWeight: 600 }}>
            {w.name}
          </Typography>
          {w.description && (
            <Typography variant="caption" color="textSecondary">
              {w.description}
            </Typography>
          )}
          {w.cancelReason && (
            <Typography variant="caption" color="textSecondary" component="div">
              Cancelled: {w.cancelReason}
            </Typography>
          )}
          {w.autoRollbacks?.map(r => (
            <Typography
              key={`${r.at}-${r.dataset}`}
              variant="caption"
              color="error"
              component="div"
              data-testid="freeze-auto-rollback"
            >
              Automatic rollback of {r.dataset} at {formatDateTime(r.at)}:{' '}
              {r.reason}
            </Typography>
          ))}
        </>
      ),
    },
    {
      title: 'Datasets',
      field: 'datasets',
      sorting: false,
      render: w => w.datasets.join(', '),
      customFilterAndSearch: (term: string, w) =>
        w.datasets.some(d => d.toLocaleLowerCase().includes(term.toLocaleLowerCase())),
    },
    {
      title: 'Window',
      field: 'startsAt',
      searchable: false,
      render: w => (
        <Typography variant="body2" noWrap>
          {formatDateTime(w.startsAt)} – {formatDateTime(w.endsAt)}
        </Typography>
      ),
    },
    {
      title: 'Status',
      field: 'status',
      customSort: (a, b) => ORDER[a.status] - ORDER[b.status],
      render: w => (
        <>
          <StatusChip status={w.status} />
          {byClock(w) && (
            <Typography variant="caption" color="textSecondary" component="div">
              {byClock(w)}
            </Typography>
          )}
        </>
      ),
    },
    {
      title: 'Read switches',
      field: 'allowReadSourceSwitch',
      searchable: false,
      render: w => (w.allowReadSourceSwitch ? 'allowed' : 'back to LEGACY only'),
    },
    {
      ...ACTIONS_COLUMN,
      field: 'id',
      hidden: !canManage,
      render: w => (
        <WindowActions
          window={w}
          busy={busyId === w.id}
          onAction={action => act(w, action)}
          onCancel={() => setCancelling(w)}
        />
      ),
    },
  ];

  return (
    <InfoCard
      title={`Freeze windows (${rows.length})`}
      noPadding
      action={
        canManage ? (
          <Button
            color="primary"
            startIcon={<AddIcon />}
            onClick={() => setCreating(true)}
          >
            Plan freeze window
          </Button>
        ) : undefined
      }
    >
      {error && (
        <Box p={2}>
          <Alert severity="error" onClose={() => setError(undefined)}>
            {errorMessage(error)}
          </Alert>
        </Box>
      )}
      {rows.length === 0 ? (
        <Box p={2}>
          <Typography variant="body2" color="textSecondary">
            No freeze windows planned. A freeze window keeps the data of its
            datasets still while they are cut over.
          </Typography>
        </Box>
      ) : (
        <DataTable<FreezeWindow>
          columns={columns}
          data={rows}
          rowTestId={w => `freeze-${w.id}`}
          options={{ toolbar: rows.length > PAGE_SIZE }}
          style={{ boxShadow: 'none' }}
        />
      )}
      {creating && (
        <FreezeWindowDialog
          migrationId={migrationId}
          datasets={props.datasets}
          onClose={created => {
            setCreating(false);
            if (created) props.onChanged();
          }}
        />
      )}
      {cancelling && (
        <CancelFreezeDialog
          migrationId={migrationId}
          window={cancelling}
          onClose={done => {
            setCancelling(undefined);
            if (done) props.onChanged();
          }}
        />
      )}
    </InfoCard>
  );
}
