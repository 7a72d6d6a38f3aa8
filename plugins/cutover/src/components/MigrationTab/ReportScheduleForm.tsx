import Box from '@material-ui/core/Box';
import Grid from '@material-ui/core/Grid';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import {
  REPORT_TYPES,
  ReportScheduleCreate,
  ReportType,
} from '@switchyard/plugin-cutover-common';
import { useState } from 'react';
import { NameField } from '../common/NameField';
import { SelectField } from '../common/SelectField';
import {
  firstRun,
  ScheduleTimingFields,
  ScheduleTimingState,
  useScheduleTiming,
} from '../common/ScheduleTimingFields';
import { parseRecipients, REPORT_KINDS } from './reportSchedules';

const REPORT_CHOICES = REPORT_TYPES.map(t => ({
  value: t,
  label: `${REPORT_KINDS[t].label} (${REPORT_KINDS[t].format})`,
}));

/** A new scheduled report as typed so far: its fields, the body they send, and whether it is complete. */
export interface ReportScheduleDraft {
  name: string;
  setName: (name: string) => void;
  reportType: ReportType;
  setReportType: (type: ReportType) => void;
  recipients: string;
  setRecipients: (recipients: string) => void;
  timing: ScheduleTimingState;
  body: ReportScheduleCreate;
  complete: boolean;
  /** Empties the name and recipients after a schedule was created. */
  clear: () => void;
}

/** The state of the form that creates a scheduled report. */
export function useReportScheduleDraft(): ReportScheduleDraft {
  const [name, setName] = useState('');
  const [reportType, setReportType] = useState<ReportType>('EXECUTIVE');
  const [recipients, setRecipients] = useState('');
  const timing = useScheduleTiming({ frequency: 'WEEKLY', time: '08:00' });

  const body: ReportScheduleCreate = {
    name: name.trim(),
    reportType,
    format: REPORT_KINDS[reportType].format,
    ...timing.timing,
    recipients: parseRecipients(recipients),
  };
  return {
    name,
    setName,
    reportType,
    setReportType,
    recipients,
    setRecipients,
    timing,
    body,
    complete: !!body.name && timing.complete && body.recipients.length > 0,
    clear: () => {
      setName('');
      setRecipients('');
    },
  };
}

/** The fields of a new scheduled report; the dialog around them submits the draft. */
export function ReportScheduleForm(props: { draft: ReportScheduleDraft }) {
  const { draft } = props;
  const preview = draft.complete ? firstRun(draft.timing.timing) : undefined;

  return (
    <Box component="section" aria-label="New scheduled report">
      <Typography variant="h6">New scheduled report</Typography>
      <Grid container spacing={2}>
        <Grid item xs={12} sm={6}>
          <NameField
            id="schedule-name"
            value={draft.name}
            onChange={draft.setName}
          />
        </Grid>
        <Grid item xs={12} sm={6}>
          <SelectField
            id="schedule-type"
            label="Report"
            value={draft.reportType}
            options={REPORT_CHOICES}
            onChange={draft.setReportType}
          />
        </Grid>
        <ScheduleTimingFields idPrefix="schedule" state={draft.timing} />
        <Grid item xs={12} sm={6}>
          <TextField
            id="schedule-recipients"
            label="Recipients"
            required
            fullWidth
            margin="normal"
            value={draft.recipients}
            onChange={e => draft.setRecipients(e.target.value)}
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
    </Box>
  );
}
