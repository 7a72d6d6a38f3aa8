import { Dashboard, Migration } from '@switchyard/plugin-cutover-common';
import type { AlertService } from './AlertService';
import type { MigrationService } from './MigrationService';
import type { ReadinessService } from './ReadinessService';

/*
 * When a dataset may become READY for cutover: imported, with good quality, without open critical
 * or high alerts, and with no required checklist item failing. The rule is here; the cutover
 * service asks it before the transition (DatasetCutoverService's `readyConditions`).
 */

/** What keeps a dataset from READY, from the dashboard, its open alerts and the checklist. */
export function readyConditions(
  dataset: string,
  dashboard: Dashboard,
  openAlerts: Array<{
    severity: string;
    dataset: string | null;
    title: string;
  }>,
  failedRequiredItems: string[],
  qualityThreshold: number,
): string[] {
  const unmet: string[] = [];
  const row = dashboard.datasets.find(d => d.name === dataset);
  if (!row) return [`no figures for "${dataset}"`];
  if (row.status !== 'COMPLETED') {
    unmet.push(
      `import is ${row.status
        .toLowerCase()
        .replace('_', ' ')} at ${row.overallProgress.toFixed(1)}%`,
    );
  }
  if (row.qualityScore === null) unmet.push('no quality figures reported');
  else if (row.qualityScore < qualityThreshold) {
    unmet.push(`quality ${row.qualityScore} is below ${qualityThreshold}`);
  }
  const blocking = openAlerts.filter(
    a =>
      a.dataset === dataset &&
      (a.severity === 'CRITICAL' || a.severity === 'HIGH'),
  );
  if (blocking.length)
    unmet.push(
      `${blocking.length} open critical/high alert(s): ${blocking
        .map(a => a.title)
        .join(', ')}`,
    );
  if (failedRequiredItems.length)
    unmet.push(
      `required checklist items failing: ${failedRequiredItems.join(', ')}`,
    );
  return unmet;
}

/**
 * The READY conditions of a dataset of a migration, gathered from the services that hold the
 * figures: its dashboard, its open alerts, its checklist.
 */
export function datasetReadyConditions(services: {
  migrations: Pick<MigrationService, 'get' | 'dashboard'>;
  alerts: Pick<AlertService, 'list'>;
  readiness: Pick<ReadinessService, 'checklist'>;
  qualityThreshold: number;
}) {
  return async (migration: Migration, dataset: string): Promise<string[]> => {
    const full = await services.migrations.get(migration.id);
    const [dashboard, open, checklist] = await Promise.all([
      services.migrations.dashboard(full),
      services.alerts.list(full, { status: 'OPEN' }),
      services.readiness.checklist(full),
    ]);
    const failing = checklist.categories
      .flatMap(c => c.items)
      .filter(i => i.required && i.status === 'FAIL')
      .map(i => i.id);
    return readyConditions(
      dataset,
      dashboard,
      open.items,
      failing,
      services.qualityThreshold,
    );
  };
}
