import {
  InfoCard,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import Box from '@material-ui/core/Box';
import Tab from '@material-ui/core/Tab';
import Tabs from '@material-ui/core/Tabs';
import ToggleButton from '@material-ui/lab/ToggleButton';
import ToggleButtonGroup from '@material-ui/lab/ToggleButtonGroup';
import { useTheme } from '@material-ui/core/styles';
import type { Trends } from '@switchyard/plugin-cutover-common';
import { DateTime } from 'luxon';
import { useState } from 'react';
import {
  CartesianGrid,
  Legend,
  Line,
  LineChart,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import { useLiveCutoverData } from '../../hooks/useCutoverData';
import { ChartColumn, ChartOrTable } from '../common/ChartOrTable';
import { formatBytes, formatCount, formatPercent } from '../common/format';

type Point = {
  t: string;
  progress: number | null;
  rate: number | null;
  throughput?: number;
  cost?: number;
  quality: number | null;
  completeness: number | null;
  validity: number | null;
  consistency: number | null;
  accuracy: number | null;
};

const METRIC_LABELS: Record<Metric, string> = {
  progress: 'Progress',
  rate: 'Import rate',
  throughput: 'Throughput',
  cost: 'Cost to date',
  quality: 'Quality',
};

const score = (v: number | null) =>
  v === null || v === undefined ? '–' : v.toFixed(1);

const TABLE_COLUMNS: Record<Metric, ChartColumn<Point>[]> = {
  progress: [
    { title: 'Time', value: p => p.t },
    { title: 'Progress', value: p => formatPercent(p.progress), numeric: true },
  ],
  rate: [
    { title: 'Time', value: p => p.t },
    {
      title: 'Records / min',
      value: p => (p.rate === null ? '–' : formatCount(Math.round(p.rate))),
      numeric: true,
    },
  ],
  throughput: [
    { title: 'Time', value: p => p.t },
    {
      title: 'Bytes / s',
      value: p =>
        p.throughput === undefined ? '–' : formatBytes(p.throughput),
      numeric: true,
    },
  ],
  cost: [
    { title: 'Time', value: p => p.t },
    {
      title: 'Cost to date',
      value: p => (p.cost === undefined ? '–' : p.cost.toFixed(2)),
      numeric: true,
    },
  ],
  quality: [
    { title: 'Time', value: p => p.t },
    { title: 'Score', value: p => score(p.quality), numeric: true },
    { title: 'Completeness', value: p => score(p.completeness), numeric: true },
    { title: 'Validity', value: p => score(p.validity), numeric: true },
    { title: 'Consistency', value: p => score(p.consistency), numeric: true },
    { title: 'Accuracy', value: p => score(p.accuracy), numeric: true },
  ],
};

/** The chart in one sentence: first and last value, and the range, over the chosen period. */
function summarize(points: Point[], metric: Metric, range: string): string {
  // The metric's own series ('quality' is the overall score).
  const values = points
    .map(p => p[metric])
    .filter((v): v is number => v !== null && v !== undefined);
  if (!values.length)
    return `No ${METRIC_LABELS[
      metric
    ].toLocaleLowerCase()} reported in the last ${range}.`;
  const formats: Record<Metric, (v: number) => string> = {
    progress: formatPercent,
    rate: v => `${formatCount(Math.round(v))} records/min`,
    throughput: v => `${formatBytes(v)}/s`,
    cost: v => v.toFixed(2),
    quality: v => v.toFixed(1),
  };
  const fmt = formats[metric];
  const first = values[0];
  const last = values[values.length - 1];
  return `${METRIC_LABELS[metric]} over the last ${range}: from ${fmt(
    first,
  )} to ${fmt(last)} (lowest ${fmt(Math.min(...values))}, highest ${fmt(
    Math.max(...values),
  )}) in ${values.length} point${values.length === 1 ? '' : 's'}.`;
}

const RANGES = ['1h', '24h', '7d', '30d'] as const;
type Metric = 'progress' | 'rate' | 'throughput' | 'cost' | 'quality';

/** The shortest range that shows the whole migration so far, up to a week. */
function defaultRange(elapsedMs: number | null | undefined): string {
  if (elapsedMs === null || elapsedMs === undefined) return '24h';
  if (elapsedMs < 3_600_000) return '1h';
  if (elapsedMs < 86_400_000) return '24h';
  return '7d';
}

/**
 * Progress, rate and quality over a chosen range, updated live; throughput (bytes/s) and cost to
 * date when jobs report them. Of one dataset with `dataset`.
 */
export function TrendsChart(props: {
  migrationId: string;
  elapsedMs?: number | null;
  dataset?: string;
  title?: string;
  currency?: string;
}) {
  const theme = useTheme();
  const [range, setRange] = useState<string>(() => defaultRange(props.elapsedMs));
  const [chosen, setMetric] = useState<Metric>('progress');
  const { value, error, loading } = useLiveCutoverData<Trends>(
    props.migrationId,
    (api, id) =>
      api.getTrends(id, { range, ...(props.dataset ? { dataset: props.dataset } : {}) }),
    ['progress', 'quality'],
    [range, props.dataset],
  );
  // A tab whose series the current range has not (a job without resources) falls back to progress.
  const metric: Metric =
    (chosen === 'throughput' && value && !value.bytesPerSecond) ||
    (chosen === 'cost' && value && !value.cost)
      ? 'progress'
      : chosen;

  const short = range === '1h' || range === '24h';
  const points: Point[] =
    value?.timestamps.map((t, i) => ({
      t: DateTime.fromISO(t).toFormat(short ? 'HH:mm' : 'LLL d HH:mm'),
      progress: value.progressPercent[i],
      rate: value.importRate[i],
      throughput: value.bytesPerSecond?.[i],
      cost: value.cost?.[i],
      quality: value.qualityScore[i],
      completeness: value.completeness[i],
      validity: value.validity[i],
      consistency: value.consistency[i],
      accuracy: value.accuracy[i],
    })) ?? [];

  return (
    <InfoCard
      title={props.title ?? 'Trends'}
      action={
        <ToggleButtonGroup
          size="small"
          exclusive
          value={range}
          onChange={(_e, v) => v && setRange(v)}
          aria-label="Time range"
        >
          {RANGES.map(r => (
            <ToggleButton key={r} value={r} aria-label={`Last ${r}`}>
              {r}
            </ToggleButton>
          ))}
        </ToggleButtonGroup>
      }
    >
      <Tabs
        value={metric}
        onChange={(_e, v) => setMetric(v)}
        indicatorColor="primary"
        textColor="primary"
        aria-label="Trend shown"
      >
        <Tab value="progress" label="Progress" />
        <Tab value="rate" label="Import rate" />
        {value?.bytesPerSecond && <Tab value="throughput" label="Throughput" />}
        {value?.cost && <Tab value="cost" label="Cost" />}
        <Tab value="quality" label="Quality" />
      </Tabs>
      <Box minHeight={280} mt={2}>
        {error && <ResponseErrorPanel error={error} />}
        {!error && !value && loading && <Progress />}
        {!error && value && (
          <ChartOrTable
            label={`${METRIC_LABELS[metric]} over the last ${range}`}
            summary={summarize(points, metric, range)}
            rows={[...points].reverse()}
            columns={TABLE_COLUMNS[metric]}
            height={280}
          >
            <ResponsiveContainer width="100%" height="100%">
              <LineChart data={points} margin={{ left: 8, right: 24 }}>
                <CartesianGrid
                  strokeDasharray="3 3"
                  stroke={theme.palette.divider}
                />
                <XAxis dataKey="t" minTickGap={40} tick={{ fontSize: 12 }} />
                {metric === 'progress' && (
                  <>
                    <YAxis domain={[0, 100]} unit="%" tick={{ fontSize: 12 }} />
                    <Line
                      type="monotone"
                      dataKey="progress"
                      name="Progress %"
                      stroke={theme.palette.primary.main}
                      dot={false}
                      isAnimationActive={false}
                    />
                  </>
                )}
                {metric === 'rate' && (
                  <>
                    <YAxis tick={{ fontSize: 12 }} />
                    <Line
                      type="monotone"
                      dataKey="rate"
                      name="Records / min"
                      stroke={theme.palette.info.main}
                      dot={false}
                      isAnimationActive={false}
                    />
                  </>
                )}
                {metric === 'throughput' && (
                  <>
                    <YAxis tick={{ fontSize: 12 }} tickFormatter={v => formatBytes(v)} width={70} />
                    <Line
                      type="monotone"
                      dataKey="throughput"
                      name="Bytes / s"
                      stroke={theme.palette.info.dark}
                      dot={false}
                      isAnimationActive={false}
                    />
                  </>
                )}
                {metric === 'cost' && (
                  <>
                    <YAxis tick={{ fontSize: 12 }} />
                    <Line
                      type="monotone"
                      dataKey="cost"
                      name={`Cost to date${props.currency ? ` (${props.currency})` : ''}`}
                      stroke={theme.palette.warning.dark}
                      dot={false}
                      isAnimationActive={false}
                    />
                  </>
                )}
                {metric === 'quality' && (
                  <>
                    <YAxis domain={[0, 100]} tick={{ fontSize: 12 }} />
                    <Line
                      dataKey="quality"
                      name="Score"
                      stroke={theme.palette.primary.main}
                      strokeWidth={2}
                      dot={false}
                      isAnimationActive={false}
                      connectNulls
                    />
                    <Line
                      dataKey="completeness"
                      name="Completeness"
                      stroke="#8e24aa"
                      dot={false}
                      isAnimationActive={false}
                      connectNulls
                    />
                    <Line
                      dataKey="validity"
                      name="Validity"
                      stroke="#00897b"
                      dot={false}
                      isAnimationActive={false}
                      connectNulls
                    />
                    <Line
                      dataKey="consistency"
                      name="Consistency"
                      stroke="#f4511e"
                      dot={false}
                      isAnimationActive={false}
                      connectNulls
                    />
                    <Line
                      dataKey="accuracy"
                      name="Accuracy"
                      stroke="#6d4c41"
                      dot={false}
                      isAnimationActive={false}
                      connectNulls
                    />
                  </>
                )}
                <Tooltip />
                <Legend />
              </LineChart>
            </ResponsiveContainer>
          </ChartOrTable>
        )}
      </Box>
    </InfoCard>
  );
}
