import { useApi } from '@backstage/core-plugin-api';
import { ReconciliationCreate } from '@switchyard/plugin-cutover-common';
import { useState } from 'react';
import { cutoverApiRef } from '../../api';
import { ActionDialog } from '../common/ActionDialog';
import { DatasetPicker } from '../common/DatasetPicker';
import { useSubmit } from '../common/useSubmit';

/** Starts a reconciliation of all datasets, or of the chosen ones. */
export function RunReconciliationDialog(props: {
  migrationId: string;
  datasets: string[];
  onClose: (started: boolean) => void;
}) {
  const api = useApi(cutoverApiRef);
  const [datasets, setDatasets] = useState<string[]>(props.datasets);
  const all = datasets.length === props.datasets.length;
  const submission = useSubmit(
    () => {
      // No list means every dataset, including ones added to the plan later.
      const body: ReconciliationCreate = all ? {} : { datasets };
      return api.startReconciliation(props.migrationId, body);
    },
    () => props.onClose(true),
  );

  return (
    <ActionDialog
      title="Run reconciliation"
      description="Compares each dataset between the source and the destination by its key columns: rows missing on either side and rows that differ. The drift is judged against the migration's thresholds: a dataset in cutover whose drift passes the rollback threshold is rolled back to LEGACY reads, unless automatic rollback is turned off."
      confirmLabel="Run"
      ready={datasets.length > 0}
      submission={submission}
      onClose={() => props.onClose(false)}
    >
      <DatasetPicker
        label="Datasets to compare"
        datasets={props.datasets}
        selected={datasets}
        onChange={setDatasets}
      />
    </ActionDialog>
  );
}
