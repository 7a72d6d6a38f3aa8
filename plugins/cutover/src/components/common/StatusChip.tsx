import Chip from '@material-ui/core/Chip';
import { makeStyles, Theme } from '@material-ui/core/styles';
import { withContrast } from './AccessibleTheme';

const colors: Record<string, (t: Theme) => string> = {
  PLANNED: t => t.palette.grey[700],
  NOT_STARTED: t => t.palette.grey[700],
  PENDING: t => t.palette.grey[700],
  IN_PROGRESS: t => t.palette.info.main,
  RUNNING: t => t.palette.info.main,
  READY: t => t.palette.info.main,
  CUTOVER: t => t.palette.info.dark,
  PAUSED: t => t.palette.warning.main,
  STALLED: t => t.palette.warning.main,
  COMPLETED: t => t.palette.success.main,
  SUCCEEDED: t => t.palette.success.main,
  FAILED: t => t.palette.error.main,
  ROLLED_BACK: t => t.palette.error.dark,
  CANCELLED: t => t.palette.grey[700],
  // Freeze windows
  ACTIVE: t => t.palette.warning.dark,
  // Drift levels of reconciliation
  OK: t => t.palette.success.main,
  WARNING: t => t.palette.warning.main,
  CRITICAL: t => t.palette.error.main,
  ROLLBACK: t => t.palette.error.dark,
  // Read sources
  LEGACY: t => t.palette.grey[700],
  DUAL: t => t.palette.info.main,
  NEW: t => t.palette.success.dark,
};

const useStyles = makeStyles(theme => ({
  chip: (props: { status: string }) => ({
    backgroundColor: withContrast(
      (colors[props.status] ?? (t => t.palette.grey[700]))(theme),
      theme.palette.common.white,
    ),
    color: theme.palette.common.white,
    fontWeight: 600,
    letterSpacing: 0.3,
  }),
}));

/** A coloured chip for a status such as IN_PROGRESS (white on a color of AA contrast). */
export function StatusChip(props: { status: string; size?: 'small' | 'medium' }) {
  const classes = useStyles({ status: props.status });
  return (
    <Chip
      className={classes.chip}
      size={props.size ?? 'small'}
      label={props.status.replace(/_/g, ' ')}
      data-testid={`status-${props.status}`}
    />
  );
}
