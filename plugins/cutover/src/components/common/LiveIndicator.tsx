import Typography from '@material-ui/core/Typography';
import { ReactNode } from 'react';

/** Whether the view follows changes live (signals) or polls, and anything to add to that. */
export function LiveIndicator(props: { live: boolean; children?: ReactNode }) {
  return (
    <Typography
      variant="caption"
      color="textSecondary"
      data-testid="live-indicator"
    >
      {props.live ? '● live' : '○ refreshing every 10 s'}
      {props.children}
    </Typography>
  );
}
