import { InfoCard } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { usePermission } from '@backstage/plugin-permission-react';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Chip from '@material-ui/core/Chip';
import MenuItem from '@material-ui/core/MenuItem';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import { Theme, useTheme } from '@material-ui/core/styles';
import Alert from '@material-ui/lab/Alert';
import {
  Alert as CutoverAlert,
  ALERT_SEVERITIES,
  ALERT_TYPES,
  AlertType,
  AlertSeverity,
  AlertStats,
  cutoverAlertManagePermission,
} from '@switchyard/plugin-cutover-common';
import { DateTime } from 'luxon';
import { useEffect, useState } from 'react';
import { cutoverApiRef } from '../../api';
import { useLiveCutoverData } from '../../hooks/useCutoverData';
import { ActionDialog } from '../common/ActionDialog';
import { ACTIONS_COLUMN, DataTable, TableColumn } from '../common/DataTable';
import { errorMessage, formatDateTime, formatRelative, formatUserRef } from '../common/format';
import { AllPages, loadAllPages } from '../common/paging';
import { useSubmit } from '../common/useSubmit';
import { AlertTrendChart } from './AlertTrendChart';

function severityColor(theme: Theme, s: AlertSeverity) {
  return {
    CRITICAL: theme.palette.error.dark,
    HIGH: theme.palette.error.main,
    MEDIUM: theme.palette.warning.main,
    LOW: theme.palette.info.main,
  }[s];
}

/** Time left before the SLA deadline, or how long it is overdue; ticks every 30 s. */
function SlaCountdown(props: { alert: CutoverAlert }) {
  const [now, setNow] = useState(DateTime.now());
  useEffect(() => {
    const t = setInterval(() => setNow(DateTime.now()), 30_000);
    return () => clearInterval(t);
  }, []);
  if (props.alert.status !== 'OPEN') return <Typography variant="caption">resolved</Typography>;
  const deadline = DateTime.fromISO(props.alert.targetResolutionTime);
  const left = deadline.diff(now, ['hours', 'minutes']);
  const overdue = left.toMillis() < 0;
  const abs = overdue ? left.negate() : left;
  const text = `${Math.floor(abs.hours)}h ${Math.floor(abs.minutes)}m`;
  return (
    <Typography variant="caption" color={overdue ? 'error' : 'textPrimary'} noWrap data-testid="sla">
      {overdue ? `overdue ${text}` : `${text} left`}
    </Typography>
  );
}

/** Most severe first when sorted ascending. */
const SEVERITY_RANK: Record<AlertSeverity, number> = { CRITICAL: 0, HIGH: 1, MEDIUM: 2, LOW: 3 };

const matches = (term: string, ...values: Array<string | null | undefined>) =>
  values.some(v => !!v && v.toLocaleLowerCase().includes(term.toLocaleLowerCase()));

/** Every alert the filters select (following `nextCursor`), with the statistics of the first page. */
type LoadedAlerts = AllPages<CutoverAlert> & { stats: AlertStats };

type Action = { kind: 'resolve' | 'assign' | 'note'; alert: CutoverAlert };

const STATUS_TITLES: Record<string, string> = { OPEN: 'Open alerts', RESOLVED: 'Resolved alerts' };

const ACTION_VERBS: Record<Action['kind'], string> = { resolve: 'Resolve', assign: 'Assign', note: 'Note on' };

