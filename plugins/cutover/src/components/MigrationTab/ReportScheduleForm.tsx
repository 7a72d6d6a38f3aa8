import { useApi } from '@backstage/core-plugin-api';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Grid from '@material-ui/core/Grid';
import MenuItem from '@material-ui/core/MenuItem';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import Alert from '@material-ui/lab/Alert';
import Autocomplete from '@material-ui/lab/Autocomplete';
import {
  nextScheduledRun,
  REPORT_FREQUENCIES,
  REPORT_TYPES,
  ReportFrequency,
  ReportScheduleCreate,
  ReportType,
} from '@switchyard/plugin-cutover-common';
import { DateTime } from 'luxon';
import { useMemo, useState } from 'react';
import { cutoverApiRef } from '../../api';
import { errorMessage } from '../common/format';
import { NameField } from '../common/NameField';
import { useSubmit } from '../common/useSubmit';
import {
  browserTimeZone,
  FREQUENCY_LABELS,
  isWeekly,
  parseRecipients,
  REPORT_KINDS,
  timeZoneOptions,
  WEEKDAYS,
} from './reportSchedules';

const TIME = /^([01]\d|2[0-3]):[0-5]\d$/;
const DAYS_OF_MONTH = Array.from({ length: 31 }, (_, i) => i + 1);

/** When the schedule would first run, in its own zone; undefined while the form is incomplete. */
function firstRun(body: ReportScheduleCreate): string | undefined {
  try {
    const at = nextScheduledRun(body, new Date());
    const local = DateTime.fromJSDate(at, { zone: body.timezone }).toFormat(
      'ccc d LLL yyyy, HH:mm',
    );
    return `${local} (${body.timezone})`;
  } catch {
    return undefined;
  }
}

