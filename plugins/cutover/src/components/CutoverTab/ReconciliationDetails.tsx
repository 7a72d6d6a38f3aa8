import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Chip from '@material-ui/core/Chip';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import Typography from '@material-ui/core/Typography';
import Alert from '@material-ui/lab/Alert';
import {
  ReconciliationDatasetResult,
  ReconciliationRun,
} from '@switchyard/plugin-cutover-common';
import { useState } from 'react';
import { useLiveCutoverData } from '../../hooks/useCutoverData';
import { formatCount } from '../common/format';
import { StatusChip } from '../common/StatusChip';
import { IntegrityResultsView } from './IntegrityCard';
import { formatDrift } from './reconciliationRuns';

type SampleKind = ReconciliationDatasetResult['sampleKeys'][number]['kind'];

const SAMPLE_KINDS: Record<SampleKind, string> = {
  missingInDestination: 'missing in destination',
  missingInSource: 'missing in source',
  mismatched: 'mismatched',
};

function DatasetFigures(props: { result: ReconciliationDatasetResult }) {
  const r = props.result;
  return (
    <TableRow data-testid={`reconciliation-dataset-${r.name}`} style={{ whiteSpace: 'nowrap' }}>
      <TableCell>{r.name}</TableCell>
      <TableCell align="right">{formatCount(r.sourceCount)}</TableCell>
      <TableCell align="right">{formatCount(r.destinationCount)}</TableCell>
      <TableCell align="right">{formatCount(r.missingInDestination)}</TableCell>
      <TableCell align="right">{formatCount(r.missingInSource)}</TableCell>
      <TableCell align="right">{formatCount(r.mismatched)}</TableCell>
      <TableCell align="right">{formatDrift(r.driftRatio)}</TableCell>
      <TableCell>
        <StatusChip status={r.level ?? r.status} />
      </TableCell>
      <TableCell align="right">{formatCount(r.rowsCompared)}</TableCell>
      <TableCell>
        {r.error && (
          <Typography variant="body2" color="error">
            {r.error}
          </Typography>
        )}
      </TableCell>
    </TableRow>
  );
}

const FIRST_KEYS = 8;

/** One dataset's differing keys: the first few, the rest on request, grouped by kind. */
function DatasetSample(props: { result: ReconciliationDatasetResult }) {
  const r = props.result;
  const [all, setAll] = useState(false);
  const shown = all ? r.sampleKeys : r.sampleKeys.slice(0, FIRST_KEYS);
  return (
    <Box mt={1} data-testid={`sample-keys-${r.name}`}>
      <Typography variant="caption" color="textSecondary">
        {r.name}: {r.sampleKeys.length} of {formatCount((r.missingInDestination ?? 0) + (r.missingInSource ?? 0) + (r.mismatched ?? 0))} differing keys sampled
      </Typography>
      <Box display="flex" flexWrap="wrap" style={{ gap: 6 }} mt={0.5}>
        {shown.map((s, i) => (
          <Chip
            key={i}
            size="small"
            variant="outlined"
            label={
              <span>
                <code>{JSON.stringify(s.key)}</code> {SAMPLE_KINDS[s.kind]}
              </span>
            }
          />
        ))}
        {r.sampleKeys.length > FIRST_KEYS && (
          <Button size="small" onClick={() => setAll(!all)}>
            {all ? 'Show fewer' : `Show all ${r.sampleKeys.length}`}
          </Button>
        )}
      </Box>
    </Box>
  );
}

/** The keys of a sample of the rows that differ, by dataset. */
function SampleKeys(props: { results: ReconciliationDatasetResult[] }) {
  const withSamples = props.results.filter(r => r.sampleKeys.length > 0);
  if (!withSamples.length) return null;
  return (
    <Box mt={2}>
      <Typography variant="subtitle2">Sample of differing keys</Typography>
      {withSamples.map(r => (
        <DatasetSample key={r.name} result={r} />
      ))}
    </Box>
  );
}

/** What the reconciler noted per dataset: renamed, ignored or one-sided columns. */
function ComparisonNotes(props: { results: ReconciliationDatasetResult[] }) {
  const withNotes = props.results.filter(r => r.notes?.length);
  if (!withNotes.length) return null;
  return (
    <Box mt={2} data-testid="reconciliation-notes">
      <Typography variant="subtitle2">How columns were compared</Typography>
      {withNotes.map(r => (
        <Typography key={r.name} variant="body2" color="textSecondary" component="div">
          <strong>{r.name}</strong>: {r.notes!.join('; ')}
        </Typography>
      ))}
    </Box>
  );
}

/**
 * Per-dataset figures and differing keys of one run. Loads the run itself (the list may carry
 * less), showing what the list has until then, and follows it while it runs.
 */
export function ReconciliationDetails(props: {
  migrationId: string;
  run: ReconciliationRun;
}) {
  const { run } = props;
  const detail = useLiveCutoverData<ReconciliationRun>(
    props.migrationId,
    (api, id) => api.getReconciliation(id, run.id),
    ['reconciliation'],
    [run.id],
  );
  const shown = detail.value ?? run;
  return (
    <Box py={1} data-testid={`reconciliation-details-${run.id}`}>
      {shown.error && (
        <Box mb={1}>
          <Alert severity="error">{shown.error}</Alert>
        </Box>
      )}
      <Box style={{ overflowX: 'auto' }}>
        <Table size="small" aria-label={`Figures of reconciliation ${run.id}`}>
          <TableHead>
            <TableRow style={{ whiteSpace: 'nowrap' }}>
              <TableCell>Dataset</TableCell>
              <TableCell align="right">Source</TableCell>
              <TableCell align="right">Destination</TableCell>
              <TableCell align="right">Missing in destination</TableCell>
              <TableCell align="right">Missing in source</TableCell>
              <TableCell align="right">Mismatched</TableCell>
              <TableCell align="right">Drift</TableCell>
              <TableCell>Level</TableCell>
              <TableCell align="right">Rows compared</TableCell>
              <TableCell>Error</TableCell>
            </TableRow>
          </TableHead>
          <TableBody>
            {shown.datasets.map(r => (
              <DatasetFigures key={r.name} result={r} />
            ))}
          </TableBody>
        </Table>
      </Box>
      <ComparisonNotes results={shown.datasets} />
      <SampleKeys results={shown.datasets} />
      {shown.integrity && (
        <Box mt={2}>
          <IntegrityResultsView integrity={shown.integrity} />
        </Box>
      )}
    </Box>
  );
}
