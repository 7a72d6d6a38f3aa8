// What the snapshot service's parts share: their dependencies, the system caller and small helpers.
import type { LoggerService } from '@backstage/backend-plugin-api';
import type { NotificationService } from '@backstage/plugin-notifications-node';
import type { ControlState, Snapshot } from '@switchyard/plugin-cutover-common';
import type {
  CutoverClock,
  SnapshotDatasetFigures,
  SnapshotProvider,
} from '@switchyard/plugin-cutover-node';
import type { CutoverStore } from '../../database/CutoverStore';
import type { StoredSnapshot } from '../../database/SnapshotStore';
import type { Caller } from '../access';
import type { AuditLog } from '../AuditLog';
import type { BackgroundJobs } from '../BackgroundJobs';
import type { JobSlots } from '../JobSlots';
import type { SignalPublisher } from '../SignalPublisher';
import type { SnapshotSettings } from './settings';

export const SYSTEM = { actor: 'plugin:cutover', requestId: null };

/** What a rollback does to the cutover (DatasetCutoverService implements it). */
export interface RollbackCutover {
  beginRollback(
    store: CutoverStore,
    migrationId: string,
    datasets: string[],
    rollbackId: string,
    caller: Caller | typeof SYSTEM,
  ): Promise<ControlState>;
  endRollback(
    store: CutoverStore,
    migrationId: string,
    restored: string[],
    rollbackId: string,
    succeeded: boolean,
    pausedFrom: ControlState | null,
  ): Promise<void>;
}

/**

/** What the snapshot and rollback parts share: the store, audit, signals, providers, clock. */
export interface SnapshotDeps {
  store: CutoverStore;
  audit: AuditLog;
  signals: SignalPublisher;
  notifications?: NotificationService;
  logger: LoggerService;
  /** Providers in order of preference; the first that supports a dataset takes it. */
  providers: () => SnapshotProvider[];
  settings: SnapshotSettings;
  /** The plugin's one clock (see cutoverClockServiceRef). */
  clock: CutoverClock;
  /** The cutover side of a rollback: reads to LEGACY and jobs paused, then ROLLED_BACK. */
  cutover?: RollbackCutover;
  /** Long jobs this backend may run at once (shared with reconciliations). */
  slots?: JobSlots;
  /** Throws 403 unless snapshots and restores may write through the connection. */
  writable?: (connection: string, what: string) => void;
}

/** The background jobs of this instance: snapshots being taken and rollbacks running. */
export type SnapshotJobs = BackgroundJobs<'snapshot' | 'rollback'>;

export function present(s: StoredSnapshot): Snapshot {
  const { figures: _f, ...snapshot } = s;
  return snapshot;
}

export function emptyFigures(dataset: string): SnapshotDatasetFigures {
  return { dataset, recordCount: 0, sizeBytes: 0, checksum: '', location: '' };
}

export function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
