import { InfoCard } from '@backstage/core-components';
import Box from '@material-ui/core/Box';
import Chip from '@material-ui/core/Chip';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import Typography from '@material-ui/core/Typography';
import type {
  GoldenQueryResult,
  IntegrityResults,
  ReconciliationRun,
  RelationCheckResult,
} from '@switchyard/plugin-cutover-common';
import { formatCount, formatDateTime } from '../common/format';
import { StatusChip } from '../common/StatusChip';
import { newestFirst, runTime } from './reconciliationRuns';

function relationStatus(r: RelationCheckResult): string {
  if (r.status === 'FAILED') return 'FAILED';
  return r.orphans ? 'ORPHANS' : 'OK';
}

const formatMs = (ms: number | null) =>
  ms === null ? '–' : `${ms < 10 ? ms.toFixed(1) : Math.round(ms)} ms`;

const formatSlowdown = (s: number | null) =>
  s === null ? '–' : `${s >= 0 ? '+' : ''}${(s * 100).toFixed(0)}%`;

/** One relation: where it comes from, how many rows refer, how many of them to nothing, which. */
function RelationSection(props: { relation: RelationCheckResult }) {
  const r = props.relation;
  const status = relationStatus(r);
  return (
    <Box
      component="section"
      aria-label={`Relation ${r.name}`}
      data-testid={`integrity-relation-${r.name}`}
      py={1}
      style={{ borderBottom: '1px solid rgba(127,127,127,0.2)' }}
    >
      <Box
        display="flex"
        alignItems="center"
        flexWrap="wrap"
        style={{ gap: 8 }}
      >
        <Typography variant="subtitle2" component="h4">
          {r.dataset ? (
            <>
              {r.dataset}.{r.columns.join(', ')} → {r.references.dataset}.
              {r.references.columns.join(', ')}
            </>
          ) : (
            r.name
          )}
        </Typography>
        <StatusChip status={status} />
        <Typography variant="caption" color="textSecondary">
          {r.origin === 'CONSTRAINT'
            ? `foreign key ${r.name} of the destination`
            : `declared in the plan${r.name ? ` (${r.name})` : ''}`}
        </Typography>
      </Box>
      {r.status === 'FAILED' ? (
        <Typography variant="body2" color="error">
          {r.error}
        </Typography>
      ) : (
        <Typography variant="body2">
          {formatCount(r.orphans)} orphan(s) among {formatCount(r.checked)}{' '}
          referencing row(s)
          {r.durationMs !== null
            ? ` · checked in ${formatMs(r.durationMs)}`
            : ''}
        </Typography>
      )}
      {r.sampleKeys.length > 0 && (
        <Box
          display="flex"
          flexWrap="wrap"
          style={{ gap: 6 }}
          mt={0.5}
          data-testid={`orphan-keys-${r.name}`}
        >
          {r.sampleKeys.map((k, i) => (
            <Chip
              key={i}
              size="small"
              variant="outlined"
              label={<code>{JSON.stringify(k)}</code>}
            />
          ))}
        </Box>
      )}
    </Box>
  );
}

function GoldenQueryRow(props: { query: GoldenQueryResult }) {
  const q = props.query;
  return (
    <>
      <TableRow data-testid={`golden-query-${q.name}`}>
        <TableCell>{q.name}</TableCell>
        <TableCell>
          <StatusChip status={q.status} />
        </TableCell>
        <TableCell align="right">{formatCount(q.sourceRows)}</TableCell>
        <TableCell align="right">{formatCount(q.destinationRows)}</TableCell>
        <TableCell align="right">{formatMs(q.sourceMs)}</TableCell>
        <TableCell align="right">{formatMs(q.destinationMs)}</TableCell>
        <TableCell align="right">{formatSlowdown(q.slowdown)}</TableCell>
        <TableCell>
          {q.error && (
            <Typography variant="body2" color="error">
              {q.error}
            </Typography>
          )}
        </TableCell>
      </TableRow>
      {q.differences.length > 0 && (
        <TableRow>
          <TableCell colSpan={8}>
            <Typography variant="caption" color="textSecondary">
              Rows on one side only{q.ordered ? ' (compared in order)' : ''}:
            </Typography>
            {q.differences.map((d, i) => (
              <Typography key={i} variant="body2" component="div">
                {d.side}: <code>{JSON.stringify(d.row)}</code>
              </Typography>
            ))}
          </TableCell>
        </TableRow>
      )}
    </>
  );
}

/** The integrity results of one run: a section per relation, then the golden queries. */
export function IntegrityResultsView(props: { integrity: IntegrityResults }) {
  const { relations, goldenQueries } = props.integrity;
  return (
    <Box data-testid="integrity-results">
      <Typography variant="subtitle1" component="h3">
        Relations
      </Typography>
      {relations.length === 0 ? (
        <Typography variant="body2" color="textSecondary">
          No foreign-key relation between the plan's destination tables.
        </Typography>
      ) : (
        relations.map(r => <RelationSection key={r.name} relation={r} />)
      )}
      <Box mt={2}>
        <Typography variant="subtitle1" component="h3">
          Golden queries
        </Typography>
        {goldenQueries.length === 0 ? (
          <Typography variant="body2" color="textSecondary">
            The plan lists no golden queries.
          </Typography>
        ) : (
          <Box style={{ overflowX: 'auto' }}>
            <Table size="small" aria-label="Golden queries">
              <TableHead>
                <TableRow style={{ whiteSpace: 'nowrap' }}>
                  <TableCell>Query</TableCell>
                  <TableCell>Result</TableCell>
                  <TableCell align="right">Source rows</TableCell>
                  <TableCell align="right">Destination rows</TableCell>
                  <TableCell align="right">Source time</TableCell>
                  <TableCell align="right">Destination time</TableCell>
                  <TableCell align="right">Slowdown</TableCell>
                  <TableCell>Error</TableCell>
                </TableRow>
              </TableHead>
              <TableBody>
                {goldenQueries.map(q => (
                  <GoldenQueryRow key={q.name} query={q} />
                ))}
              </TableBody>
            </Table>
          </Box>
        )}
      </Box>
    </Box>
  );
}

/** Integrity of the destination as the newest reconciliation that checked it found it. */
export function IntegrityCard(props: { runs: ReconciliationRun[] }) {
  const latest = newestFirst(props.runs).find(r => r.integrity);
  return (
    <Box data-testid="integrity-card">
      <InfoCard
        title="Integrity"
        subheader="Foreign-key references checked inside the destination, and golden queries compared on both sides."
      >
        {!latest?.integrity ? (
          <Typography variant="body2" color="textSecondary">
            No reconciliation has checked integrity yet.
          </Typography>
        ) : (
          <>
            <Typography variant="caption" color="textSecondary" component="p">
              Reconciliation of {formatDateTime(runTime(latest))}
            </Typography>
            <IntegrityResultsView integrity={latest.integrity} />
          </>
        )}
      </InfoCard>
    </Box>
  );
}
