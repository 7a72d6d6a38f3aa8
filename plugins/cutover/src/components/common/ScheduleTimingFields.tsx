import Grid from '@material-ui/core/Grid';
import TextField from '@material-ui/core/TextField';
import Autocomplete from '@material-ui/lab/Autocomplete';
import {
  nextScheduledRun,
  REPORT_FREQUENCIES,
  ReportFrequency,
} from '@switchyard/plugin-cutover-common';
import { DateTime } from 'luxon';
import { useMemo, useState } from 'react';
import {
  browserTimeZone,
  FREQUENCY_LABELS,
  isWeekly,
  timeZoneOptions,
  WEEKDAYS,
} from '../MigrationTab/reportSchedules';
import { SelectField } from './SelectField';

const TIME = /^([01]\d|2[0-3]):[0-5]\d$/;
const FREQUENCIES = REPORT_FREQUENCIES.map(f => ({
  value: f,
  label: FREQUENCY_LABELS[f],
}));
const DAYS_OF_WEEK = WEEKDAYS.slice(1).map((day, i) => ({
  value: i + 1,
  label: day,
}));
const DAYS_OF_MONTH = Array.from({ length: 31 }, (_, i) => ({
  value: i + 1,
  label: String(i + 1),
}));
/** The day field each kind of frequency asks for. */
const DAY_FIELDS = {
  dayOfWeek: {
    idSuffix: 'day-of-week',
    label: 'Day of week',
    options: DAYS_OF_WEEK,
  },
  dayOfMonth: {
    idSuffix: 'day-of-month',
    label: 'Day of month',
    options: DAYS_OF_MONTH,
  },
};

function dayField(
  frequency: ReportFrequency,
): keyof typeof DAY_FIELDS | undefined {
  if (isWeekly(frequency)) return 'dayOfWeek';
  return frequency === 'MONTHLY' ? 'dayOfMonth' : undefined;
}

/** What a person has chosen so far in the timing fields of a schedule form. */
export interface TimingDraft {
  frequency: ReportFrequency;
  dayOfWeek: number;
  dayOfMonth: number;
  time: string;
  timezone: string;
}

/** The timing part of a schedule's create body: only the day its frequency needs. */
export interface TimingBody {
  frequency: ReportFrequency;
  dayOfWeek?: number;
  dayOfMonth?: number;
  time: string;
  timezone: string;
}

/** The timing fields' state, the timing they send, and whether it is complete. */
export interface ScheduleTimingState {
  draft: TimingDraft;
  change: (patch: Partial<TimingDraft>) => void;
  /** The timing part of a create body: only the day the frequency needs, the zone trimmed. */
  timing: TimingBody;
  /** A valid `HH:mm` time and a zone. */
  complete: boolean;
}

/**
 * The timing of a new report schedule or scheduled operation: frequency, day, time and zone
 * (the browser's to begin with).
 */
export function useScheduleTiming(initial: {
  frequency: ReportFrequency;
  time: string;
}): ScheduleTimingState {
  const [draft, setDraft] = useState<TimingDraft>(() => ({
    frequency: initial.frequency,
    dayOfWeek: 1,
    dayOfMonth: 1,
    time: initial.time,
    timezone: browserTimeZone(),
  }));
  const { frequency, dayOfWeek, dayOfMonth, time } = draft;
  const timing: TimingBody = {
    frequency,
    ...(isWeekly(frequency) ? { dayOfWeek } : {}),
    ...(frequency === 'MONTHLY' ? { dayOfMonth } : {}),
    time,
    timezone: draft.timezone.trim(),
  };
  return {
    draft,
    change: patch => setDraft(d => ({ ...d, ...patch })),
    timing,
    complete: TIME.test(time) && !!timing.timezone,
  };
}

/** When a schedule would first run, in its own zone; undefined when its timing is not valid. */
export function firstRun(timing: TimingBody): string | undefined {
  try {
    const at = nextScheduledRun(timing, new Date());
    const local = DateTime.fromJSDate(at, { zone: timing.timezone }).toFormat(
      'ccc d LLL yyyy, HH:mm',
    );
    return `${local} (${timing.timezone})`;
  } catch {
    return undefined;
  }
}

/**
 * Frequency, day of the week or month, time and time zone of a schedule form, as items of the
 * form's Grid; the ids start with `idPrefix`.
 */
export function ScheduleTimingFields(props: {
  idPrefix: string;
  state: ScheduleTimingState;
}) {
  const { idPrefix } = props;
  const { draft, change } = props.state;
  const zones = useMemo(() => timeZoneOptions(browserTimeZone()), []);
  const timeValid = TIME.test(draft.time);
  const day = dayField(draft.frequency);
  return (
    <>
      <Grid item xs={12} sm={4}>
        <SelectField
          id={`${idPrefix}-frequency`}
          label="Frequency"
          value={draft.frequency}
          options={FREQUENCIES}
          onChange={frequency => change({ frequency })}
        />
      </Grid>
      <Grid item xs={12} sm={4}>
        {day && (
          <SelectField
            key={day}
            id={`${idPrefix}-${DAY_FIELDS[day].idSuffix}`}
            label={DAY_FIELDS[day].label}
            value={draft[day]}
            options={DAY_FIELDS[day].options}
            onChange={value => change({ [day]: value })}
            helperText={
              day === 'dayOfMonth' && draft.dayOfMonth > 28
                ? 'Shorter months run on their last day'
                : undefined
            }
          />
        )}
      </Grid>
      <Grid item xs={12} sm={4}>
        <TextField
          id={`${idPrefix}-time`}
          label="Time"
          type="time"
          fullWidth
          margin="normal"
          value={draft.time}
          onChange={e => change({ time: e.target.value })}
          error={!timeValid}
          helperText={timeValid ? undefined : '24-hour time, HH:mm'}
          InputLabelProps={{ shrink: true }}
          inputProps={{ step: 300 }}
        />
      </Grid>
      <Grid item xs={12} sm={6}>
        {zones.length > 0 ? (
          <Autocomplete
            id={`${idPrefix}-timezone`}
            options={zones}
            value={draft.timezone}
            onChange={(_e, zone) => change({ timezone: zone })}
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
            id={`${idPrefix}-timezone`}
            label="Time zone (IANA)"
            fullWidth
            margin="normal"
            value={draft.timezone}
            onChange={e => change({ timezone: e.target.value })}
            placeholder="Europe/Berlin"
          />
        )}
      </Grid>
    </>
  );
}
