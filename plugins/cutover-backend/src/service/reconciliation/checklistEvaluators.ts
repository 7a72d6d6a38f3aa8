// DQ004 / DQ005 of the checklist, decided from the latest finished reconciliation run.
import type {
  ReconciliationDatasetResult,
  ReconciliationRun,
} from '@switchyard/plugin-cutover-common';
import type { ChecklistEvaluator } from '@switchyard/plugin-cutover-node';
import type { CutoverStore } from '../../database/CutoverStore';

/** DQ004 / DQ005 decided from the latest finished run. */
export function reconciliationEvaluators(
  store: CutoverStore,
): ChecklistEvaluator[] {
  const describe = (run: ReconciliationRun) =>
    `reconciliation ${run.id.slice(0, 8)} at ${run.finishedAt}`;
  /** Decides an item from the datasets the latest finished run compared; null: decided by people. */
  const fromLatestRun = (
    itemId: string,
    judge: (
      run: ReconciliationRun,
      done: ReconciliationDatasetResult[],
    ) => { status: 'PASS' | 'FAIL'; evidence: string },
  ): ChecklistEvaluator => ({
    itemId,
    evaluate: async ({ migrationId }) => {
      const m = await store.getMigration(migrationId, {
        withDatasets: false,
      });
      if (!m?.source?.connection || !m?.destination?.connection) return null;
      const run = await store
        .reconciliationRuns()
        .latestFinishedRun(migrationId);
      if (!run)
        return {
          status: 'NOT_TESTED',
          evidence: 'no reconciliation has run yet',
        };
      const done = run.datasets.filter(d => d.status === 'SUCCEEDED');
      if (!done.length)
        return {
          status: 'NOT_TESTED',
          evidence: `${describe(run)} compared no dataset`,
        };
      return judge(run, done);
    },
  });
  return [
    fromLatestRun('DQ004', (run, done) => {
      const orphans = done.filter(d => (d.missingInSource ?? 0) > 0);
      const problems = [
        ...(orphans.length
          ? [
              `rows on the destination without a source row in ${orphans
                .map(d => `${d.name} (${d.missingInSource})`)
                .join(', ')}`,
            ]
          : []),
        ...integrityProblems(run),
      ];
      const relations = run.integrity?.relations.length ?? 0;
      const queries = run.integrity?.goldenQueries.length ?? 0;
      return problems.length
        ? {
            status: 'FAIL',
            evidence: `${describe(run)}: ${problems.join('; ')}`,
          }
        : {
            status: 'PASS',
            evidence: `${describe(run)}: every destination key of ${
              done.length
            } dataset(s) exists in the source${
              relations ? `; ${relations} relation(s) without orphans` : ''
            }${queries ? `; ${queries} golden query(ies) equal` : ''}`,
          };
    }),
    fromLatestRun('DQ005', (run, done) => {
      const lossy = done.filter(
        d => (d.missingInDestination ?? 0) > 0 || (d.mismatched ?? 0) > 0,
      );
      return lossy.length
        ? {
            status: 'FAIL',
            evidence: `${describe(run)}: ${lossy
              .map(
                d =>
                  `${d.name}: ${d.missingInDestination} missing, ${d.mismatched} differing`,
              )
              .join('; ')}`,
          }
        : {
            status: 'PASS',
            evidence: `${describe(run)}: ${
              done.length
            } dataset(s) equal on both sides`,
          };
    }),
  ];
}

/** What the run's integrity checks found wrong: orphans, differing golden queries, checks that failed. */
export function integrityProblems(run: ReconciliationRun): string[] {
  const out: string[] = [];
  for (const r of run.integrity?.relations ?? []) {
    if (r.status === 'FAILED')
      out.push(`relation ${r.name} could not be checked (${r.error})`);
    else if (r.orphans)
      out.push(
        `${r.orphans} orphan(s) in ${r.dataset} (${r.columns.join(', ')} -> ${
          r.references.dataset
        })`,
      );
  }
  for (const q of run.integrity?.goldenQueries ?? []) {
    if (q.status === 'DIFFERENT')
      out.push(`golden query ${q.name} differs between the sides`);
    else if (q.status === 'FAILED')
      out.push(`golden query ${q.name} failed (${q.error})`);
  }
  return out;
}
