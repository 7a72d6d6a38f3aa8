import { useApi } from '@backstage/core-plugin-api';
import Box from '@material-ui/core/Box';
import TextField from '@material-ui/core/TextField';
import { FreezeWindowCreate } from '@switchyard/plugin-cutover-common';
import { DateTime } from 'luxon';
import { useState } from 'react';
import { cutoverApiRef } from '../../api';
import { ActionDialog } from '../common/ActionDialog';
import { CheckboxField } from '../common/CheckboxField';
import { DatasetPicker } from '../common/DatasetPicker';
import { NameField } from '../common/NameField';
import { TextAreaField } from '../common/TextAreaField';
import { useSubmit } from '../common/useSubmit';

const LOCAL_FORMAT = "yyyy-MM-dd'T'HH:mm";

/** A `datetime-local` value (local time) as an ISO timestamp in UTC, or undefined. */
export function localToIso(value: string): string | undefined {
  if (!value) return undefined;
  const dt = DateTime.fromISO(value);
  return dt.isValid ? dt.toUTC().toISO() ?? undefined : undefined;
}

/** A `datetime-local` value some hours from the next full hour. */
function hoursAhead(hours: number): string {
  return DateTime.now()
    .plus({ hours: 1 })
    .startOf('hour')
    .plus({ hours })
    .toFormat(LOCAL_FORMAT);
}

/** Plans a freeze window: its name, datasets, period and whether reads may be switched in it. */
export function FreezeWindowDialog(props: {
  migrationId: string;
  datasets: string[];
  onClose: (created: boolean) => void;
}) {
  const api = useApi(cutoverApiRef);
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [datasets, setDatasets] = useState<string[]>(props.datasets);
  // Typical freeze windows last 2-4 hours.
  const [start, setStart] = useState(() => hoursAhead(0));
  const [end, setEnd] = useState(() => hoursAhead(4));
  const [allowSwitch, setAllowSwitch] = useState(true);
  const startsAt = localToIso(start);
  const endsAt = localToIso(end);
  const endBeforeStart =
    !!startsAt && !!endsAt && Date.parse(endsAt) <= Date.parse(startsAt);
  const ready =
    !!name.trim() &&
    datasets.length > 0 &&
    !!startsAt &&
    !!endsAt &&
    !endBeforeStart;
  const submission = useSubmit(
    () => {
      const body: FreezeWindowCreate = {
        name: name.trim(),
        ...(description.trim() ? { description: description.trim() } : {}),
        datasets,
        startsAt: startsAt!,
        endsAt: endsAt!,
        allowReadSourceSwitch: allowSwitch,
      };
      return api.createFreezeWindow(props.migrationId, body);
    },
    () => props.onClose(true),
  );

  return (
    <ActionDialog
      title="Plan a freeze window"
      description="While a window is active, the data of its datasets must not change, so a cutover can be checked against figures that hold still. Once planned, activate it when the freeze begins and complete it when it ends."
      confirmLabel="Plan window"
      ready={ready}
      submission={submission}
      onClose={() => props.onClose(false)}
    >
      <NameField
        id="freeze-name"
        placeholder="orders cutover"
        value={name}
        onChange={setName}
      />
      <TextAreaField
        id="freeze-description"
        label="Description"
        value={description}
        onChange={setDescription}
        maxLength={4000}
      />
      <DatasetPicker
        label="Datasets frozen"
        datasets={props.datasets}
        selected={datasets}
        onChange={setDatasets}
      />
      <Box display="flex" style={{ gap: 16 }}>
        <TextField
          id="freeze-start"
          label="Starts"
          type="datetime-local"
          required
          fullWidth
          margin="normal"
          value={start}
          onChange={e => setStart(e.target.value)}
          InputLabelProps={{ shrink: true }}
        />
        <TextField
          id="freeze-end"
          label="Ends"
          type="datetime-local"
          required
          fullWidth
          margin="normal"
          value={end}
          onChange={e => setEnd(e.target.value)}
          error={endBeforeStart}
          helperText={endBeforeStart ? 'Must be after the start' : undefined}
          InputLabelProps={{ shrink: true }}
        />
      </Box>
      <CheckboxField
        label="Allow read-source switches during the window"
        checked={allowSwitch}
        onChange={setAllowSwitch}
        helperText={
          allowSwitch
            ? 'Reads may be switched while the window is active: the usual way to cut over.'
            : 'Reads may only go back to LEGACY while the window is active.'
        }
      />
    </ActionDialog>
  );
}
