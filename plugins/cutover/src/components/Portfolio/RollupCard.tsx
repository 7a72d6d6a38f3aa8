import { stringifyEntityRef, Entity } from '@backstage/catalog-model';
import { EmptyState, InfoCard, Progress } from '@backstage/core-components';
import { useEntity } from '@backstage/plugin-catalog-react';
import Box from '@material-ui/core/Box';
import List from '@material-ui/core/List';
import ListItem from '@material-ui/core/ListItem';
import Tooltip from '@material-ui/core/Tooltip';
import Typography from '@material-ui/core/Typography';
import { PortfolioRequest } from '@switchyard/plugin-cutover-common';
import { usePortfolio } from '../../hooks/usePortfolio';
import { LoadFailure } from '../common/LoadFailure';
import { StatusChip } from '../common/StatusChip';
import { AlertCounts, MigrationTitle, ProgressBar, VerdictChip } from './parts';

/** Counts by status and recommendation and the riskiest three of the migrations a request selects. */
export function MigrationsRollup(props: {
  title: string;
  request: PortfolioRequest;
  emptyText: string;
}) {
  const data = usePortfolio({ ...props.request, sort: 'risk', limit: 3 });
  const page = data.value;
  let body: JSX.Element;
  if (data.error && !page) {
    body = (
      <LoadFailure error={data.error} what="migrations" retry={data.retry} />
    );
  } else if (!page) {
    body = <Progress />;
  } else if (!page.totalCount) {
    body = (
      <EmptyState missing="data" title="No migrations" description={props.emptyText} />
    );
  } else {
    const entries = <T extends string>(counts: Partial<Record<T, number>>) =>
      Object.entries(counts).filter(([, n]) => (n as number) > 0) as Array<
        [T, number]
      >;
    body = (
      <Box>
        <Typography variant="h4" component="p" data-testid="rollup-total">
          {page.totalCount}
          <Typography variant="body2" component="span" color="textSecondary">
            {' '}
            migration{page.totalCount === 1 ? '' : 's'}
          </Typography>
        </Typography>
        <Typography variant="caption" color="textSecondary" component="div" style={{ marginTop: 8 }}>
          By status
        </Typography>
        <Box display="flex" flexWrap="wrap" style={{ gap: 6 }} data-testid="rollup-status">
          {entries(page.counts.byStatus).map(([status, n]) => (
            <Box key={status} display="flex" alignItems="center" style={{ gap: 4 }}>
              <StatusChip status={status} />
              <Typography variant="body2" data-testid={`rollup-status-${status}`}>
                {n}
              </Typography>
            </Box>
          ))}
        </Box>
        <Typography variant="caption" color="textSecondary" component="div" style={{ marginTop: 8 }}>
          By readiness recommendation
        </Typography>
        <Box display="flex" flexWrap="wrap" style={{ gap: 6 }} data-testid="rollup-recommendation">
          {entries(page.counts.byRecommendation).map(([rec, n]) => (
            <Box key={rec} display="flex" alignItems="center" style={{ gap: 4 }}>
              <VerdictChip value={rec} />
              <Typography variant="body2" data-testid={`rollup-recommendation-${rec}`}>
                {n}
              </Typography>
            </Box>
          ))}
        </Box>
        <Typography variant="subtitle2" style={{ marginTop: 16 }}>
          Riskiest
        </Typography>
        <List dense disablePadding data-testid="rollup-riskiest">
          {page.items.map(item => (
            <ListItem key={item.migrationId} disableGutters divider>
              <Box width="100%">
                <Box display="flex" justifyContent="space-between" alignItems="flex-start" style={{ gap: 8 }}>
                  <MigrationTitle item={item} />
                  <Box display="flex" style={{ gap: 4 }}>
                    <VerdictChip value={item.recommendation} />
                    <Tooltip title="Risk">
                      <span>
                        <VerdictChip value={item.riskLevel} />
                      </span>
                    </Tooltip>
                  </Box>
                </Box>
                <Box display="flex" alignItems="center" style={{ gap: 12 }} mt={0.5}>
                  <Box flexGrow={1}>
                    <ProgressBar value={item.overallProgress} />
                  </Box>
                  <AlertCounts alerts={item.openAlerts} />
                </Box>
              </Box>
            </ListItem>
          ))}
        </List>
      </Box>
    );
  }
  return (
    <InfoCard title={props.title} subheader={data.live ? undefined : 'refreshing every 10 s'}>
      {body}
    </InfoCard>
  );
}

/** The entity refs a system's migrations may be annotated on: the system and its parts. */
export function systemRefs(entity: Entity): string[] {
  const own = stringifyEntityRef(entity).toLocaleLowerCase('en-US');
  const parts = (entity.relations ?? [])
    .filter(r => r.type === 'hasPart')
    .map(r => r.targetRef.toLocaleLowerCase('en-US'));
  return [...new Set([own, ...parts])];
}

/** Group card: the migrations the group owns. */
export function GroupMigrationsCard() {
  const { entity } = useEntity();
  const ref = stringifyEntityRef(entity);
  return (
    <MigrationsRollup
      title="Migrations"
      request={{ owner: ref }}
      emptyText="This group owns no migration you may read."
    />
  );
}

/** System card: the migrations touching the system's components. */
export function SystemMigrationsCard() {
  const { entity } = useEntity();
  return (
    <MigrationsRollup
      title="Migrations"
      request={{ owner: 'all', entityRefs: systemRefs(entity).join(',') }}
      emptyText="No migration you may read is annotated on this system's components."
    />
  );
}
