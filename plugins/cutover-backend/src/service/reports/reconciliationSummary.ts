import type {
  DriftThresholds,
  FreezeWindow,
  ReconciliationDatasetResult,
  ReconciliationRun,
  RelationCheckResult,
} from '@switchyard/plugin-cutover-common';

/** How a dataset's latest reconciliation ended: a drift level, or FAILED when it could not compare. */
export type ReconciliationOutcome =
  | NonNullable<ReconciliationDatasetResult['level']>
  | 'FAILED';

/** A dataset's newest finished reconciliation result and the run it came from. */
export interface LatestReconciliation {
  dataset: string;
  outcome: ReconciliationOutcome;
  result: ReconciliationDatasetResult;
  run: ReconciliationRun;
  /** When the run finished (or started, for a run that never recorded its end). */
  at: string;
}

/** Worst first. */
export const OUTCOME_ORDER: ReconciliationOutcome[] = [
  'ROLLBACK',
  'CRITICAL',
  'FAILED',
  'WARNING',
  'OK',
];

/** When a run's results stand: its end, else its start, else its creation. */
export function runTime(run: ReconciliationRun): string {
  return run.finishedAt ?? run.startedAt ?? run.createdAt;
}

function finished(r: ReconciliationDatasetResult) {
  return r.status === 'SUCCEEDED' || r.status === 'FAILED';
}

function outcomeOf(r: ReconciliationDatasetResult): ReconciliationOutcome {
  if (r.status === 'FAILED' || r.error || r.level === null) return 'FAILED';
  return r.level;
}

/**
 * The newest finished result of every dataset over the given runs (in any order), worst first:
 * by outcome (rollback, critical, failed, warning, ok), then by drift, then by name. Datasets
 * still pending or running in a run count from their previous run.
 */
export function latestReconciliations(
  runs: ReconciliationRun[],
): LatestReconciliation[] {
  const latest = new Map<string, LatestReconciliation>();
  for (const run of runs) {
    const at = runTime(run);
    for (const result of run.datasets) {
      if (!finished(result)) continue;
      const seen = latest.get(result.name);
      if (seen && Date.parse(seen.at) >= Date.parse(at)) continue;
      latest.set(result.name, {
        dataset: result.name,
        outcome: outcomeOf(result),
        result,
        run,
        at,
      });
    }
  }
  const rank = (x: LatestReconciliation) => OUTCOME_ORDER.indexOf(x.outcome);
  return [...latest.values()].sort(
    (a, b) =>
      rank(a) - rank(b) ||
      (b.result.driftRatio ?? -1) - (a.result.driftRatio ?? -1) ||
      a.dataset.localeCompare(b.dataset, 'en'),
  );
}

/** How many datasets ended in each outcome. */
export function outcomeCounts(
  latest: LatestReconciliation[],
): Record<ReconciliationOutcome, number> {
  const counts = { ROLLBACK: 0, CRITICAL: 0, FAILED: 0, WARNING: 0, OK: 0 };
  for (const x of latest) counts[x.outcome]++;
  return counts;
}

/** One dataset's drift ratios over time, oldest first. */
export interface DriftSeries {
  dataset: string;
  points: Array<{ at: number; drift: number }>;
  peak: number;
}

/**
 * Drift over time for the datasets whose drift peaked highest (at most `limit` of them, highest
 * first), from the finished results of the given runs.
 */
export function driftSeries(
  runs: ReconciliationRun[],
  limit: number,
): { series: DriftSeries[]; datasets: number } {
  const byDataset = new Map<string, DriftSeries>();
  for (const run of runs) {
    const at = Date.parse(runTime(run));
    if (!Number.isFinite(at)) continue;
    for (const r of run.datasets) {
      if (
        !finished(r) ||
        r.driftRatio === null ||
        !Number.isFinite(r.driftRatio)
      )
        continue;
      let s = byDataset.get(r.name);
      if (!s) {
        s = { dataset: r.name, points: [], peak: 0 };
        byDataset.set(r.name, s);
      }
      s.points.push({ at, drift: r.driftRatio });
      s.peak = Math.max(s.peak, r.driftRatio);
    }
  }
  const all = [...byDataset.values()];
  for (const s of all) s.points.sort((a, b) => a.at - b.at);
  all.sort(
    (a, b) => b.peak - a.peak || a.dataset.localeCompare(b.dataset, 'en'),
  );
  return { series: all.slice(0, limit), datasets: all.length };
}

