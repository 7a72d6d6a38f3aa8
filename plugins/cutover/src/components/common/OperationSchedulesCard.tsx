import { InfoCard } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { usePermission } from '@backstage/plugin-permission-react';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Chip from '@material-ui/core/Chip';
import Grid from '@material-ui/core/Grid';
import MenuItem from '@material-ui/core/MenuItem';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import Alert from '@material-ui/lab/Alert';
import {
  cutoverReconcileRunPermission,
  cutoverSnapshotCreatePermission,
  OperationSchedule,
  OperationScheduleCreate,
  ScheduledOperation,
} from '@switchyard/plugin-cutover-common';
import { useState } from 'react';
import { cutoverApiRef } from '../../api';
import { useLiveCutoverData } from '../../hooks/useCutoverData';
import { describeTiming } from '../MigrationTab/reportSchedules';
import { ActionDialog } from './ActionDialog';
import { ACTIONS_COLUMN, DataTable, PAGE_SIZE, TableColumn } from './DataTable';
import { errorMessage, formatDateTime, formatRelative } from './format';
import { NameField } from './NameField';
import { RetentionField, retentionProblem } from './RetentionField';
import {
  firstRun,
  ScheduleTimingFields,
  useScheduleTiming,
} from './ScheduleTimingFields';
import { AllPages, loadAllPages } from './paging';
import { useSubmit } from './useSubmit';

const NOUN: Record<ScheduledOperation, string> = {
  SNAPSHOT: 'snapshot',
  RECONCILIATION: 'reconciliation',
};

const STATUS_COLORS: Record<string, 'default' | 'primary' | 'secondary'> = {
  STARTED: 'primary',
  SUCCEEDED: 'default',
  FAILED: 'secondary',
  MISSED: 'secondary',
};

/**
 * Scheduled snapshots (Rollback tab) or reconciliations (Cutover tab) of a migration: when each
 * runs, how its last run went, its next run, and "run now", pause / resume and delete for those
 * who may start the operation.
 */
