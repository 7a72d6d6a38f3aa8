import type { Blocker, ChecklistItem, Recommendation, RiskLevel } from '../types';

/** Thresholds of the readiness rules. @public */
export interface ReadinessThresholds {
  /** Quality at or above this (with no critical blocker) recommends GO. Default 85. */
  qualityGo: number;
  /** Quality at or above this (with no critical blocker) recommends GO_WITH_CAUTION. Default 75. */
  qualityCaution: number;
}

/** @public */
export const DEFAULT_READINESS_THRESHOLDS: ReadinessThresholds = { qualityGo: 85, qualityCaution: 75 };

/** What readiness is computed from. @public */
export interface ReadinessInput {
  items: Pick<ChecklistItem, 'id' | 'title' | 'required' | 'status' | 'evidence'>[];
  qualityScore: number | null;
  /** Blockers from outside the checklist (migration failed, critical alerts open, …). */
  systemBlockers?: Blocker[];
  thresholds?: Partial<ReadinessThresholds>;
}

/** The readiness assessment without the approval state. @public */
export interface ReadinessAssessment {
  ready: boolean;
  score: number;
  recommendation: Recommendation;
  riskLevel: RiskLevel;
  blockers: Blocker[];
  warnings: string[];
  mitigations: string[];
}

const MITIGATIONS: Record<string, string> = {
  DQ001: 'Finish importing the tier 1 (master data) datasets before anything that depends on them.',
  DQ002: 'Fix the rows behind the weakest quality dimension and re-run their import.',
  DQ003: 'Resolve or explicitly accept every critical validation error; re-validate.',
  DQ004: 'Run reconciliation and repair the rows whose references do not resolve.',
  DQ005: 'Reconcile source and destination; re-import the datasets that lost rows.',
  SR001: 'Load-test the new database and tune the slow queries.',
  SR002: 'Run the integration test suite against the new database.',
  SR003: 'Take a snapshot and rehearse a restore; record the time it takes.',
  SR004: 'Add alerts for error rates and latency of the new database.',
};

/**
 * Readiness of a migration for cutover, by the design's rules:
 * - a required checklist item that FAILs is a critical blocker; a required item NOT_TESTED is a
 *   high blocker (it can't count as passed);
 * - recommendation: no critical blocker and quality at least qualityGo: GO; at least
 *   qualityCaution: GO_WITH_CAUTION; otherwise NO_GO. Untested required items cap the recommendation at
 *   GO_WITH_CAUTION;
 * - risk: any critical blocker: CRITICAL; three or more high blockers or quality below 70:
 *   HIGH; a high blocker or quality below 80: MEDIUM; else LOW;
 * - score 0-100: 60% checklist (required items weigh double) and 40% quality, less 5 per high
 *   blocker from outside the checklist (untested items already count in the checklist part);
 *   capped at 59 while a critical blocker stands.
 * @public
 */
export function assessReadiness(input: ReadinessInput): ReadinessAssessment {
  const t = { ...DEFAULT_READINESS_THRESHOLDS, ...input.thresholds };
  const quality = input.qualityScore;
  const blockers: Blocker[] = [];
  const warnings: string[] = [];
  const mitigations: string[] = [];

  for (const item of input.items) {
    const why = item.evidence ? ` (${item.evidence})` : '';
    if (item.required && item.status === 'FAIL') {
      blockers.push({ severity: 'CRITICAL', source: 'CHECKLIST', itemId: item.id, message: `${item.id}: ${item.title}${why}` });
      if (MITIGATIONS[item.id]) mitigations.push(`${item.id}: ${MITIGATIONS[item.id]}`);
    } else if (item.required && item.status === 'NOT_TESTED') {
      blockers.push({ severity: 'HIGH', source: 'CHECKLIST', itemId: item.id, message: `${item.id}: ${item.title} is not tested yet` });
    } else if (!item.required && item.status !== 'PASS') {
      warnings.push(`${item.id}: ${item.title} is ${item.status === 'FAIL' ? 'failing' : 'not tested'} (recommended)`);
    }
  }
  if (quality === null) {
    blockers.push({ severity: 'HIGH', source: 'DATA_QUALITY', message: 'No data quality has been reported yet' });
  } else if (quality < t.qualityCaution) {
    blockers.push({
      severity: 'CRITICAL',
      source: 'DATA_QUALITY',
      message: `Data quality ${quality} is below ${t.qualityCaution}`,
    });
    mitigations.push(MITIGATIONS.DQ002);
  } else if (quality < t.qualityGo) {
    warnings.push(`Data quality ${quality} is below the GO threshold of ${t.qualityGo}`);
  }
  blockers.push(...(input.systemBlockers ?? []));

  const critical = blockers.filter(b => b.severity === 'CRITICAL').length;
  const high = blockers.filter(b => b.severity === 'HIGH').length;
  const untestedRequired = input.items.some(i => i.required && i.status === 'NOT_TESTED');
  const q = quality ?? 0;

  let recommendation: Recommendation = 'NO_GO';
  if (critical === 0 && quality !== null) {
    if (q >= t.qualityGo) recommendation = 'GO';
    else if (q >= t.qualityCaution) recommendation = 'GO_WITH_CAUTION';
  }
  if (recommendation === 'GO' && untestedRequired) recommendation = 'GO_WITH_CAUTION';

  let riskLevel: RiskLevel = 'LOW';
  if (critical > 0) riskLevel = 'CRITICAL';
  else if (high >= 3 || q < 70) riskLevel = 'HIGH';
  else if (high >= 1 || q < 80) riskLevel = 'MEDIUM';

  const weight = (i: { required: boolean }) => (i.required ? 2 : 1);
  const totalWeight = input.items.reduce((s, i) => s + weight(i), 0);
  const passedWeight = input.items.filter(i => i.status === 'PASS').reduce((s, i) => s + weight(i), 0);
  const checklistScore = totalWeight ? (passedWeight / totalWeight) * 100 : 0;
  const highOutsideChecklist = blockers.filter(b => b.severity === 'HIGH' && b.source !== 'CHECKLIST').length;
  let score = Math.round(0.6 * checklistScore + 0.4 * q) - 5 * highOutsideChecklist;
  if (critical > 0) score = Math.min(score, 59);
  score = Math.max(0, Math.min(100, score));

  if (untestedRequired) {
    mitigations.push('Test the open required checklist items and record their results.');
  }
  return {
    ready: recommendation === 'GO',
    score,
    recommendation,
    riskLevel,
    blockers,
    warnings,
    mitigations,
  };
}

/** Orders recommendations from worst to best, to tell when readiness fell. @public */
export const RECOMMENDATION_RANK: Record<Recommendation, number> = {
  NO_GO: 0,
  GO_WITH_CAUTION: 1,
  GO: 2,
};
