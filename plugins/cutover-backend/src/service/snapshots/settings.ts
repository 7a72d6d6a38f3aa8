import type { Config } from '@backstage/config';
import { duration } from '../settings';

/** Snapshot settings from `cutover.snapshots`. */
export interface SnapshotSettings {
  /** Default time snapshots are kept. Default 14 days. */
  retentionMs: number;
  /** The longest retention a request may ask for. Default 90 days. */
  maxRetentionMs?: number;
  /** Snapshots a migration may keep (taken for rollbacks excepted). Default 20. */
  quotaCount?: number;
  /** Bytes of snapshot copies a migration may keep. Default 100 GiB. */
  quotaBytes?: number;
  /** How often a running job refreshes its heartbeat. Default 5 s. */
  heartbeatMs: number;
  /** A job whose heartbeat is older than this is considered dead. Default 60 s. */
  staleAfterMs: number;
}

/** Reads `cutover.snapshots` with its defaults. */
export function readSnapshotSettings(root: Config): SnapshotSettings {
  const c = root.getOptionalConfig('cutover.snapshots');
  const ms = (key: string, fallback: number) => duration(c, key, fallback);
  const retentionMs = ms('retention', 14 * 86_400_000);
  const maxRetentionMs = ms('maxRetention', 90 * 86_400_000);
  if (retentionMs > maxRetentionMs) {
    throw new Error(
      'cutover.snapshots.retention must not be longer than cutover.snapshots.maxRetention',
    );
  }
  return {
    retentionMs,
    maxRetentionMs,
    quotaCount: c?.getOptionalNumber('quota.count') ?? 20,
    quotaBytes: c?.getOptionalNumber('quota.bytes') ?? 100 * 1024 ** 3,
    heartbeatMs: ms('heartbeat', 5_000),
    staleAfterMs: ms('staleAfter', 60_000),
  };
}
