import type { FreezeWindowStore } from './FreezeWindowStore';
import type { ReconciliationRunStore } from './ReconciliationRunStore';
import type { SwitchStore } from './SwitchStore';
import type { SnapshotStore } from './SnapshotStore';
import type { ReportStore } from './ReportStore';
import type { ReadinessStore } from './ReadinessStore';
import type { AlertStore } from './AlertStore';
import type { GovernanceStore } from './GovernanceStore';
import type { OperationScheduleStore } from './OperationScheduleStore';
import type { PortfolioStore } from './PortfolioStore';
import type {
  AuditEvent,
  ControlState,
  Dataset,
  DatasetCutoverState,
  ReadSource,
  Migration,
  MigrationStatus,
  Milestone,
  ParsedMigrationPlan,
  Phase,
} from '@switchyard/plugin-cutover-common';

/** A dataset row with its latest figures, as the dashboard reads it. */
export interface DatasetFigures extends Dataset {
  position: number;
  completeness: number | null;
  validity: number | null;
  consistency: number | null;
  accuracy: number | null;
  errorsCritical: number;
  errorsHigh: number;
  errorsMedium: number;
  errorsLow: number;
  lastSampleAtMs: number | null;
  importRate: number;
  qualityBaseline: number | null;
  bytesMoved: number | null;
  byteRate: number | null;
  cpuSeconds: number | null;
  memoryPeakBytes: number | null;
  cost: number | null;
  errorsByType: Record<string, number> | null;
  lastSamplePaused: boolean;
}

/** A migration as stored, with its archive time (archived migrations are hidden, not deleted). */
export type StoredMigration = Migration & { archivedAt: string | null };

/** A metric sample after validation, with its time resolved. */
export interface StoredSample {
  dataset: string;
  at: number;
  totalRecords: number | null;
  importedRecords: number | null;
  failedRecords: number | null;
  skippedRecords: number | null;
  completeness: number | null;
  validity: number | null;
  consistency: number | null;
  accuracy: number | null;
  errorsCritical: number | null;
  errorsHigh: number | null;
  errorsMedium: number | null;
  errorsLow: number | null;
  duringFreeze: boolean;
  bytesMoved?: number | null;
  cpuSeconds?: number | null;
  memoryPeakBytes?: number | null;
  cost?: number | null;
  errorsByType?: Record<string, number> | null;
  /** Sent while the migration, or the phase moving its dataset, was paused. */
  paused?: boolean;
}

/** Filters of a migration listing. */
export interface MigrationFilter {
  entityRef?: string;
  owner?: string;
  status?: MigrationStatus;
}

/** Fields a PATCH may change. */
export interface MigrationChanges {
  title?: string;
  description?: string | null;
  status?: MigrationStatus;
  controlState?: ControlState;
  plannedStart?: number | null;
  plannedEnd?: number | null;
  actualStart?: number | null;
  actualEnd?: number | null;
}

/** An audit event before it is stored. */
export interface NewAuditEvent {
  migrationId: string;
  actor: string;
  action: string;
  target?: string | null;
  before?: unknown;
  after?: unknown;
  requestId?: string | null;
  outcome?: 'success' | 'failure';
  severity?: 'low' | 'medium' | 'high' | 'critical';
}

/** Result of storing a batch of samples. */
export interface SampleWriteResult {
  accepted: number;
  /** Datasets whose latest figures moved. */
  changedDatasets: string[];
}

/** Where the cutover plugin's state lives. The only place with SQL. */
export interface CutoverStore {
  transaction<T>(fn: (store: CutoverStore) => Promise<T>): Promise<T>;
  /** Checklist and approvals, on the same connection (and transaction) as this store. */
  readiness(): ReadinessStore;
  /** Alerts, on the same connection (and transaction) as this store. */
  alerts(): AlertStore;
  /** Report schedules and delivered reports, on the same connection (and transaction). */
  reports(): ReportStore;
  /** Snapshots and rollbacks, on the same connection (and transaction). */
  snapshots(): SnapshotStore;
  /** The history of read-source switches and cutover-state changes, on the same connection. */
  switches(): SwitchStore;
  /** Freeze windows, on the same connection (and transaction). */
  freezeWindows(): FreezeWindowStore;
  /** Reconciliation runs, on the same connection (and transaction). */
  reconciliationRuns(): ReconciliationRunStore;
  /** Which migration holds which table, on the same connection (and transaction). */
  governance(): GovernanceStore;
  /** Scheduled snapshots and reconciliations. */
  operationSchedules(): OperationScheduleStore;
  portfolio(): PortfolioStore;

