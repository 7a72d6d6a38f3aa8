import Box from '@material-ui/core/Box';
import FormControl from '@material-ui/core/FormControl';
import InputLabel from '@material-ui/core/InputLabel';
import MenuItem from '@material-ui/core/MenuItem';
import Select from '@material-ui/core/Select';
import Typography from '@material-ui/core/Typography';
import { useTheme } from '@material-ui/core/styles';
import {
  DriftThresholds,
  ReconciliationRun,
} from '@switchyard/plugin-cutover-common';
import { DateTime } from 'luxon';
import { useState } from 'react';
import {
  CartesianGrid,
  Line,
  LineChart,
  ReferenceLine,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import { ChartOrTable } from '../common/ChartOrTable';
import {
  formatDrift,
  latestDrift,
  newestFirst,
  runTime,
} from './reconciliationRuns';

/** A dataset's drift (in %) at each run that measured it, oldest first. */
function driftPoints(runs: ReconciliationRun[], dataset: string) {
  return newestFirst(runs)
    .reverse()
    .flatMap(run => {
      const r = run.datasets.find(d => d.name === dataset);
      if (!r || r.driftRatio === null) return [];
      return [
        {
          t: DateTime.fromISO(runTime(run)).toFormat('LLL d HH:mm'),
          drift: r.driftRatio * 100,
          ratio: r.driftRatio,
          level: r.level,
        },
      ];
    });
}

/** The dataset with the highest last drift: the one most worth looking at. */
function worstDataset(runs: ReconciliationRun[], datasets: string[]) {
  const drift = latestDrift(runs);
  return [...datasets].sort(
    (a, b) => (drift.get(b)?.ratio ?? -1) - (drift.get(a)?.ratio ?? -1),
  )[0];
}

/** Drift of one dataset over the reconciliation runs, against the thresholds. */
export function DriftChart(props: {
  runs: ReconciliationRun[];
  datasets: string[];
}) {
  const theme = useTheme();
  const [chosen, setChosen] = useState<string>();
  const dataset = chosen ?? worstDataset(props.runs, props.datasets);
  const points = dataset ? driftPoints(props.runs, dataset) : [];
  const thresholds: DriftThresholds | undefined = newestFirst(props.runs)[0]
    ?.thresholds;
  const lines = thresholds
    ? [
        {
          name: 'warning',
          value: thresholds.warning,
          color: theme.palette.warning.main,
        },
        {
          name: 'critical',
          value: thresholds.critical,
          color: theme.palette.error.main,
        },
        {
          name: 'rollback',
          value: thresholds.rollback,
          color: theme.palette.error.dark,
        },
      ].map(l => ({ ...l, value: l.value * 100 }))
    : [];
  const top = Math.max(
    0,
    ...points.map(p => p.drift),
    ...lines.map(l => l.value),
  );

  const controls = (
    <>
      <Typography variant="subtitle2" component="h3">
        Drift over runs
      </Typography>
      <FormControl size="small">
        <InputLabel id="drift-dataset">Dataset</InputLabel>
        <Select
          labelId="drift-dataset"
          // The name says the label and the chosen dataset, as the control shows them.
          SelectDisplayProps={{ id: 'drift-dataset-value' } as any}
          value={dataset ?? ''}
          onChange={e => setChosen(e.target.value as string)}
          style={{ minWidth: 160 }}
        >
          {props.datasets.map(d => (
            <MenuItem key={d} value={d}>
              {d}
            </MenuItem>
          ))}
        </Select>
      </FormControl>
    </>
  );
  const last = points[points.length - 1];
  const peak = points.reduce((m, p) => Math.max(m, p.ratio), 0);
  const summary = last
    ? `${dataset}: drift ${formatDrift(last.ratio)} at the last of ${
        points.length
      } run${points.length === 1 ? '' : 's'} (${
        last.level ?? 'not judged'
      }), highest ${formatDrift(peak)}${
        thresholds
          ? `; thresholds: warning ${formatDrift(
              thresholds.warning,
            )}, critical ${formatDrift(
              thresholds.critical,
            )}, rollback ${formatDrift(thresholds.rollback)}`
          : ''
      }.`
    : '';

  return (
    <Box data-testid="drift-chart">
      {points.length === 0 ? (
        <>
          <Box display="flex" alignItems="center" style={{ gap: 16 }}>
            {controls}
          </Box>
          <Box py={4}>
            <Typography variant="body2" color="textSecondary">
              No drift measured for {dataset ?? 'any dataset'} yet.
            </Typography>
          </Box>
        </>
      ) : (
        <ChartOrTable
          label={`Drift of ${dataset} over runs`}
          summary={summary}
          rows={[...points].reverse()}
          columns={[
            { title: 'Run', value: p => p.t },
            { title: 'Drift', value: p => formatDrift(p.ratio), numeric: true },
            { title: 'Level', value: p => p.level ?? '–' },
          ]}
          height={240}
          controls={controls}
        >
          <ResponsiveContainer width="100%" height="100%">
            <LineChart data={points} margin={{ left: 8, right: 24, top: 8 }}>
              <CartesianGrid
                strokeDasharray="3 3"
                stroke={theme.palette.divider}
              />
              <XAxis dataKey="t" minTickGap={40} tick={{ fontSize: 12 }} />
              <YAxis
                domain={[0, top * 1.15 || 0.01]}
                unit="%"
                tick={{ fontSize: 12 }}
                tickFormatter={(v: number) => v.toFixed(3)}
              />
              <Tooltip
                formatter={(v: number) => [`${v.toFixed(3)}%`, 'Drift']}
              />
              {lines.map(l => (
                <ReferenceLine
                  key={l.name}
                  y={l.value}
                  stroke={l.color}
                  strokeDasharray="4 2"
                />
              ))}
              <Line
                type="monotone"
                dataKey="drift"
                name="Drift %"
                stroke={theme.palette.primary.main}
                isAnimationActive={false}
              />
            </LineChart>
          </ResponsiveContainer>
        </ChartOrTable>
      )}
      {points.length > 0 && (
        // Thresholds close together (0.05% and 0.1%) would overlap as line labels: a legend instead.
        <Box
          display="flex"
          flexWrap="wrap"
          style={{ gap: 16 }}
          mt={1}
          data-testid="drift-thresholds"
        >
          {lines.map(l => (
            <Box
              key={l.name}
              display="flex"
              alignItems="center"
              style={{ gap: 6 }}
            >
              <svg width="20" height="4" aria-hidden>
                <line
                  x1="0"
                  y1="2"
                  x2="20"
                  y2="2"
                  stroke={l.color}
                  strokeWidth="2"
                  strokeDasharray="4 2"
                />
              </svg>
              <Typography variant="caption" style={{ color: l.color }}>
                {l.name} {l.value.toFixed(3)}%
              </Typography>
            </Box>
          ))}
        </Box>
      )}
    </Box>
  );
}
