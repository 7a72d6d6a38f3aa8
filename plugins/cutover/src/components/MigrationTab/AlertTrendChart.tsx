import Box from '@material-ui/core/Box';
import Typography from '@material-ui/core/Typography';
import { useTheme } from '@material-ui/core/styles';
import type { AlertStats } from '@switchyard/plugin-cutover-common';
import { DateTime } from 'luxon';
import {
  Bar,
  BarChart,
  CartesianGrid,
  Legend,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';

/** The days of the trend, the last `days` of them, with days without alerts filled in as zero. */
export function trendDays(
  trend: AlertStats['trend'],
  days = 14,
  today = DateTime.utc(),
): AlertStats['trend'] {
  const byDate = new Map(trend.map(t => [t.date, t]));
  return Array.from({ length: days }, (_, i) => {
    const date = today.minus({ days: days - 1 - i }).toISODate()!;
    return byDate.get(date) ?? { date, created: 0, resolved: 0 };
  });
}

/** One sentence saying what the chart shows, for those who can't see it. */
export function describeTrend(points: AlertStats['trend']): string {
  const created = points.reduce((n, p) => n + p.created, 0);
  const resolved = points.reduce((n, p) => n + p.resolved, 0);
  const busiest = [...points].sort((a, b) => b.created - a.created)[0];
  const net = created - resolved;
  let balance = 'as many resolved as raised';
  if (net > 0) balance = `${net} more raised than resolved`;
  if (net < 0) balance = `${-net} more resolved than raised`;
  return `Over the last ${points.length} days ${created} alert${
    created === 1 ? ' was' : 's were'
  } raised and ${resolved} resolved (${balance})${
    busiest && busiest.created ? `; most were raised on ${busiest.date} (${busiest.created})` : ''
  }.`;
}

/** New versus resolved alerts per day (UTC), as bars, with a text alternative. */
export function AlertTrendChart(props: { trend: AlertStats['trend']; days?: number }) {
  const theme = useTheme();
  const points = trendDays(props.trend, props.days);
  const text = describeTrend(points);
  return (
    <Box px={2} pb={1}>
      <Typography variant="subtitle2">New and resolved alerts per day</Typography>
      <Box height={160} role="img" aria-label={text} data-testid="alert-trend">
        <ResponsiveContainer width="100%" height="100%">
          <BarChart data={points.map(p => ({ ...p, day: p.date.slice(5) }))} margin={{ left: 0, right: 16, top: 8 }}>
            <CartesianGrid strokeDasharray="3 3" stroke={theme.palette.divider} />
            <XAxis dataKey="day" tick={{ fontSize: 11 }} minTickGap={8} />
            <YAxis allowDecimals={false} tick={{ fontSize: 11 }} width={32} />
            <Tooltip />
            <Legend />
            <Bar dataKey="created" name="New" fill={theme.palette.error.main} isAnimationActive={false} />
            <Bar dataKey="resolved" name="Resolved" fill={theme.palette.success.main} isAnimationActive={false} />
          </BarChart>
        </ResponsiveContainer>
      </Box>
      <Typography variant="caption" color="textSecondary" data-testid="alert-trend-text">
        {text}
      </Typography>
    </Box>
  );
}
