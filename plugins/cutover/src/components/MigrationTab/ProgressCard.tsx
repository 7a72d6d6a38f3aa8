import { InfoCard } from '@backstage/core-components';
import Grid from '@material-ui/core/Grid';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import type { Dashboard } from '@switchyard/plugin-cutover-common';
import {
  formatBytes,
  formatCost,
  formatCount,
  formatDateTime,
  formatElapsed,
  formatRate,
  formatRelative,
} from '../common/format';
import { ScoreRing } from '../common/ScoreRing';

const useStyles = makeStyles({
  figure: { fontWeight: 600 },
});

function Figure(props: { label: string; value: string; title?: string }) {
  const classes = useStyles();
  return (
    <Grid item xs={6}>
      <Typography variant="caption" color="textSecondary">
        {props.label}
      </Typography>
      <Typography variant="body1" className={classes.figure} title={props.title}>
        {props.value}
      </Typography>
    </Grid>
  );
}

function etaText(d: Dashboard): string {
  if (d.overallProgress >= 100) return 'done';
  if (d.estimatedCompletion) return formatRelative(d.estimatedCompletion);
  return 'no recent progress';
}

/** Overall progress: a ring with the percentage, records, rate, ETA and elapsed time. */
export function ProgressCard(props: { dashboard: Dashboard }) {
  const { dashboard: d } = props;
  const handled = d.importedRecords + d.failedRecords + d.skippedRecords;
  return (
    <InfoCard title="Overall progress" noPadding={false}>
      <Grid container spacing={2} alignItems="center">
        <Grid item xs={12} sm={5} style={{ textAlign: 'center' }}>
          <ScoreRing
            value={d.overallProgress}
            text={`${d.overallProgress.toFixed(1)}%`}
            caption="complete"
            label="Overall progress"
            size={140}
            thickness={4}
            testId="overall-progress"
          />
        </Grid>
        <Grid item xs={12} sm={7}>
          <Grid container spacing={1}>
            <Figure
              label="Records"
              value={`${formatCount(handled)} / ${formatCount(d.totalRecords)}`}
            />
            <Figure label="Imported" value={formatCount(d.importedRecords)} />
            <Figure label="Failed" value={formatCount(d.failedRecords)} />
            <Figure label="Skipped" value={formatCount(d.skippedRecords)} />
            <Figure label="Rate" value={formatRate(d.importRate)} />
            {d.resources && d.resources.bytesPerSecond !== null && (
              <Figure
                label="Throughput"
                value={`${formatBytes(d.resources.bytesPerSecond)}/s`}
                title={`${formatBytes(d.resources.bytesMoved)} moved so far`}
              />
            )}
            <Figure
              label="ETA"
              value={etaText(d)}
              title={formatDateTime(d.estimatedCompletion)}
            />
            <Figure label="Elapsed" value={formatElapsed(d.elapsedMs)} />
            {d.resources && d.resources.cost !== null && (
              <>
                <Figure
                  label="Cost to date"
                  value={formatCost(d.resources.cost, d.resources.currency)}
                />
                <Figure
                  label="Projected cost"
                  value={formatCost(d.resources.projectedCost, d.resources.currency)}
                  title="At completion, at the cost per record so far"
                />
              </>
            )}
            <Figure
              label="Planned end"
              value={d.plannedEnd ? formatRelative(d.plannedEnd) : '–'}
              title={formatDateTime(d.plannedEnd)}
            />
          </Grid>
        </Grid>
      </Grid>
    </InfoCard>
  );
}
