// Reconciliation settings from config, and the drift level a ratio reaches.
import type { Config } from '@backstage/config';
import type {
  DriftThresholds,
  ReconciliationDatasetResult,
} from '@switchyard/plugin-cutover-common';
import { duration } from '../settings';

/** Reconciliation settings from `cutover.reconciliation`. */
export interface ReconciliationSettings {
  thresholds: DriftThresholds;
  /** How often datasets in CUTOVER or COMPLETED are reconciled. Default 30 minutes. */
  intervalMs: number;
  /** Whether crossing the rollback threshold rolls the dataset back automatically. Default true. */
  autoRollback: boolean;
  /** A run whose heartbeat is older than this is failed as abandoned. Default 60 s. */
  staleAfterMs: number;
}

/** Reads `cutover.reconciliation` with its defaults. */
export function readReconciliationSettings(
  root: Config,
): ReconciliationSettings {
  const c = root.getOptionalConfig('cutover.reconciliation');
  const ms = (key: string, fallback: number) => duration(c, key, fallback);
  return {
    thresholds: {
      warning: c?.getOptionalNumber('thresholds.warning') ?? 0.0005,
      critical: c?.getOptionalNumber('thresholds.critical') ?? 0.001,
      rollback: c?.getOptionalNumber('thresholds.rollback') ?? 0.005,
    },
    intervalMs: ms('interval', 30 * 60_000),
    autoRollback: c?.getOptionalBoolean('autoRollback') ?? true,
    staleAfterMs: ms('staleAfter', 60_000),
  };
}

/** The level a drift ratio reaches. */
export function driftLevel(
  ratio: number,
  t: DriftThresholds,
): ReconciliationDatasetResult['level'] {
  if (ratio >= t.rollback) return 'ROLLBACK';
  if (ratio >= t.critical) return 'CRITICAL';
  if (ratio >= t.warning) return 'WARNING';
  return 'OK';
}
