import { useApi } from '@backstage/core-plugin-api';
import Alert from '@material-ui/lab/Alert';
import AlertTitle from '@material-ui/lab/AlertTitle';
import { RollbackCreate, Snapshot } from '@switchyard/plugin-cutover-common';
import { useState } from 'react';
import { cutoverApiRef } from '../../api';
import { ActionDialog } from '../common/ActionDialog';
import { CheckboxField } from '../common/CheckboxField';
import { DatasetPicker } from '../common/DatasetPicker';
import { formatDateTime, formatRelative } from '../common/format';
import { TextAreaField } from '../common/TextAreaField';
import { useSubmit } from '../common/useSubmit';

/**
 * Rolls datasets back to a snapshot. Destructive, so the user types the migration id to
 * enable the button, and a backup snapshot is taken first unless they opt out.
 */
export function RollbackDialog(props: {
  migrationId: string;
  snapshot: Snapshot;
  destination?: string;
  onClose: (started: boolean) => void;
}) {
  const { migrationId, snapshot } = props;
  const api = useApi(cutoverApiRef);
  const [datasets, setDatasets] = useState<string[]>(snapshot.datasets);
  const [createBackup, setCreateBackup] = useState(true);
  const [verifyAfter, setVerifyAfter] = useState(true);
  const [reason, setReason] = useState('');
  const submission = useSubmit(
    () => {
      const body: RollbackCreate = {
        snapshotId: snapshot.id,
        datasets,
        createBackup,
        verifyAfter,
        ...(reason.trim() ? { reason: reason.trim() } : {}),
      };
      return api.executeRollback(migrationId, body);
    },
    () => props.onClose(true),
  );

  const where = props.destination ? ` (connection ${props.destination})` : '';
  return (
    <ActionDialog
      title={`Roll back to "${snapshot.name}"`}
      confirmLabel="Roll back"
      confirmColor="secondary"
      ready={datasets.length > 0}
      typedConfirmation={{ text: migrationId, id: 'rollback-confirmation' }}
      submission={submission}
      onClose={() => props.onClose(false)}
    >
      <Alert severity="error">
        <AlertTitle>Data on the destination will be replaced</AlertTitle>
        The chosen datasets on the destination{where} are restored to their
        state in this snapshot, taken {formatRelative(snapshot.createdAt)} (
        {formatDateTime(snapshot.createdAt)}). Rows written, changed or deleted
        since then are overwritten or removed, and applications reading from the
        destination see the restored data at once.
      </Alert>
      <DatasetPicker
        label="Datasets to roll back"
        datasets={snapshot.datasets}
        selected={datasets}
        onChange={setDatasets}
        counts={snapshot.recordCounts}
      />
      <CheckboxField
        label="Take a backup snapshot first"
        checked={createBackup}
        onChange={setCreateBackup}
        warn={!createBackup}
        helperText={
          createBackup
            ? 'The current data is saved as a snapshot before anything is replaced, so this rollback can be undone.'
            : 'Without a backup, the data replaced by this rollback cannot be recovered.'
        }
      />
      <CheckboxField
        label="Verify after restore"
        checked={verifyAfter}
        onChange={setVerifyAfter}
        helperText="Compares record counts and checksums of the restored datasets with the snapshot."
      />
      <TextAreaField
        id="rollback-reason"
        label="Reason (recorded in the audit trail)"
        value={reason}
        onChange={setReason}
        maxLength={4000}
      />
    </ActionDialog>
  );
}