  /** A migration; `withDatasets: false` skips its datasets (for permission checks). */
  getMigration(
    id: string,
    options?: { includeArchived?: boolean; withDatasets?: boolean },
  ): Promise<StoredMigration | undefined>;
  listMigrations(filter: MigrationFilter): Promise<StoredMigration[]>;
  /** Creates or updates a migration from a plan; never touches samples or history. */
  applyPlan(
    plan: ParsedMigrationPlan,
    actor: string,
    now: number,
  ): Promise<{
    created: boolean;
    before?: StoredMigration;
    after: StoredMigration;
  }>;
  /**
   * Applies changes; with `onlyIfStatus`, only while the migration has that status (a
   * compare-and-set: of concurrent transitions one applies). Returns whether a row changed.
   */
  updateMigration(
    id: string,
    changes: MigrationChanges,
    now: number,
    onlyIfStatus?: MigrationStatus,
  ): Promise<boolean>;
  archiveMigration(id: string, now: number): Promise<void>;
  /** Brings an archived migration back (archived_at cleared). */
  restoreMigration(id: string, now: number): Promise<void>;
  /** The last applied plan of a migration, archived or not, as stored (JSON). */
  getPlan(id: string): Promise<string | undefined>;

  getDatasetFigures(migrationId: string): Promise<DatasetFigures[]>;
  /** Sets the cutover state (and optionally the read source) of datasets. */
  setDatasetState(
    migrationId: string,
    datasets: string[],
    change: {
      cutoverState?: DatasetCutoverState;
      readSource?: ReadSource;
      /** A gradual rollout of the dataset's reads; null ends it. */
      rollout?: { source: ReadSource; percent: number } | null;
    },
  ): Promise<void>;
  writeSamples(
    migrationId: string,
    samples: StoredSample[],
    options: { rateWindowMs: number },
  ): Promise<SampleWriteResult>;
  readSamples(
    migrationId: string,
    range: { from: number; to: number; dataset?: string },
  ): Promise<StoredSample[]>;
  /** The newest sample of each dataset before `before`, to seed trends. */
  readSamplesBefore(
    migrationId: string,
    before: number,
    dataset?: string,
  ): Promise<StoredSample[]>;
  /** Keeps the newest sample per dataset and bucket among samples older than `olderThan`. */
  downsample(
    olderThan: number,
    bucketMs: number,
    newerThan: number,
  ): Promise<number>;

  listPhases(migrationId: string): Promise<Phase[]>;
  listMilestones(migrationId: string): Promise<Milestone[]>;
  /** Creates or updates one phase with the given fields (ISO times as epoch ms). */
  putPhase(migrationId: string, phase: Phase, now: number): Promise<void>;
  /** Pauses or resumes one phase on its own; false when it does not exist. */
  setPhasePaused(
    migrationId: string,
    phaseId: string,
    paused: { at: number; by: string } | null,
    now: number,
  ): Promise<boolean>;
  putMilestone(
    migrationId: string,
    milestone: Milestone,
    now: number,
  ): Promise<void>;

  getIdempotentResponse(
    migrationId: string,
    key: string,
  ): Promise<unknown | undefined>;
  /**
   * Claims a key for the calling transaction (without a response yet). False when it is taken;
   * on PostgreSQL a concurrent claim of the same key waits until the first transaction ends.
   */
  claimIdempotencyKey(
    migrationId: string,
    key: string,
    now: number,
  ): Promise<boolean>;
  /** Stores the response of a key (claimed or not). */
  putIdempotentResponse(
    migrationId: string,
    key: string,
    response: unknown,
    now: number,
  ): Promise<void>;
  pruneIdempotencyKeys(olderThan: number): Promise<number>;

  appendAudit(event: NewAuditEvent, now: number): Promise<AuditEvent>;
  listAudit(
    migrationId: string,
    page: { limit: number; afterId?: number },
  ): Promise<{ items: AuditEvent[]; totalCount: number }>;
}
