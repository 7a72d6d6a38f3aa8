import { nextScheduledRun } from '@switchyard/plugin-cutover-common';

/**
 * The next slot of a schedule that a patch turns back on (report, snapshot and reconciliation
 * schedules alike); undefined when the patch does not resume it, so its next run stays as it was.
 */
export function nextRunOnResume(
  before: Parameters<typeof nextScheduledRun>[0] & { enabled: boolean; anchorAt: number | string },
  patch: { enabled?: boolean },
  now: number,
): number | undefined {
  if (patch.enabled !== true || before.enabled) return undefined;
  return nextScheduledRun(before, new Date(now), new Date(before.anchorAt)).getTime();
}