/** Alerts of the migration: stats, filters, SLA countdowns and actions for those allowed. */
export function AlertsPanel(props: { migrationId: string; datasets?: string[] }) {
  const theme = useTheme();
  const api = useApi(cutoverApiRef);
  const [severity, setSeverity] = useState('');
  const [alertType, setAlertType] = useState('');
  const [dataset, setDataset] = useState('');
  const [status, setStatus] = useState('OPEN');
  const [assignee, setAssignee] = useState('');
  const { allowed } = usePermission({ permission: cutoverAlertManagePermission, resourceRef: props.migrationId });
  const { value, error, retry } = useLiveCutoverData<LoadedAlerts>(
    props.migrationId,
    async (client, id) => {
      let stats: AlertStats | undefined;
      const all = await loadAllPages(async cursor => {
        const page = await client.listAlerts(id, {
          severity: severity || undefined,
          status: status || undefined,
          assignee: assignee.trim() || undefined,
          alertType: alertType || undefined,
          dataset: dataset || undefined,
          limit: 200,
          cursor,
        });
        // The statistics cover the migration's alerts, not the page: the first page's suffice.
        stats ??= page.stats;
        return page;
      });
      return { ...all, stats: stats! };
    },
    ['alert'],
    [severity, status, assignee, alertType, dataset],
  );
  const [raising, setRaising] = useState(false);
  const [raised, setRaised] = useState<{
    alertType: AlertType;
    severity: AlertSeverity;
    title: string;
    message: string;
    dataset: string;
  }>({ alertType: 'WARNING', severity: 'MEDIUM', title: '', message: '', dataset: '' });
  const raise = useSubmit(
    () =>
      api.raiseAlert(props.migrationId, {
        alertType: raised.alertType,
        severity: raised.severity,
        title: raised.title.trim(),
        ...(raised.message.trim() ? { message: raised.message.trim() } : {}),
        ...(raised.dataset ? { dataset: raised.dataset } : {}),
      }),
    () => {
      setRaising(false);
      setRaised(r => ({ ...r, title: '', message: '' }));
      retry();
    },
  );
  const [action, setAction] = useState<Action>();
  const [text, setText] = useState('');
  const [reopenError, setReopenError] = useState<Error>();

  const send = async () => {
    if (action?.kind === 'resolve') await api.resolveAlert(props.migrationId, action.alert.id, { resolution: text });
    if (action?.kind === 'assign') await api.assignAlert(props.migrationId, action.alert.id, text.trim() || null);
    if (action?.kind === 'note') await api.addAlertNote(props.migrationId, action.alert.id, text);
  };
  const submission = useSubmit(send, () => {
    setAction(undefined);
    setText('');
    retry();
  });
  const open = (next: Action, initialText = '') => {
    submission.reset();
    setText(initialText);
    setAction(next);
  };

  const columns: TableColumn<CutoverAlert>[] = [
    {
      title: 'Severity',
      field: 'severity',
      customSort: (a, b) => SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity],
      render: a => (
        <Chip
          size="small"
          label={a.severity}
          style={{ backgroundColor: severityColor(theme, a.severity), color: theme.palette.common.white }}
        />
      ),
    },
    {
      title: 'Alert',
      field: 'title',
      // The widest column: the title, its type and message and the notes read here.
      cellStyle: { minWidth: 280 },
      customFilterAndSearch: (term: string, a) =>
        matches(term, a.title, a.alertType, a.message, a.resolution, ...a.notes.map(n => n.text)),
      render: a => (
        <>
          <Typography variant="body2">{a.title}</Typography>
          <Typography variant="caption" color="textSecondary">
            {a.alertType}{a.message ? ` · ${a.message}` : ''}{a.resolution ? ` · resolved: ${a.resolution}` : ''}
          </Typography>
          {a.notes.length > 0 && (
            <Box component="ul" m={0} pl={2} data-testid="alert-notes" aria-label={`Notes on ${a.title}`}>
              {a.notes.map(n => (
                <li key={`${n.at}-${n.by}`}>
                  <Typography variant="caption">
                    <strong>{formatUserRef(n.by)}</strong>, {formatRelative(n.at)}: {n.text}
                  </Typography>
                </li>
              ))}
            </Box>
          )}
        </>
      ),
    },
    {
      title: 'Dataset',
      field: 'dataset',
      customFilterAndSearch: (term: string, a) => matches(term, a.dataset, a.recordId),
      render: a => `${a.dataset ?? '–'}${a.recordId ? ` #${a.recordId}` : ''}`,
    },
    {
      title: 'Raised',
      field: 'createdAt',
      searchable: false,
      render: a => (
        <Typography variant="caption" noWrap title={formatDateTime(a.createdAt)}>
          {formatRelative(a.createdAt)}
        </Typography>
      ),
    },
    {
      title: 'Assignee',
      field: 'assignedTo',
      customFilterAndSearch: (term: string, a) => matches(term, a.assignedTo),
      render: a => <Typography variant="caption">{formatUserRef(a.assignedTo)}</Typography>,
    },
    {
      title: 'SLA',
      field: 'targetResolutionTime',
      searchable: false,
      // Open alerts by deadline; resolved ones after them.
      customSort: (a, b) =>
        Number(a.status !== 'OPEN') - Number(b.status !== 'OPEN') ||
        a.targetResolutionTime.localeCompare(b.targetResolutionTime),
      render: a => <SlaCountdown alert={a} />,
    },
  ];
  if (allowed) {
    columns.push({
      ...ACTIONS_COLUMN,
      render: a => (
        <Box display="flex" style={{ gap: 4 }}>
          {a.status === 'OPEN' ? (
            <Button size="small" onClick={() => open({ kind: 'resolve', alert: a })}>Resolve</Button>
          ) : (
            <Button size="small" onClick={() => api.reopenAlert(props.migrationId, a.id).then(retry, setReopenError)}>Reopen</Button>
          )}
          <Button size="small" onClick={() => open({ kind: 'assign', alert: a }, a.assignedTo ?? '')}>Assign</Button>
          <Button size="small" onClick={() => open({ kind: 'note', alert: a })}>Note</Button>
        </Box>
      ),
    });
  }

  const stats = value?.stats;
  return (
    <InfoCard
      title={`Alerts${stats ? ` (${stats.open} open${stats.overdue ? `, ${stats.overdue} overdue` : ''})` : ''}`}
      noPadding
    >
      <Box display="flex" flexWrap="wrap" alignItems="center" px={2} pt={1} style={{ gap: 12 }}>
        {stats &&
          ALERT_SEVERITIES.map(s => (
            <Chip
              key={s}
              size="small"
              label={`${s} ${stats.bySeverity[s].open}`}
              style={{ backgroundColor: severityColor(theme, s), color: theme.palette.common.white }}
              data-testid={`alerts-${s}`}
            />
          ))}
        <Box flexGrow={1} />
        <TextField select size="small" label="Severity" value={severity} onChange={e => setSeverity(e.target.value)} style={{ minWidth: 120 }} id="alert-severity-filter">
          <MenuItem value="">All</MenuItem>
          {ALERT_SEVERITIES.map(s => (
            <MenuItem key={s} value={s}>{s}</MenuItem>
          ))}
        </TextField>
        <TextField select size="small" label="Status" value={status} onChange={e => setStatus(e.target.value)} style={{ minWidth: 120 }} id="alert-status-filter">
          <MenuItem value="">All</MenuItem>
          <MenuItem value="OPEN">Open</MenuItem>
          <MenuItem value="RESOLVED">Resolved</MenuItem>
        </TextField>
        <TextField select size="small" label="Type" value={alertType} onChange={e => setAlertType(e.target.value)} style={{ minWidth: 120 }} id="alert-type-filter">
          <MenuItem value="">All</MenuItem>
          {ALERT_TYPES.map(t => (
            <MenuItem key={t} value={t}>{t}</MenuItem>
          ))}
        </TextField>
        <TextField select size="small" label="Dataset" value={dataset} onChange={e => setDataset(e.target.value)} style={{ minWidth: 140 }} id="alert-dataset-filter">
          <MenuItem value="">All</MenuItem>
          {(props.datasets ?? []).map(d => (
            <MenuItem key={d} value={d}>{d}</MenuItem>
          ))}
        </TextField>
        <TextField size="small" label="Assignee" placeholder="user:default/…" value={assignee} onChange={e => setAssignee(e.target.value)} id="alert-assignee-filter" />
        {allowed && (
          <Button
            variant="outlined"
            color="primary"
            onClick={() => {
              raise.reset();
              setRaising(true);
            }}
          >
            Raise alert
          </Button>
        )}
      </Box>
      {stats && <AlertTrendChart trend={stats.trend} />}
      {error && <Alert severity="error">{errorMessage(error)}</Alert>}
      {reopenError && (
        <Alert severity="error" onClose={() => setReopenError(undefined)}>
          {errorMessage(reopenError)}
        </Alert>
      )}
      {value && value.items.length === 0 ? (
        <Box p={2}>
          <Typography variant="body2" color="textSecondary">
            No {status ? status.toLowerCase() : ''} alerts{severity ? ` of severity ${severity}` : ''}.
          </Typography>
        </Box>
      ) : (
        <DataTable<CutoverAlert>
          title={`${status ? STATUS_TITLES[status] : 'All alerts'}${value ? ` (${value.totalCount})` : ''}`}
          columns={columns}
          data={value?.items ?? []}
          isLoading={!value && !error}
          rowTestId={a => `alert-${a.id}`}
          style={{ boxShadow: 'none' }}
        />
      )}
      <ActionDialog
        open={raising}
        title="Raise an alert"
        confirmLabel="Raise"
        ready={!!raised.title.trim()}
        submission={raise}
        onClose={() => setRaising(false)}
      >
        <Box display="flex" style={{ gap: 12 }}>
          <TextField select id="raise-alert-type" label="Type" value={raised.alertType} onChange={e => setRaised({ ...raised, alertType: e.target.value as AlertType })} margin="dense" style={{ minWidth: 140 }}>
            {ALERT_TYPES.map(t => (
              <MenuItem key={t} value={t}>{t}</MenuItem>
            ))}
          </TextField>
          <TextField select id="raise-alert-severity" label="Severity" value={raised.severity} onChange={e => setRaised({ ...raised, severity: e.target.value as AlertSeverity })} margin="dense" style={{ minWidth: 140 }}>
            {ALERT_SEVERITIES.map(sv => (
              <MenuItem key={sv} value={sv}>{sv}</MenuItem>
            ))}
          </TextField>
          <TextField select id="raise-alert-dataset" label="Dataset" value={raised.dataset} onChange={e => setRaised({ ...raised, dataset: e.target.value })} margin="dense" style={{ minWidth: 140 }}>
            <MenuItem value="">None</MenuItem>
            {(props.datasets ?? []).map(d => (
              <MenuItem key={d} value={d}>{d}</MenuItem>
            ))}
          </TextField>
        </Box>
        <TextField id="raise-alert-title" label="Title" fullWidth margin="dense" value={raised.title} onChange={e => setRaised({ ...raised, title: e.target.value })} />
        <TextField id="raise-alert-message" label="Message" fullWidth multiline margin="dense" value={raised.message} onChange={e => setRaised({ ...raised, message: e.target.value })} />
      </ActionDialog>
      <ActionDialog
        open={!!action}
        title={action ? `${ACTION_VERBS[action.kind]} "${action.alert.title}"` : ''}
        confirmLabel="Save"
        submission={submission}
        onClose={() => setAction(undefined)}
      >
        <TextField
          id="alert-action-text"
          fullWidth
          multiline={action?.kind !== 'assign'}
          label={{ resolve: 'Resolution', assign: 'Assignee (entity ref; empty to unassign)', note: 'Note' }[action?.kind ?? 'note']}
          value={text}
          onChange={e => setText(e.target.value)}
          margin="normal"
        />
      </ActionDialog>
    </InfoCard>
  );
}
