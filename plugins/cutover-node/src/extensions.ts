import { createExtensionPoint } from '@backstage/backend-plugin-api';

/** A dataset as providers see it: where it lives and how its rows are keyed. @public */
export interface CutoverDatasetTarget {
  migrationId: string;
  dataset: string;
  /** Name of the connection under `cutover.connections`. */
  connection: string;
  table: string;
  keyColumns: string[];
  /**
   * For reconcilers: source columns compared with a destination column of another name
   * (source name to destination name), from the plan. The same on both targets of a pair.
   */
  columnMap?: Record<string, string>;
  /** For reconcilers: columns (by source or destination name) left out of the comparison. */
  ignoreColumns?: string[];
}

/** Figures of one dataset in a snapshot. @public */
export interface SnapshotDatasetFigures {
  dataset: string;
  recordCount: number;
  sizeBytes: number;
  /** Order-independent checksum of the dataset's rows. */
  checksum: string;
  /** Where the copy is kept (a table name, a file path, a URL). */
  location: string;
}

/** Reports progress of long work, 0-100. @public */
export type ProgressReporter = (percent: number, message?: string) => void;

/**
 * Stores and restores copies of datasets. The built-in provider copies tables inside the
 * destination database; platform teams can register their own storage.
 * @public
 */
export interface SnapshotProvider {
  /** Stable id, stored with each snapshot so restores go to the provider that made it. */
  readonly id: string;
  /** Whether this provider can handle the dataset (e.g. its connection's client). */
  supports(target: CutoverDatasetTarget): Promise<boolean>;
  create(
    snapshotId: string,
    target: CutoverDatasetTarget,
    progress: ProgressReporter,
  ): Promise<SnapshotDatasetFigures>;
  /**
   * Restores the dataset to its state in the snapshot, atomically: on any failure the dataset is
   * left as it was before the call.
   */
  restore(
    snapshotId: string,
    target: CutoverDatasetTarget,
    figures: SnapshotDatasetFigures,
    progress: ProgressReporter,
  ): Promise<{ recordsRestored: number; recordsDeleted: number }>;
  /**
   * Restores several datasets of one connection atomically: all of them, or (on any failure) none.
   * Optional; without it a rollback restores dataset by dataset, each atomically, stops at the
   * first failure and records which datasets were restored.
   */
  restoreAll?(
    snapshotId: string,
    items: Array<{
      target: CutoverDatasetTarget;
      figures: SnapshotDatasetFigures;
    }>,
    progress: ProgressReporter,
  ): Promise<Array<{ recordsRestored: number; recordsDeleted: number }>>;
  /** Current figures of the live dataset, to compare with a snapshot. */
  measure(
    target: CutoverDatasetTarget,
  ): Promise<Omit<SnapshotDatasetFigures, 'location'>>;
  delete(
    snapshotId: string,
    target: CutoverDatasetTarget,
    figures: SnapshotDatasetFigures,
  ): Promise<void>;
}

/** Per-dataset result of comparing source and destination. @public */
export interface ReconciliationFigures {
  sourceCount: number;
  destinationCount: number;
  missingInDestination: number;
  missingInSource: number;
  mismatched: number;
  /** Share of rows that differ, 0-1. */
  driftRatio: number;
  /** A sample of the keys that differ, for people to look at. */
  sampleKeys: Array<{
    key: Record<string, unknown>;
    kind: 'missingInDestination' | 'missingInSource' | 'mismatched';
  }>;
  /**
   * Rows compared: the distinct keys found on either side (source rows plus rows missing in the
   * source), for a rows-per-second figure. Optional: reconcilers that cannot tell leave it out.
   */
  rowsCompared?: number;
  /** Remarks about how the comparison was made, e.g. columns present on one side only (ignored). */
  notes?: string[];
}

/** Compares a dataset between the migration's source and destination. @public */
export interface Reconciler {
  readonly id: string;
  supports(
    source: CutoverDatasetTarget,
    destination: CutoverDatasetTarget,
  ): Promise<boolean>;
  reconcile(
    source: CutoverDatasetTarget,
    destination: CutoverDatasetTarget,
    progress: ProgressReporter,
  ): Promise<ReconciliationFigures>;
}

/** Decides a checklist item from data. @public */
export interface ChecklistEvaluator {
  /** Checklist item id this evaluator decides, e.g. `DQ004`. */
  readonly itemId: string;
  /** The decision, or null when the data can't decide it for this migration (people record it). */
  evaluate(context: { migrationId: string }): Promise<{
    status: 'PASS' | 'FAIL' | 'NOT_TESTED';
    /** What the decision was made from, shown beside the item. */
    evidence: string;
  } | null>;
}

/** Lets modules add snapshot providers. @public */
export interface CutoverSnapshotProvidersExtensionPoint {
  addSnapshotProvider(...providers: SnapshotProvider[]): void;
}

/** @public */
export const cutoverSnapshotProvidersExtensionPoint =
  createExtensionPoint<CutoverSnapshotProvidersExtensionPoint>({
    id: 'cutover.snapshot-providers',
  });

/** Lets modules add reconcilers. @public */
export interface CutoverReconcilersExtensionPoint {
  addReconciler(...reconcilers: Reconciler[]): void;
}

/** @public */
export const cutoverReconcilersExtensionPoint =
  createExtensionPoint<CutoverReconcilersExtensionPoint>({
    id: 'cutover.reconcilers',
  });

/** Lets modules add checklist evaluators. @public */
export interface CutoverChecklistEvaluatorsExtensionPoint {
  addChecklistEvaluator(...evaluators: ChecklistEvaluator[]): void;
}

/** @public */
export const cutoverChecklistEvaluatorsExtensionPoint =
  createExtensionPoint<CutoverChecklistEvaluatorsExtensionPoint>({
    id: 'cutover.checklist-evaluators',
  });
