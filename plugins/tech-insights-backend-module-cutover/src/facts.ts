import type {
  Dashboard,
  AlertStats,
  Readiness,
  ReconciliationRun,
  Recommendation,
  RiskLevel,
} from '@switchyard/plugin-cutover-common';

/** What the retriever reads of one migration (each through the cutover API). @public */
export interface MigrationSignals {
  id: string;
  entityRefs: string[];
  readiness: Readiness;
  dashboard: Dashboard;
  alerts: AlertStats;
  latestReconciliation: ReconciliationRun | undefined;
}

/** Drift levels, least to most severe; NONE: never reconciled. @public */
export const DRIFT_LEVELS = [
  'NONE',
  'OK',
  'WARNING',
  'CRITICAL',
  'ROLLBACK',
] as const;
/** A drift level. @public */
export type DriftLevel = (typeof DRIFT_LEVELS)[number];

const RECOMMENDATION_ORDER: Record<Recommendation, number> = {
  GO: 0,
  GO_WITH_CAUTION: 1,
  NO_GO: 2,
};
const RISK_ORDER: Record<RiskLevel, number> = {
  LOW: 0,
  MEDIUM: 1,
  HIGH: 2,
  CRITICAL: 3,
};
/** Approval states, best to worst for a cutover that is about to happen. */
const APPROVAL_ORDER = [
  'APPROVED',
  'CONDITIONALLY_APPROVED',
  'PENDING',
  'NONE',
  'STALE',
  'EXPIRED',
  'REJECTED',
] as const;
const AFTER_CUTOVER = new Set(['CUTOVER', 'COMPLETED']);

/** The facts of one entity: the worst of its migrations, as a scorecard should judge it. @public */
export interface EntityCutoverFacts {
  migrationCount: number;
  worstRecommendation: Recommendation;
  lowestReadinessScore: number;
  highestRisk: RiskLevel;
  lowestProgress: number;
  worstDriftLevel: DriftLevel;
  /** False when a dataset already cut over (CUTOVER / COMPLETED) drifts at WARNING or worse. */
  driftBelowWarningAfterCutover: boolean;
  openCriticalAlerts: number;
  openHighAlerts: number;
  worstApprovalState: string;
  /** Whole days the entity's worst recommendation has been NO_GO (0 when it is not). */
  noGoDays: number;
  /** ISO time since when it has been NO_GO; absent when it is not. */
  noGoSince?: string;
}

function datasetLevels(
  run: ReconciliationRun | undefined,
): Map<string, DriftLevel> {
  const levels = new Map<string, DriftLevel>();
  for (const d of run?.datasets ?? []) levels.set(d.name, d.level ?? 'NONE');
  return levels;
}

const worst = <T>(values: T[], rank: (v: T) => number): T =>
  values.reduce((a, b) => (rank(b) > rank(a) ? b : a));

/**
 * Folds the migrations touching one entity into its facts. `previous` is the entity's last stored
 * facts (from Tech Insights), so that "NO_GO since" carries over from one run to the next.
 * @public
 */
export function entityFacts(
  migrations: MigrationSignals[],
  now: Date,
  previous?: { worstRecommendation?: unknown; noGoSince?: unknown },
): EntityCutoverFacts {
  if (migrations.length === 0)
    throw new Error('an entity without migrations has no cutover facts');
  const driftLevels: DriftLevel[] = [];
  let driftBelowWarningAfterCutover = true;
  for (const m of migrations) {
    const levels = datasetLevels(m.latestReconciliation);
    driftLevels.push(...(levels.size ? levels.values() : ['NONE' as const]));
    for (const d of m.dashboard.datasets) {
      const level = levels.get(d.name) ?? 'NONE';
      if (
        AFTER_CUTOVER.has(d.cutoverState) &&
        DRIFT_LEVELS.indexOf(level) >= DRIFT_LEVELS.indexOf('WARNING')
      ) {
        driftBelowWarningAfterCutover = false;
      }
    }
  }
  const worstRecommendation = worst(
    migrations.map(m => m.readiness.recommendation),
    r => RECOMMENDATION_ORDER[r],
  );
  let noGoSince: string | undefined;
  if (worstRecommendation === 'NO_GO') {
    const carried =
      previous?.worstRecommendation === 'NO_GO' &&
      typeof previous.noGoSince === 'string'
        ? Date.parse(previous.noGoSince)
        : NaN;
    noGoSince = new Date(
      Number.isFinite(carried) && carried <= now.getTime()
        ? carried
        : now.getTime(),
    ).toISOString();
  }
  return {
    migrationCount: migrations.length,
    worstRecommendation,
    lowestReadinessScore: Math.min(...migrations.map(m => m.readiness.score)),
    highestRisk: worst(
      migrations.map(m => m.readiness.riskLevel),
      r => RISK_ORDER[r],
    ),
    lowestProgress: Math.min(
      ...migrations.map(m => m.dashboard.overallProgress),
    ),
    worstDriftLevel: worst(driftLevels, l => DRIFT_LEVELS.indexOf(l)),
    driftBelowWarningAfterCutover,
    openCriticalAlerts: migrations.reduce(
      (n, m) => n + m.alerts.bySeverity.CRITICAL.open,
      0,
    ),
    openHighAlerts: migrations.reduce(
      (n, m) => n + m.alerts.bySeverity.HIGH.open,
      0,
    ),
    worstApprovalState: worst(
      migrations.map(m => m.readiness.approval.status as string),
      s => APPROVAL_ORDER.indexOf(s as (typeof APPROVAL_ORDER)[number]),
    ),
    noGoDays: noGoSince
      ? Math.floor((now.getTime() - Date.parse(noGoSince)) / 86_400_000)
      : 0,
    ...(noGoSince ? { noGoSince } : {}),
  };
}
