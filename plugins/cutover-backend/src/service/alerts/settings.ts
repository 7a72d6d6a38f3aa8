// Alert settings from config: SLA per severity, the escalation group and the threshold rules.
import type { Config } from '@backstage/config';
import {
  type AlertSeverity,
  ALERT_SEVERITIES,
} from '@switchyard/plugin-cutover-common';
import { duration } from '../settings';

/** Alert settings from `cutover.alerts`. */
export interface AlertSettings {
  slaMs: Record<AlertSeverity, number>;
  escalationGroup: string | null;
  rules: {
    /** Dataset quality below this raises an alert (default: the readiness quality threshold). */
    qualityBelow: number;
    /** Failed share of handled records above this raises an alert. Default 0.05. */
    errorRateAbove: number;
    /** Current rate below this share of the average since start raises an alert. Default 0.5. */
    rateDropBelow: number;
    /** Progress this many points behind the planned schedule raises an alert. Default 10. */
    behindPlanPoints: number;
  };
}

const DEFAULT_SLA_HOURS: Record<AlertSeverity, number> = {
  CRITICAL: 1,
  HIGH: 4,
  MEDIUM: 24,
  LOW: 72,
};

/** Reads alert settings with their defaults. */
export function readAlertSettings(
  root: Config,
  qualityThreshold: number,
): AlertSettings {
  const c = root.getOptionalConfig('cutover.alerts');
  const slaMs = {} as Record<AlertSeverity, number>;
  for (const severity of ALERT_SEVERITIES) {
    const key = `sla.${severity}`;
    slaMs[severity] = duration(c, key, DEFAULT_SLA_HOURS[severity] * 3_600_000);
  }
  return {
    slaMs,
    escalationGroup: c?.getOptionalString('escalationGroup') ?? null,
    rules: {
      qualityBelow:
        c?.getOptionalNumber('rules.qualityBelow') ?? qualityThreshold,
      errorRateAbove: c?.getOptionalNumber('rules.errorRateAbove') ?? 0.05,
      rateDropBelow: c?.getOptionalNumber('rules.rateDropBelow') ?? 0.5,
      behindPlanPoints: c?.getOptionalNumber('rules.behindPlanPoints') ?? 10,
    },
  };
}