/** Creates a scheduled report; the server's validation messages show inline. */
export function ReportScheduleForm(props: {
  migrationId: string;
  onCreated: () => void;
}) {
  const api = useApi(cutoverApiRef);
  const [name, setName] = useState('');
  const [reportType, setReportType] = useState<ReportType>('EXECUTIVE');
  const [frequency, setFrequency] = useState<ReportFrequency>('WEEKLY');
  const [dayOfWeek, setDayOfWeek] = useState(1);
  const [dayOfMonth, setDayOfMonth] = useState(1);
  const [time, setTime] = useState('08:00');
  const [timezone, setTimezone] = useState(browserTimeZone);
  const [recipients, setRecipients] = useState('');
  const zones = useMemo(() => timeZoneOptions(browserTimeZone()), []);

  const body: ReportScheduleCreate = {
    name: name.trim(),
    reportType,
    format: REPORT_KINDS[reportType].format,
    frequency,
    ...(isWeekly(frequency) ? { dayOfWeek } : {}),
    ...(frequency === 'MONTHLY' ? { dayOfMonth } : {}),
    time,
    timezone: timezone.trim(),
    recipients: parseRecipients(recipients),
  };
  const complete =
    !!body.name &&
    TIME.test(time) &&
    !!body.timezone &&
    body.recipients.length > 0;
  const preview = complete ? firstRun(body) : undefined;

  const submission = useSubmit(
    () => api.createReportSchedule(props.migrationId, body),
    () => {
      setName('');
      setRecipients('');
      props.onCreated();
    },
  );

  return (
    <Box component="section" aria-label="New scheduled report">
      <Typography variant="h6">New scheduled report</Typography>
      <Grid container spacing={2}>
        <Grid item xs={12} sm={6}>
          <NameField id="schedule-name" value={name} onChange={setName} />
        </Grid>
        <Grid item xs={12} sm={6}>
          <TextField
            id="schedule-type"
            select
            label="Report"
            fullWidth
            margin="normal"
            value={reportType}
            onChange={e => setReportType(e.target.value as ReportType)}
          >
            {REPORT_TYPES.map(t => (
              <MenuItem
                key={t}
                value={t}
              >{`${REPORT_KINDS[t].label} (${REPORT_KINDS[t].format})`}</MenuItem>
            ))}
          </TextField>
        </Grid>
        <Grid item xs={12} sm={4}>
          <TextField
            id="schedule-frequency"
            select
            label="Frequency"
            fullWidth
            margin="normal"
            value={frequency}
            onChange={e => setFrequency(e.target.value as ReportFrequency)}
          >
            {REPORT_FREQUENCIES.map(f => (
              <MenuItem key={f} value={f}>
                {FREQUENCY_LABELS[f]}
              </MenuItem>
            ))}
          </TextField>
        </Grid>
        <Grid item xs={12} sm={4}>
          {isWeekly(frequency) && (
            <TextField
              id="schedule-day-of-week"
              select
              label="Day of week"
              fullWidth
              margin="normal"
              value={dayOfWeek}
              onChange={e => setDayOfWeek(Number(e.target.value))}
            >
              {WEEKDAYS.slice(1).map((day, i) => (
                <MenuItem key={day} value={i + 1}>
                  {day}
                </MenuItem>
              ))}
            </TextField>
          )}
          {frequency === 'MONTHLY' && (
            <TextField
              id="schedule-day-of-month"
              select
              label="Day of month"
              fullWidth
              margin="normal"
              value={dayOfMonth}
              onChange={e => setDayOfMonth(Number(e.target.value))}
              helperText={
                dayOfMonth > 28
                  ? 'Shorter months run on their last day'
                  : undefined
              }
            >
              {DAYS_OF_MONTH.map(d => (
                <MenuItem key={d} value={d}>
                  {d}
                </MenuItem>
              ))}
            </TextField>
          )}
        </Grid>
        <Grid item xs={12} sm={4}>
          <TextField
            id="schedule-time"
            label="Time"
            type="time"
            fullWidth
            margin="normal"
            value={time}
            onChange={e => setTime(e.target.value)}
            error={!TIME.test(time)}
            helperText={TIME.test(time) ? undefined : '24-hour time, HH:mm'}
            InputLabelProps={{ shrink: true }}
            inputProps={{ step: 300 }}
          />
        </Grid>
        <Grid item xs={12} sm={6}>
          {zones.length > 0 ? (
            <Autocomplete
              id="schedule-timezone"
              options={zones}
              value={timezone}
              onChange={(_e, zone) => setTimezone(zone)}
              disableClearable
              renderInput={params => (
                <TextField
                  {...params}
                  label="Time zone"
                  margin="normal"
                  fullWidth
                />
              )}
            />
          ) : (
            <TextField
              id="schedule-timezone"
              label="Time zone (IANA)"
              fullWidth
              margin="normal"
              value={timezone}
              onChange={e => setTimezone(e.target.value)}
              placeholder="Europe/Berlin"
            />
          )}
        </Grid>
        <Grid item xs={12} sm={6}>
          <TextField
            id="schedule-recipients"
            label="Recipients"
            required
            fullWidth
            margin="normal"
            value={recipients}
            onChange={e => setRecipients(e.target.value)}
            placeholder="group:default/orders-team, user:default/olivia"
            helperText="Users or groups as entity refs, separated by commas"
          />
        </Grid>
      </Grid>
      {preview && (
        <Typography
          variant="body2"
          color="textSecondary"
          data-testid="schedule-preview"
        >
          First report: {preview}
        </Typography>
      )}
      {submission.error && (
        <Box mt={1}>
          <Alert severity="error">{errorMessage(submission.error)}</Alert>
        </Box>
      )}
      <Box mt={1} display="flex" justifyContent="flex-end">
        <Button
          color="primary"
          variant="contained"
          onClick={submission.submit}
          disabled={!complete || submission.busy}
        >
          Create schedule
        </Button>
      </Box>
    </Box>
  );
}
