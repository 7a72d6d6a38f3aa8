import { useApi } from '@backstage/core-plugin-api';
import { SnapshotCreate } from '@switchyard/plugin-cutover-common';
import { useState } from 'react';
import { cutoverApiRef } from '../../api';
import { ActionDialog } from '../common/ActionDialog';
import { DatasetPicker } from '../common/DatasetPicker';
import { NameField } from '../common/NameField';
import { RetentionField, retentionProblem } from '../common/RetentionField';
import { TextAreaField } from '../common/TextAreaField';
import { useSubmit } from '../common/useSubmit';

/** Asks for a snapshot's name, datasets and retention, and starts it. */
export function CreateSnapshotDialog(props: {
  migrationId: string;
  /** Datasets of the migration's plan. */
  datasets: string[];
  destination: string;
  onClose: (created: boolean) => void;
}) {
  const api = useApi(cutoverApiRef);
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [datasets, setDatasets] = useState<string[]>(props.datasets);
  const [retention, setRetention] = useState('');
  const retentionError = retentionProblem(retention);
  const submission = useSubmit(
    () => {
      const body: SnapshotCreate = {
        name: name.trim(),
        ...(description.trim() ? { description: description.trim() } : {}),
        datasets,
        ...(retention.trim() ? { retentionDays: Number(retention) } : {}),
      };
      return api.createSnapshot(props.migrationId, body);
    },
    () => props.onClose(true),
  );

  return (
    <ActionDialog
      title="Take a snapshot"
      description={
        <>
          Copies the chosen datasets as they are now on the destination
          (connection <code>{props.destination}</code>), so they can be rolled
          back to this point later. It runs in the background; its progress
          shows on its card.
        </>
      }
      confirmLabel="Take snapshot"
      ready={!!name.trim() && datasets.length > 0 && !retentionError}
      submission={submission}
      onClose={() => props.onClose(false)}
    >
      <NameField
        id="snapshot-name"
        placeholder="before-tier1-import"
        value={name}
        onChange={setName}
      />
      <TextAreaField
        id="snapshot-description"
        label="Description"
        value={description}
        onChange={setDescription}
        maxLength={4000}
      />
      <DatasetPicker
        label="Datasets"
        datasets={props.datasets}
        selected={datasets}
        onChange={setDatasets}
      />
      <RetentionField
        id="snapshot-retention"
        label="Keep for (days)"
        value={retention}
        onChange={setRetention}
        hint="Optional; the configured retention applies when empty."
      />
    </ActionDialog>
  );
}
