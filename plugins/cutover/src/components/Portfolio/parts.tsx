import { Link } from '@backstage/core-components';
import { useRouteRef } from '@backstage/core-plugin-api';
import { parseEntityRef } from '@backstage/catalog-model';
import { entityRouteRef } from '@backstage/plugin-catalog-react';
import Box from '@material-ui/core/Box';
import Chip from '@material-ui/core/Chip';
import LinearProgress from '@material-ui/core/LinearProgress';
import Tooltip from '@material-ui/core/Tooltip';
import Typography from '@material-ui/core/Typography';
import { makeStyles, Theme } from '@material-ui/core/styles';
import { PortfolioItem } from '@switchyard/plugin-cutover-common';

const RISK_COLORS: Record<string, (t: Theme) => string> = {
  LOW: t => t.palette.success.main,
  MEDIUM: t => t.palette.warning.main,
  HIGH: t => t.palette.error.main,
  CRITICAL: t => t.palette.error.dark,
  GO: t => t.palette.success.main,
  GO_WITH_CAUTION: t => t.palette.warning.dark,
  NO_GO: t => t.palette.error.main,
};

const useStyles = makeStyles(theme => ({
  chip: (props: { value: string }) => ({
    backgroundColor: (RISK_COLORS[props.value] ?? (t => t.palette.grey[500]))(
      theme,
    ),
    color: theme.palette.common.white,
    fontWeight: 600,
  }),
  alerts: { display: 'flex', gap: theme.spacing(0.5), flexWrap: 'nowrap' },
  count: (props: { value: string }) => ({
    minWidth: 22,
    textAlign: 'center',
    borderRadius: 4,
    padding: '0 4px',
    fontSize: 12,
    fontWeight: 600,
    color: theme.palette.common.white,
    backgroundColor: (RISK_COLORS[props.value] ?? (t => t.palette.grey[500]))(
      theme,
    ),
  }),
  zero: {
    minWidth: 22,
    textAlign: 'center',
    fontSize: 12,
    color: theme.palette.text.disabled,
  },
}));

/** A chip for a recommendation (GO, GO WITH CAUTION, NO GO) or a risk level. */
export function VerdictChip(props: { value: string; testId?: string }) {
  const classes = useStyles({ value: props.value });
  return (
    <Chip
      size="small"
      className={classes.chip}
      label={props.value.replace(/_/g, ' ')}
      data-testid={props.testId}
    />
  );
}

function AlertCount(props: { severity: string; count: number }) {
  const classes = useStyles({ value: props.severity });
  return (
    <Tooltip title={`${props.count} open ${props.severity} alert(s)`}>
      <span className={props.count ? classes.count : classes.zero}>
        {props.count}
      </span>
    </Tooltip>
  );
}

/** Open alerts by severity: critical, high, medium, low. */
export function AlertCounts(props: { alerts: PortfolioItem['openAlerts'] }) {
  const classes = useStyles({ value: '' });
  return (
    <span className={classes.alerts} aria-label="open alerts by severity">
      {(['CRITICAL', 'HIGH', 'MEDIUM', 'LOW'] as const).map(s => (
        <AlertCount key={s} severity={s} count={props.alerts[s]} />
      ))}
    </span>
  );
}

/** A progress bar with its figure. */
export function ProgressBar(props: { value: number }) {
  return (
    <Box display="flex" alignItems="center" minWidth={90}>
      <Box flexGrow={1} mr={1}>
        <LinearProgress
          variant="determinate"
          value={Math.max(0, Math.min(100, props.value))}
          aria-label="overall progress"
        />
      </Box>
      <Typography variant="caption">{props.value.toFixed(0)}%</Typography>
    </Box>
  );
}

/** The path of the migration's tab on the page of one of its entities, or undefined without one. */
export function useMigrationLink() {
  const entityRoute = useRouteRef(entityRouteRef);
  return (item: Pick<PortfolioItem, 'entityRefs' | 'migrationId'>) => {
    const ref = item.entityRefs[0];
    if (!ref) return undefined;
    try {
      const { kind, namespace, name } = parseEntityRef(ref);
      return `${entityRoute({
        kind: kind.toLocaleLowerCase('en-US'),
        namespace: namespace.toLocaleLowerCase('en-US'),
        name,
      })}/migration?migration=${encodeURIComponent(item.migrationId)}`;
    } catch {
      return undefined;
    }
  };
}

/** The title, linked to the migration's tab when it has an entity. */
export function MigrationTitle(props: { item: PortfolioItem }) {
  const link = useMigrationLink()(props.item);
  return (
    <Box>
      {link ? (
        <Link to={link} data-testid={`portfolio-link-${props.item.migrationId}`}>
          {props.item.title}
        </Link>
      ) : (
        <Typography variant="body2">{props.item.title}</Typography>
      )}
      <Typography variant="caption" color="textSecondary" component="div">
        {props.item.migrationId}
        {props.item.entityRefs.length
          ? ` · ${props.item.entityRefs
              .map(r => r.replace(/^[^:]+:(default\/)?/, ''))
              .join(', ')}`
          : ''}
      </Typography>
    </Box>
  );
}

/** "group:default/orders-team" -> "orders-team". */
export function shortRef(ref: string): string {
  return ref.replace(/^[^:]+:(default\/)?/, '');
}
