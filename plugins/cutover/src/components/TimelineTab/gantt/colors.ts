import type { Theme } from '@material-ui/core/styles';
import type { PhaseStatus } from '@switchyard/plugin-cutover-common';

/** The colour that stands for a phase status. */
export function statusColor(theme: Theme, status: PhaseStatus): string {
  switch (status) {
    case 'COMPLETED':
      return theme.palette.success?.main ?? '#2e7d32';
    case 'FAILED':
      return theme.palette.error.main;
    case 'IN_PROGRESS':
      return theme.palette.info?.main ?? theme.palette.primary.main;
    default:
      return theme.palette.grey[500];
  }
}

/** The colour of freeze window bands. */
export function freezeColor(theme: Theme): string {
  return theme.palette.warning?.main ?? '#ed6c02';
}
