// Reconciliation runs and the drift they measured, as the Cutover tab shows them.
import type {
  ReconciliationDatasetResult,
  ReconciliationRun,
} from '@switchyard/plugin-cutover-common';

/** How far a dataset's drift went against the thresholds. */
export type DriftLevel = NonNullable<ReconciliationDatasetResult['level']>;

const LEVELS: DriftLevel[] = ['OK', 'WARNING', 'CRITICAL', 'ROLLBACK'];

/** A drift ratio (0-1) as a percentage with three decimals: 0.00012 -> "0.012%". */
export function formatDrift(ratio: number | null | undefined): string {
  if (ratio === null || ratio === undefined) return '–';
  return `${(ratio * 100).toFixed(3)}%`;
}

/** The worse of the levels the run's datasets reached, or null before any was measured. */
export function worstLevel(run: ReconciliationRun): DriftLevel | null {
  let worst = -1;
  for (const d of run.datasets) {
    if (d.level) worst = Math.max(worst, LEVELS.indexOf(d.level));
  }
  return worst < 0 ? null : LEVELS[worst];
}

/** When a run happened: when it started, or when it was asked for. */
export function runTime(run: ReconciliationRun): string {
  return run.startedAt ?? run.createdAt;
}

/** Runs, newest first. */
export function newestFirst(runs: ReconciliationRun[]): ReconciliationRun[] {
  return [...runs].sort((a, b) => runTime(b).localeCompare(runTime(a)));
}

/** How long a run took, or has been running; null before it started. */
export function runDurationMs(
  run: ReconciliationRun,
  now = Date.now(),
): number | null {
  if (!run.startedAt) return null;
  const end = run.finishedAt ? Date.parse(run.finishedAt) : now;
  return Math.max(0, end - Date.parse(run.startedAt));
}

/** The drift a reconciliation last measured for a dataset. */
export interface DatasetDrift {
  ratio: number;
  level: DriftLevel | null;
  at: string;
  runId: string;
}

/** Per dataset, the drift of the newest run that measured it. */
export function latestDrift(
  runs: ReconciliationRun[],
): Map<string, DatasetDrift> {
  const out = new Map<string, DatasetDrift>();
  for (const run of newestFirst(runs)) {
    for (const d of run.datasets) {
      if (out.has(d.name) || d.driftRatio === null) continue;
      out.set(d.name, {
        ratio: d.driftRatio,
        level: d.level,
        at: run.finishedAt ?? runTime(run),
        runId: run.id,
      });
    }
  }
  return out;
}