export function OperationSchedulesCard(props: {
  migrationId: string;
  operation: ScheduledOperation;
  datasets: string[];
}) {
  const { migrationId, operation } = props;
  const api = useApi(cutoverApiRef);
  const noun = NOUN[operation];
  const { allowed } = usePermission({
    permission:
      operation === 'SNAPSHOT'
        ? cutoverSnapshotCreatePermission
        : cutoverReconcileRunPermission,
    resourceRef: migrationId,
  });
  const { value, error, retry } = useLiveCutoverData<AllPages<OperationSchedule>>(
    migrationId,
    (client, id) =>
      loadAllPages(cursor => client.listOperationSchedules(id, operation, { cursor })),
    [operation === 'SNAPSHOT' ? 'snapshot' : 'reconciliation'],
    [operation],
  );
  const [actionError, setActionError] = useState<Error>();
  const act = (work: () => Promise<unknown>) =>
    work().then(
      () => {
        setActionError(undefined);
        retry();
      },
      e => {
        setActionError(e);
        retry();
      },
    );

  // ----- the form -----
  const [adding, setAdding] = useState(false);
  const [name, setName] = useState('');
  const timing = useScheduleTiming({ frequency: 'DAILY', time: '02:00' });
  const [datasets, setDatasets] = useState<string[]>([]);
  const [retentionDays, setRetentionDays] = useState('');
  const body: OperationScheduleCreate = {
    name: name.trim(),
    ...timing.timing,
    ...(datasets.length ? { datasets } : {}),
    ...(operation === 'SNAPSHOT' && retentionDays.trim()
      ? { retentionDays: Number(retentionDays) }
      : {}),
  };
  const ready =
    !!body.name &&
    timing.complete &&
    (operation !== 'SNAPSHOT' || !retentionProblem(retentionDays));
  const submission = useSubmit(
    () => api.createOperationSchedule(migrationId, operation, body),
    () => {
      setAdding(false);
      setName('');
      retry();
    },
  );
  const preview = ready ? firstRun(timing.timing) : undefined;

  const items = value?.items ?? [];
  const columns: TableColumn<OperationSchedule>[] = [
    {
      title: 'Schedule',
      field: 'name',
      customFilterAndSearch: (term: string, s) =>
        `${s.name} ${describeTiming(s)} ${s.timezone}`.toLocaleLowerCase().includes(term.toLocaleLowerCase()),
      render: s => (
        <>
          <Typography variant="body2">{s.name}</Typography>
          <Typography variant="caption" color="textSecondary">
            {describeTiming(s)} ({s.timezone})
            {s.retentionDays ? ` · kept ${s.retentionDays} days` : ''}
          </Typography>
        </>
      ),
    },
    {
      title: 'Datasets',
      field: 'datasets',
      sorting: false,
      customFilterAndSearch: (term: string, s) =>
        (s.datasets ? s.datasets.join(' ') : 'all').toLocaleLowerCase().includes(term.toLocaleLowerCase()),
      render: s => <Typography variant="caption">{s.datasets ? s.datasets.join(', ') : 'all'}</Typography>,
    },
    {
      title: 'Last run',
      field: 'lastRunAt',
      searchable: false,
      render: s =>
        s.lastRunAt ? (
          <Box display="flex" flexDirection="column" alignItems="flex-start">
            <Box display="flex" alignItems="center" style={{ gap: 6 }}>
              {s.lastStatus && <Chip size="small" label={s.lastStatus} color={STATUS_COLORS[s.lastStatus]} />}
              <Typography variant="caption" title={formatDateTime(s.lastRunAt)}>
                {formatRelative(s.lastRunAt)}
                {s.lastTrigger === 'MANUAL' ? ' (run now)' : ''}
              </Typography>
            </Box>
            {s.lastError && (
              <Typography variant="caption" color="error">
                {s.lastError}
              </Typography>
            )}
            {s.consecutiveFailures > 0 && (
              <Typography variant="caption" color="error">
                {s.consecutiveFailures} failed or missed run
                {s.consecutiveFailures === 1 ? '' : 's'} since the last success
              </Typography>
            )}
          </Box>
        ) : (
          <Typography variant="caption" color="textSecondary">
            never
          </Typography>
        ),
    },
    {
      title: 'Next run',
      field: 'nextRunAt',
      searchable: false,
      // Paused schedules last.
      customSort: (a, b) =>
        (a.enabled && a.nextRunAt ? a.nextRunAt : '~').localeCompare(b.enabled && b.nextRunAt ? b.nextRunAt : '~'),
      render: s => (
        <Typography variant="caption" title={formatDateTime(s.nextRunAt)}>
          {s.enabled && s.nextRunAt ? formatDateTime(s.nextRunAt) : 'paused'}
        </Typography>
      ),
    },
  ];
  if (allowed) {
    columns.push({
      ...ACTIONS_COLUMN,
      render: s => (
        <Box display="flex" style={{ gap: 4 }}>
          <Button size="small" onClick={() => act(() => api.runOperationScheduleNow(migrationId, operation, s.id))}>
            Run now
          </Button>
          <Button
            size="small"
            onClick={() => act(() => api.updateOperationSchedule(migrationId, operation, s.id, { enabled: !s.enabled }))}
          >
            {s.enabled ? 'Pause' : 'Resume'}
          </Button>
          <Button
            size="small"
            onClick={() => act(() => api.deleteOperationSchedule(migrationId, operation, s.id))}
            aria-label={`Delete ${s.name}`}
          >
            Delete
          </Button>
        </Box>
      ),
    });
  }
  return (
    <InfoCard
      title={`Scheduled ${noun}s`}
      subheader={
        operation === 'SNAPSHOT'
          ? 'Snapshots taken on a schedule; each is kept for its retention and counts against the quota'
          : 'Reconciliations run on a schedule, besides the automatic ones after cutover'
      }
      noPadding
    >
      {error && <Alert severity="error">{errorMessage(error)}</Alert>}
      {actionError && (
        <Alert severity="error" onClose={() => setActionError(undefined)}>
          {errorMessage(actionError)}
        </Alert>
      )}
      {value && items.length === 0 ? (
        <Box p={2}>
          <Typography variant="body2" color="textSecondary">
            No {noun} schedules yet.
          </Typography>
        </Box>
      ) : (
        <DataTable<OperationSchedule>
          columns={columns}
          data={items}
          rowTestId={sc => `operation-schedule-${sc.id}`}
          options={{ toolbar: items.length > PAGE_SIZE }}
          style={{ boxShadow: 'none' }}
        />
      )}
      {allowed && (
        <Box p={1}>
          <Button
            color="primary"
            onClick={() => {
              submission.reset();
              setAdding(true);
            }}
          >
            Schedule {noun}s
          </Button>
        </Box>
      )}
      <ActionDialog
        open={adding}
        title={`Schedule ${noun}s`}
        confirmLabel="Create schedule"
        ready={ready}
        submission={submission}
        onClose={() => setAdding(false)}
      >
        <NameField id="operation-schedule-name" value={name} onChange={setName} />
        <Grid container spacing={2}>
          <ScheduleTimingFields idPrefix="operation-schedule" state={timing} />
        </Grid>
        <TextField
          id="operation-schedule-datasets"
          select
          label="Datasets (none chosen: all)"
          fullWidth
          margin="normal"
          SelectProps={{ multiple: true }}
          value={datasets}
          onChange={e => setDatasets(e.target.value as unknown as string[])}
        >
          {props.datasets.map(d => (
            <MenuItem key={d} value={d}>
              {d}
            </MenuItem>
          ))}
        </TextField>
        {operation === 'SNAPSHOT' && (
          <RetentionField
            id="operation-schedule-retention"
            label="Keep each snapshot (days; empty: the configured default)"
            value={retentionDays}
            onChange={setRetentionDays}
          />
        )}
        {preview && (
          <Typography variant="caption" color="textSecondary" data-testid="operation-schedule-preview">
            First run: {preview}
          </Typography>
        )}
      </ActionDialog>
    </InfoCard>
  );
}
