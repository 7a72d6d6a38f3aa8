import { Progress } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Chip from '@material-ui/core/Chip';
import Divider from '@material-ui/core/Divider';
import Link from '@material-ui/core/Link';
import Typography from '@material-ui/core/Typography';
import Alert from '@material-ui/lab/Alert';
import { ReportSchedule } from '@switchyard/plugin-cutover-common';
import { useState } from 'react';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { cutoverApiRef } from '../../api';
import { ActionDialog } from '../common/ActionDialog';
import { errorMessage, formatDateTime, formatRelative } from '../common/format';
import { useSubmit } from '../common/useSubmit';
import { ACTIONS_COLUMN, DataTable, PAGE_SIZE, TableColumn } from '../common/DataTable';
import { loadAllPages } from '../common/paging';
import { ReportScheduleForm, useReportScheduleDraft } from './ReportScheduleForm';
import { describeTiming, REPORT_KINDS } from './reportSchedules';

function LastRun(props: { schedule: ReportSchedule }) {
  const s = props.schedule;
  return (
    <>
      <Typography variant="body2" noWrap>
        {s.lastRunAt ? formatRelative(s.lastRunAt) : 'never'}
      </Typography>
      {s.lastReportUrl && (
        <Link
          href={s.lastReportUrl}
          variant="caption"
          target="_blank"
          rel="noopener noreferrer"
        >
          last report
        </Link>
      )}
      {s.lastError && (
        <Typography variant="caption" color="error" component="div">
          {s.lastError}
        </Typography>
      )}
    </>
  );
}

/** The schedules as the portal's Table: sortable, searchable, paged when long. */
function SchedulesTable(props: {
  schedules: ReportSchedule[];
  busyId?: string;
  onToggle: (s: ReportSchedule) => void;
  onDelete: (s: ReportSchedule) => void;
}) {
  const text = (term: string, value: string) =>
    value.toLocaleLowerCase().includes(term.toLocaleLowerCase());
  const columns: TableColumn<ReportSchedule>[] = [
    {
      title: 'Report',
      field: 'name',
      render: s => (
        <>
          <Typography variant="body2">{s.name}</Typography>
          <Typography variant="caption" color="textSecondary">
            {REPORT_KINDS[s.reportType]?.label ?? s.reportType} · {s.format}
          </Typography>
        </>
      ),
    },
    {
      title: 'When',
      field: 'frequency',
      sorting: false,
      render: s => (
        <>
          <Typography variant="body2">{describeTiming(s)}</Typography>
          <Typography variant="caption" color="textSecondary">
            {s.timezone}
          </Typography>
        </>
      ),
      customFilterAndSearch: (term: string, s) => text(term, `${describeTiming(s)} ${s.timezone}`),
    },
    {
      title: 'Recipients',
      field: 'recipients',
      sorting: false,
      render: s => s.recipients.join(', '),
      customFilterAndSearch: (term: string, s) => text(term, s.recipients.join(' ')),
    },
    {
      title: 'Next run',
      field: 'nextRunAt',
      searchable: false,
      render: s =>
        s.enabled && s.nextRunAt ? (
          <>
            <Typography variant="body2" noWrap>
              {formatDateTime(s.nextRunAt)}
            </Typography>
            <Typography variant="caption" color="textSecondary">
              {formatRelative(s.nextRunAt)}
            </Typography>
          </>
        ) : (
          '–'
        ),
    },
    {
      title: 'Last run',
      field: 'lastRunAt',
      searchable: false,
      render: s => <LastRun schedule={s} />,
    },
    {
      title: 'State',
      field: 'enabled',
      searchable: false,
      render: s => (
        <Chip
          size="small"
          label={s.enabled ? 'Active' : 'Paused'}
          color={s.enabled ? 'primary' : 'default'}
        />
      ),
    },
    {
      ...ACTIONS_COLUMN,
      field: 'id',
      render: s => (
        <Box display="flex" style={{ gap: 4 }}>
          <Button size="small" onClick={() => props.onToggle(s)} disabled={props.busyId === s.id}>
            {s.enabled ? 'Pause' : 'Resume'}
          </Button>
          <Button size="small" onClick={() => props.onDelete(s)} disabled={props.busyId === s.id}>
            Delete
          </Button>
        </Box>
      ),
    },
  ];
  return (
    <DataTable<ReportSchedule>
      columns={columns}
      data={props.schedules}
      rowTestId={s => `schedule-${s.id}`}
      options={{ toolbar: props.schedules.length > PAGE_SIZE }}
      style={{ boxShadow: 'none' }}
    />
  );
}

/** The migration's scheduled reports: list, pause / resume, delete, and a form to add one. */
export function ReportSchedulesDialog(props: {
  migrationId: string;
  onClose: () => void;
}) {
  const { migrationId } = props;
  const api = useApi(cutoverApiRef);
  const list = useAsyncRetry(
    () => loadAllPages(cursor => api.listReportSchedules(migrationId, { cursor })),
    [api, migrationId],
  );
  const [busyId, setBusyId] = useState<string>();
  const [deleting, setDeleting] = useState<ReportSchedule>();
  const [error, setError] = useState<Error>();

  const act = async (
    schedule: ReportSchedule,
    change: () => Promise<unknown>,
  ) => {
    setBusyId(schedule.id);
    setError(undefined);
    try {
      await change();
      list.retry();
    } catch (e) {
      setError(e as Error);
    } finally {
      setBusyId(undefined);
    }
  };
  const toggle = (s: ReportSchedule) =>
    act(s, () =>
      api.updateReportSchedule(migrationId, s.id, { enabled: !s.enabled }),
    );
  const remove = useSubmit(
    () => api.deleteReportSchedule(migrationId, deleting!.id),
    () => {
      setDeleting(undefined);
      list.retry();
    },
  );

  const draft = useReportScheduleDraft();
  const create = useSubmit(
    () => api.createReportSchedule(migrationId, draft.body),
    () => {
      draft.clear();
      list.retry();
    },
  );

  const items = list.value?.items ?? [];
  return (
    <>
      <ActionDialog
        title="Scheduled reports"
        description="Reports generated on a schedule and delivered to the recipients as Backstage notifications."
        confirmLabel="Create schedule"
        cancelLabel="Close"
        ready={draft.complete}
        submission={create}
        onClose={props.onClose}
        maxWidth="lg"
      >
        {list.loading && !list.value && <Progress />}
        {list.error && (
          <Alert severity="error">
            Could not load the schedules: {errorMessage(list.error)}
          </Alert>
        )}
        {error && <Alert severity="error">{errorMessage(error)}</Alert>}
        {list.value && items.length === 0 && (
          <Typography variant="body2" color="textSecondary">
            No scheduled reports yet.
          </Typography>
        )}
        {items.length > 0 && (
          <SchedulesTable
            schedules={items}
            busyId={busyId}
            onToggle={toggle}
            onDelete={sched => {
              remove.reset();
              setDeleting(sched);
            }}
          />
        )}
        <Box my={3}>
          <Divider />
        </Box>
        <ReportScheduleForm draft={draft} />
      </ActionDialog>
      <ActionDialog
        open={!!deleting}
        title={`Delete the schedule "${deleting?.name}"?`}
        description="Its recipients will no longer receive this report."
        confirmLabel="Delete"
        confirmColor="secondary"
        fullWidth={false}
        submission={remove}
        onClose={() => setDeleting(undefined)}
      />
    </>
  );
}
