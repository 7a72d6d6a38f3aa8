import Typography from '@material-ui/core/Typography';
import { ReactNode } from 'react';
import { usePollIntervalMs } from '../../hooks/useCutoverData';

/** Whether the view follows changes live (signals) or polls, and anything to add to that. */
export function LiveIndicator(props: { live: boolean; children?: ReactNode }) {
  const seconds = Math.round(usePollIntervalMs() / 1000);
  return (
    <Typography
      variant="caption"
      color="textSecondary"
      data-testid="live-indicator"
    >
      {props.live ? '● live' : `○ refreshing every ${seconds} s`}
      {props.children}
    </Typography>
  );
}
