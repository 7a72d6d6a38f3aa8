import { useApi } from '@backstage/core-plugin-api';
import Button from '@material-ui/core/Button';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogContentText from '@material-ui/core/DialogContentText';
import DialogTitle from '@material-ui/core/DialogTitle';
import Alert from '@material-ui/lab/Alert';
import { ReconciliationCreate } from '@switchyard/plugin-cutover-common';
import { useState } from 'react';
import { cutoverApiRef } from '../../api';
import { errorMessage } from '../common/format';
import { DatasetPicker } from '../RollbackTab/DatasetPicker';

/** Starts a reconciliation of all datasets, or of the chosen ones. */
export function RunReconciliationDialog(props: {
  migrationId: string;
  datasets: string[];
  onClose: (started: boolean) => void;
}) {
  const api = useApi(cutoverApiRef);
  const [datasets, setDatasets] = useState<string[]>(props.datasets);
  const [error, setError] = useState<Error>();
  const [busy, setBusy] = useState(false);
  const all = datasets.length === props.datasets.length;

  const submit = async () => {
    setBusy(true);
    setError(undefined);
    // No list means every dataset, including ones added to the plan later.
    const body: ReconciliationCreate = all ? {} : { datasets };
    try {
      await api.startReconciliation(props.migrationId, body);
      props.onClose(true);
    } catch (e) {
      setError(e as Error);
      setBusy(false);
    }
  };

  return (
    <Dialog
      open
      onClose={() => !busy && props.onClose(false)}
      maxWidth="sm"
      fullWidth
    >
      <DialogTitle>Run reconciliation</DialogTitle>
      <DialogContent>
        <DialogContentText>
          Compares each dataset between the source and the destination by its
          key columns: rows missing on either side and rows that differ. The
          drift is judged against the migration's thresholds: a dataset in
          cutover whose drift passes the rollback threshold is rolled back to
          LEGACY reads, unless automatic rollback is turned off.
        </DialogContentText>
        <DatasetPicker
          label="Datasets to compare"
          datasets={props.datasets}
          selected={datasets}
          onChange={setDatasets}
        />
        {error && <Alert severity="error">{errorMessage(error)}</Alert>}
      </DialogContent>
      <DialogActions>
        <Button onClick={() => props.onClose(false)} disabled={busy}>
          Cancel
        </Button>
        <Button
          color="primary"
          variant="contained"
          onClick={submit}
          disabled={datasets.length === 0 || busy}
        >
          Run
        </Button>
      </DialogActions>
    </Dialog>
  );
}