/** The thresholds of the newest run, which are those in force now. */
export function currentThresholds(
  runs: ReconciliationRun[],
): DriftThresholds | null {
  let newest: ReconciliationRun | null = null;
  for (const run of runs) {
    if (!newest || Date.parse(runTime(run)) > Date.parse(runTime(newest)))
      newest = run;
  }
  return newest?.thresholds ?? null;
}

const FREEZE_ORDER: Record<string, number> = {
  ACTIVE: 0,
  PLANNED: 1,
  COMPLETED: 2,
  CANCELLED: 3,
};

/**
 * Freeze windows in the order a reader wants them: active, then planned (soonest first), then
 * completed and cancelled ones (most recent first).
 */
export function orderFreezeWindows(windows: FreezeWindow[]): FreezeWindow[] {
  return [...windows].sort((a, b) => {
    const ra = FREEZE_ORDER[a.status] ?? 4;
    const rb = FREEZE_ORDER[b.status] ?? 4;
    if (ra !== rb) return ra - rb;
    const d = Date.parse(a.startsAt) - Date.parse(b.startsAt);
    return ra <= 1 ? d : -d;
  });
}

/** One integrity check of a run, as a report lists it. */
export interface IntegrityLine {
  kind: 'relation' | 'golden query';
  name: string;
  /** OK, ORPHANS, EQUAL, DIFFERENT or FAILED. */
  result: string;
  figures: string;
  detail: string;
}

function relationLine(r: RelationCheckResult): IntegrityLine {
  let result = 'OK';
  if (r.status === 'FAILED') result = 'FAILED';
  else if (r.orphans) result = 'ORPHANS';
  let detail =
    r.origin === 'CONSTRAINT'
      ? `foreign key ${r.name}`
      : 'declared in the plan';
  if (r.sampleKeys.length)
    detail = `e.g. ${r.sampleKeys
      .slice(0, 3)
      .map(k => JSON.stringify(k))
      .join(', ')}`;
  return {
    kind: 'relation',
    name: r.dataset
      ? `${r.dataset}.${r.columns.join(',')} -> ${
          r.references.dataset
        }.${r.references.columns.join(',')}`
      : r.name,
    result,
    figures:
      r.status === 'FAILED'
        ? '-'
        : `${r.orphans} orphan(s) of ${r.checked} row(s)`,
    detail: r.error ?? detail,
  };
}

/**
 * The integrity checks of the newest run that made any (foreign-key relations, then golden
 * queries), problems first; null when no run has.
 */
export function latestIntegrity(
  runs: ReconciliationRun[],
): { run: ReconciliationRun; lines: IntegrityLine[] } | null {
  const run = [...runs]
    .filter(r => r.integrity)
    .sort((a, b) => Date.parse(runTime(b)) - Date.parse(runTime(a)))[0];
  if (!run?.integrity) return null;
  const ms = (v: number | null) => (v === null ? '-' : `${v.toFixed(1)} ms`);
  const lines: IntegrityLine[] = [
    ...run.integrity.relations.map(relationLine),
    ...run.integrity.goldenQueries.map(q => ({
      kind: 'golden query' as const,
      name: q.name,
      result: q.status,
      figures:
        q.status === 'FAILED'
          ? '-'
          : `${q.sourceRows} / ${q.destinationRows} row(s); ${ms(
              q.sourceMs,
            )} / ${ms(q.destinationMs)}`,
      detail:
        q.error ??
        (q.differences.length
          ? q.differences
              .slice(0, 2)
              .map(d => `${d.side}: ${JSON.stringify(d.row)}`)
              .join('; ')
          : ''),
    })),
  ];
  const bad = (l: IntegrityLine) =>
    l.result === 'OK' || l.result === 'EQUAL' ? 1 : 0;
  return { run, lines: [...lines].sort((a, b) => bad(a) - bad(b)) };
}
