import { InfoCard } from '@backstage/core-components';
import { configApiRef, useApi } from '@backstage/core-plugin-api';
import Box from '@material-ui/core/Box';
import LinearProgress from '@material-ui/core/LinearProgress';
import Typography from '@material-ui/core/Typography';
import { makeStyles, Theme } from '@material-ui/core/styles';
import TrendingDownIcon from '@material-ui/icons/TrendingDown';
import TrendingFlatIcon from '@material-ui/icons/TrendingFlat';
import TrendingUpIcon from '@material-ui/icons/TrendingUp';
import type { Dashboard } from '@switchyard/plugin-cutover-common';
import { formatCount, formatPercent } from '../common/format';

function scoreColor(theme: Theme, score: number | null, threshold: number) {
  if (score === null) return theme.palette.text.secondary;
  if (score >= threshold) return theme.palette.success.main;
  if (score >= threshold - 10) return theme.palette.warning.main;
  return theme.palette.error.main;
}

const useStyles = makeStyles(theme => ({
  score: (p: { score: number | null; threshold: number }) => ({
    color: scoreColor(theme, p.score, p.threshold),
    fontWeight: 700,
  }),
  bar: { height: 8, borderRadius: 4 },
  row: { marginTop: theme.spacing(1.5) },
}));

const DIMENSIONS = [
  ['completeness', 'Completeness'],
  ['validity', 'Validity'],
  ['consistency', 'Consistency'],
  ['accuracy', 'Accuracy'],
] as const;

const TREND_ICONS = {
  up: TrendingUpIcon,
  down: TrendingDownIcon,
  flat: TrendingFlatIcon,
};

/**
 * Quality score with its trend, the four dimensions, and error counts. The threshold shown beside
 * the score is `cutover.readiness.qualityThreshold` of the app's config (85 when unset).
 */
export function QualityCard(props: { dashboard: Dashboard; threshold?: number }) {
  const { dashboard: d } = props;
  const config = useApi(configApiRef);
  const threshold =
    props.threshold ?? config.getOptionalNumber('cutover.readiness.qualityThreshold') ?? 85;
  const classes = useStyles({ score: d.qualityScore, threshold });
  const TrendIcon = TREND_ICONS[d.qualityTrend];
  return (
    <InfoCard title="Data quality">
      <Box display="flex" alignItems="center" style={{ gap: 8 }}>
        <Typography variant="h3" className={classes.score} data-testid="quality-score">
          {d.qualityScore === null ? '–' : d.qualityScore.toFixed(1)}
        </Typography>
        <TrendIcon
          titleAccess={`Quality trend: ${d.qualityTrend}`}
          color={d.qualityTrend === 'down' ? 'error' : 'action'}
        />
        <Typography variant="body2" color="textSecondary">
          {d.qualityScore === null
            ? 'No quality reported yet'
            : `threshold ${threshold}`}
        </Typography>
      </Box>
      {DIMENSIONS.map(([key, label]) => (
        <Box key={key} className={classes.row}>
          <Box display="flex" justifyContent="space-between">
            <Typography variant="body2">{label}</Typography>
            <Typography variant="body2">{formatPercent(d[key])}</Typography>
          </Box>
          <LinearProgress
            className={classes.bar}
            variant="determinate"
            value={d[key] ?? 0}
            aria-label={label}
            color={d[key] !== null && d[key]! < threshold ? 'secondary' : 'primary'}
          />
        </Box>
      ))}
      <Box className={classes.row} display="flex" style={{ gap: 16 }}>
        <Typography variant="body2" color={d.errors.critical ? 'error' : 'textSecondary'}>
          Critical errors: {formatCount(d.errors.critical)}
        </Typography>
        <Typography variant="body2" color="textSecondary">
          High: {formatCount(d.errors.high)}
        </Typography>
        <Typography variant="body2" color="textSecondary">
          Medium: {formatCount(d.errors.medium)}
        </Typography>
        <Typography variant="body2" color="textSecondary">
          Low: {formatCount(d.errors.low)}
        </Typography>
      </Box>
    </InfoCard>
  );
}
