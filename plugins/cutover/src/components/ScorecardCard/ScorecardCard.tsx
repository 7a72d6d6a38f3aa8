import {
  InfoCard,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import {
  discoveryApiRef,
  fetchApiRef,
  useApi,
} from '@backstage/core-plugin-api';
import { ResponseError } from '@backstage/errors';
import {
  getCompoundEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { useEntity } from '@backstage/plugin-catalog-react';
import Box from '@material-ui/core/Box';
import List from '@material-ui/core/List';
import ListItem from '@material-ui/core/ListItem';
import ListItemIcon from '@material-ui/core/ListItemIcon';
import ListItemText from '@material-ui/core/ListItemText';
import Typography from '@material-ui/core/Typography';
import CheckCircle from '@material-ui/icons/CheckCircle';
import Cancel from '@material-ui/icons/Cancel';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { formatDateTime } from '../common/format';

/** The id of Switchyard's Tech Insights fact retriever (its facts and the checks that read them). */
export const SWITCHYARD_FACT_RETRIEVER_ID = 'switchyardCutoverFactRetriever';

interface CheckResult {
  check: { id: string; name: string; description: string; factIds: string[] };
  result: boolean;
}
interface LatestFacts {
  timestamp: string | null;
  facts: Record<string, string | number | boolean>;
}

const FACT_LABELS: Array<[key: string, label: string]> = [
  ['worstRecommendation', 'Recommendation (worst)'],
  ['noGoDays', 'Days in NO_GO'],
  ['lowestReadinessScore', 'Readiness score (lowest)'],
  ['lowestProgress', 'Progress (lowest)'],
  ['worstDriftLevel', 'Drift (worst)'],
  ['openCriticalAlerts', 'Open critical alerts'],
  ['openHighAlerts', 'Open high alerts'],
  ['worstApprovalState', 'Approval (worst)'],
];

function factText(
  key: string,
  value: string | number | boolean | undefined,
): string {
  if (value === undefined) return '–';
  if (key === 'lowestProgress' && typeof value === 'number')
    return `${Math.round(value * 10) / 10}%`;
  return String(value).replace(/_/g, ' ');
}

/**
 * The entity's migration scorecard: the Tech Insights checks that read Switchyard's facts (pass or
 * fail, with what they check), and the facts they judged, from the Tech Insights backend.
 */
export function ScorecardCard() {
  const { entity } = useEntity();
  const discovery = useApi(discoveryApiRef);
  const { fetch } = useApi(fetchApiRef);
  const state = useAsyncRetry(async () => {
    const base = await discovery.getBaseUrl('tech-insights');
    const { kind, namespace, name } = getCompoundEntityRef(entity);
    const ref = stringifyEntityRef(entity);
    const [checksRes, factsRes] = await Promise.all([
      fetch(
        `${base}/checks/run/${encodeURIComponent(
          namespace,
        )}/${encodeURIComponent(
          kind.toLocaleLowerCase('en-US'),
        )}/${encodeURIComponent(name)}`,
        {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: '{}',
        },
      ),
      fetch(
        `${base}/facts/latest?entity=${encodeURIComponent(
          ref,
        )}&ids[]=${SWITCHYARD_FACT_RETRIEVER_ID}`,
      ),
    ]);
    if (!checksRes.ok) throw await ResponseError.fromResponse(checksRes);
    if (!factsRes.ok) throw await ResponseError.fromResponse(factsRes);
    const checks = ((await checksRes.json()) as CheckResult[]).filter(c =>
      c.check.factIds.includes(SWITCHYARD_FACT_RETRIEVER_ID),
    );
    const latest = (
      (await factsRes.json()) as Record<string, LatestFacts | undefined>
    )[SWITCHYARD_FACT_RETRIEVER_ID];
    return { checks, latest };
  }, [entity, discovery, fetch]);

  let body;
  if (state.loading && !state.value) body = <Progress />;
  else if (state.error)
    body = (
      <ResponseErrorPanel
        error={state.error}
        title="Could not load the scorecard"
      />
    );
  else if (!state.value?.latest) {
    body = (
      <Typography variant="body2" color="textSecondary">
        No facts about this entity's migrations yet: Tech Insights collects them
        on the cadence its configuration sets for the Switchyard fact retriever.
      </Typography>
    );
  } else {
    const { checks, latest } = state.value;
    const passed = checks.filter(c => c.result).length;
    body = (
      <Box>
        <Typography variant="subtitle2" component="p">
          {checks.length === 0
            ? 'No checks read these facts yet.'
            : `${passed} of ${checks.length} checks pass`}
        </Typography>
        <List dense aria-label="Checks">
          {checks.map(c => (
            <ListItem
              key={c.check.id}
              data-testid={`scorecard-check-${c.check.id}`}
            >
              <ListItemIcon>
                {c.result ? (
                  <CheckCircle
                    style={{ color: '#2e7d32' }}
                    titleAccess="Passes"
                  />
                ) : (
                  <Cancel color="error" titleAccess="Fails" />
                )}
              </ListItemIcon>
              <ListItemText
                primary={`${c.check.name}: ${c.result ? 'passes' : 'fails'}`}
                secondary={c.check.description}
              />
            </ListItem>
          ))}
        </List>
        <Box
          component="dl"
          display="grid"
          style={{
            gridTemplateColumns: 'max-content auto',
            columnGap: 16,
            rowGap: 4,
            margin: 0,
          }}
        >
          {FACT_LABELS.map(([key, label]) => (
            <Box key={key} display="contents">
              <Typography component="dt" variant="body2" color="textSecondary">
                {label}
              </Typography>
              <Typography
                component="dd"
                variant="body2"
                style={{ margin: 0 }}
                data-testid={`scorecard-fact-${key}`}
              >
                {factText(key, latest.facts[key])}
              </Typography>
            </Box>
          ))}
        </Box>
        <Typography
          variant="caption"
          color="textSecondary"
          component="p"
          style={{ marginTop: 8 }}
        >
          {/* Tech Insights on SQLite answers a timestamp it cannot parse as null. */}
          {latest.timestamp && !Number.isNaN(Date.parse(latest.timestamp))
            ? `Facts of ${formatDateTime(latest.timestamp)} (Tech Insights)`
            : 'Latest facts (Tech Insights)'}
        </Typography>
      </Box>
    );
  }
  return <InfoCard title="Migration scorecard">{body}</InfoCard>;
}
