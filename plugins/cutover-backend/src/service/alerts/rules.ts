// The threshold rules of alerts: which conditions hold for a migration's figures now.
import type {
  AlertSeverity,
  Dashboard,
  Migration,
} from '@switchyard/plugin-cutover-common';
import type { AlertSettings } from './settings';

export /** A condition a threshold rule found, keyed so it raises one alert until it clears. */
interface RuleFinding {
  key: string;
  severity: AlertSeverity;
  title: string;
  message: string;
  dataset: string | null;
}

/** The rule conditions that hold now. */
export function alertFindings(
  rules: AlertSettings['rules'],
  migration: Migration,
  d: Dashboard,
  now: number,
): RuleFinding[] {
  const overrides = migration.alertRules ?? {};
  const r = { ...rules, ...overrides };
  const stalledAfterMs = overrides.stalledAfterMinutes
    ? overrides.stalledAfterMinutes * 60_000
    : undefined;
  const out: RuleFinding[] = [];
  if (!['IN_PROGRESS', 'PAUSED'].includes(d.status)) return out;
  for (const x of d.datasets) {
    if (x.qualityScore !== null && x.qualityScore < r.qualityBelow) {
      out.push({
        key: `quality:${x.name}`,
        severity: 'HIGH',
        dataset: x.name,
        title: `Quality of ${x.name} fell to ${x.qualityScore}`,
        message: `Quality score ${x.qualityScore} is below ${r.qualityBelow}`,
      });
    }
    const handled = x.importedRecords + x.failedRecords;
    if (handled >= 100 && x.failedRecords / handled > r.errorRateAbove) {
      const share = Math.round((x.failedRecords / handled) * 1000) / 10;
      out.push({
        key: `error-rate:${x.name}`,
        severity: 'HIGH',
        dataset: x.name,
        title: `${share}% of ${x.name} records fail`,
        message: `${x.failedRecords} of ${handled} records failed (threshold ${
          r.errorRateAbove * 100
        }%)`,
      });
    }
    const stalled =
      stalledAfterMs === undefined
        ? x.status === 'STALLED'
        : x.status !== 'COMPLETED' &&
          x.status !== 'FAILED' &&
          x.lastSampleAt !== null &&
          x.overallProgress > 0 &&
          now - Date.parse(x.lastSampleAt) > stalledAfterMs;
    if (stalled) {
      out.push({
        key: `stalled:${x.name}`,
        severity: 'HIGH',
        dataset: x.name,
        title: `${x.name} has stalled`,
        message: `No progress reported since ${x.lastSampleAt}`,
      });
    }
  }
  if (
    d.status === 'IN_PROGRESS' &&
    d.elapsedMs &&
    d.elapsedMs > 10 * 60_000 &&
    d.overallProgress < 100
  ) {
    const average = d.importedRecords / (d.elapsedMs / 60_000);
    if (average > 0 && d.importRate < r.rateDropBelow * average) {
      out.push({
        key: 'rate-drop',
        severity: 'MEDIUM',
        dataset: null,
        title: `Import rate dropped to ${Math.round(d.importRate)} records/min`,
        message: `Below ${r.rateDropBelow * 100}% of the average ${Math.round(
          average,
        )} records/min since start`,
      });
    }
  }
  const start = migration.plannedStart
    ? Date.parse(migration.plannedStart)
    : null;
  const end = migration.plannedEnd ? Date.parse(migration.plannedEnd) : null;
  if (start !== null && end !== null && end > start && now > start) {
    const expected = Math.min(100, ((now - start) / (end - start)) * 100);
    if (d.overallProgress < expected - r.behindPlanPoints) {
      out.push({
        key: 'behind-plan',
        severity: 'MEDIUM',
        dataset: null,
        title: `Progress is behind plan (${d.overallProgress.toFixed(
          1,
        )}% of ${expected.toFixed(1)}% expected)`,
        message: `More than ${r.behindPlanPoints} points behind the planned schedule`,
      });
    }
  }
  return out;
}
