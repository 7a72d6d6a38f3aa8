import { InfoCard } from '@backstage/core-components';
import Box from '@material-ui/core/Box';
import Chip from '@material-ui/core/Chip';
import Typography from '@material-ui/core/Typography';
import { makeStyles, Theme, useTheme } from '@material-ui/core/styles';
import { ScoreRing } from '../common/ScoreRing';
import type { Readiness } from '@switchyard/plugin-cutover-common';

const RECOMMENDATION_LABEL: Record<Readiness['recommendation'], string> = {
  GO: 'GO',
  GO_WITH_CAUTION: 'GO WITH CAUTION',
  NO_GO: 'NO-GO',
};

function recommendationColor(theme: Theme, r: Readiness['recommendation']) {
  if (r === 'GO') return theme.palette.success.main;
  if (r === 'GO_WITH_CAUTION') return theme.palette.warning.main;
  return theme.palette.error.main;
}

function riskColor(theme: Theme, r: Readiness['riskLevel']) {
  return {
    LOW: theme.palette.success.main,
    MEDIUM: theme.palette.warning.main,
    HIGH: theme.palette.error.light,
    CRITICAL: theme.palette.error.dark,
  }[r];
}

const useStyles = makeStyles(theme => ({
  verdict: (p: { r: Readiness }) => ({
    backgroundColor: recommendationColor(theme, p.r.recommendation),
    color: theme.palette.common.white,
    fontWeight: 700,
    fontSize: '1.1rem',
    padding: theme.spacing(2, 1),
  }),
  risk: (p: { r: Readiness }) => ({
    borderColor: riskColor(theme, p.r.riskLevel),
    color: riskColor(theme, p.r.riskLevel),
    fontWeight: 600,
  }),
}));

/** Readiness gauge with the GO / NO-GO verdict and the risk. */
export function ReadinessSummary(props: { readiness: Readiness }) {
  const r = props.readiness;
  const classes = useStyles({ r });
  const theme = useTheme();
  return (
    <InfoCard title="Cutover readiness">
      <Box display="flex" alignItems="center" style={{ gap: 32 }} flexWrap="wrap">
        <ScoreRing
          value={r.score}
          text={String(r.score)}
          caption="of 100"
          label="Readiness score"
          size={130}
          thickness={5}
          color={recommendationColor(theme, r.recommendation)}
          testId="readiness-score"
        />
        <Box display="flex" flexDirection="column" style={{ gap: 12 }}>
          <Chip
            className={classes.verdict}
            label={RECOMMENDATION_LABEL[r.recommendation]}
            data-testid="recommendation"
          />
          <Chip variant="outlined" className={classes.risk} label={`Risk: ${r.riskLevel}`} />
          <Typography variant="body2" color="textSecondary">
            Quality {r.qualityScore === null ? 'not reported' : r.qualityScore.toFixed(1)} ·{' '}
            {r.blockers.length} blocker{r.blockers.length === 1 ? '' : 's'}
          </Typography>
        </Box>
      </Box>
    </InfoCard>
  );
}

/** What stands in the way, what to watch, and what to do about it. */
export function BlockersCard(props: { readiness: Readiness }) {
  const r = props.readiness;
  return (
    <InfoCard title={`Blockers (${r.blockers.length})`}>
      {r.blockers.length === 0 ? (
        <Typography variant="body2">Nothing blocks the cutover.</Typography>
      ) : (
        <Box component="ul" pl={2} m={0} data-testid="blockers">
          {r.blockers.map(b => (
            <li key={b.message}>
              <Typography variant="body2" color={b.severity === 'CRITICAL' ? 'error' : 'textPrimary'}>
                <strong>{b.severity}</strong> {b.message}
              </Typography>
            </li>
          ))}
        </Box>
      )}
      {r.warnings.length > 0 && (
        <Box mt={2}>
          <Typography variant="subtitle2">Warnings</Typography>
          <Box component="ul" pl={2} m={0}>
            {r.warnings.map(w => (
              <li key={w}>
                <Typography variant="body2">{w}</Typography>
              </li>
            ))}
          </Box>
        </Box>
      )}
      {r.mitigations.length > 0 && (
        <Box mt={2}>
          <Typography variant="subtitle2">Suggested mitigations</Typography>
          <Box component="ul" pl={2} m={0}>
            {r.mitigations.map(m => (
              <li key={m}>
                <Typography variant="body2">{m}</Typography>
              </li>
            ))}
          </Box>
        </Box>
      )}
    </InfoCard>
  );
}
