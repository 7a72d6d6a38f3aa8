import Box from '@material-ui/core/Box';
import CircularProgress from '@material-ui/core/CircularProgress';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';

const useStyles = makeStyles(theme => ({
  ring: { position: 'relative', display: 'inline-flex' },
  track: { color: theme.palette.divider, position: 'absolute', left: 0 },
  label: {
    position: 'absolute',
    inset: 0,
    display: 'flex',
    flexDirection: 'column',
    alignItems: 'center',
    justifyContent: 'center',
  },
}));

/** A circular gauge with a figure in the middle (progress, readiness score). */
export function ScoreRing(props: {
  value: number;
  text: string;
  caption: string;
  label: string;
  size: number;
  thickness: number;
  color?: string;
  testId?: string;
}) {
  const classes = useStyles();
  return (
    <Box className={classes.ring}>
      <CircularProgress
        variant="determinate"
        value={100}
        size={props.size}
        thickness={props.thickness}
        className={classes.track}
        aria-hidden
      />
      <CircularProgress
        variant="determinate"
        value={props.value}
        size={props.size}
        thickness={props.thickness}
        style={props.color ? { color: props.color } : undefined}
        aria-label={props.label}
      />
      <Box className={classes.label}>
        <Typography variant="h4" component="div" data-testid={props.testId}>
          {props.text}
        </Typography>
        <Typography variant="caption" color="textSecondary">
          {props.caption}
        </Typography>
      </Box>
    </Box>
  );
}
