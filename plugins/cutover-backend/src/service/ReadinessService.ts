// Readiness: the verdict and cutover gate here; the checklist in readiness/ChecklistService.ts,
// approvals in readiness/ApprovalService.ts, settings in readiness/config.ts.
import {
  assessReadiness,
  type Blocker,
  type Migration,
  type Readiness,
} from '@switchyard/plugin-cutover-common';
import type { ReadinessDeps } from './readiness/config';
import { ChecklistService } from './readiness/ChecklistService';
import { ApprovalService } from './readiness/ApprovalService';

export { readReadinessConfig } from './readiness/config';
export type { ApprovalSettings } from './readiness/config';

/**
 * Checklist, readiness and approvals of migrations. The checklist is kept by ChecklistService and
 * approvals by ApprovalService (both in readiness/); this class computes the readiness verdict and
 * the cutover gate from them and is the one entry point the routes use.
 */
export class ReadinessService {
  private readonly checklists: ChecklistService;
  private readonly approvals: ApprovalService;

  constructor(private readonly deps: ReadinessDeps) {
    this.checklists = new ChecklistService(deps);
    this.approvals = new ApprovalService(deps, m => this.readiness(m));
  }

  private now() {
    return this.deps.clock.now();
  }

  // ----- checklist (ChecklistService) -----

  /**
   * Adds evaluators that decide further items from data (reconciliation, snapshots, modules); read
   * at each use, so a source may grow after it is added (extension points fill up during init).
   */
  addEvaluators(...args: Parameters<ChecklistService['addEvaluators']>) {
    return this.checklists.addEvaluators(...args);
  }

  /** Adds the plan's template items to a migration's checklist (called when a plan is applied). */
  seedChecklist(...args: Parameters<ChecklistService['seedChecklist']>) {
    return this.checklists.seedChecklist(...args);
  }

  /** The checklist with automated items decided from the migration's current figures. */
  checklist(...args: Parameters<ChecklistService['checklist']>) {
    return this.checklists.checklist(...args);
  }

  addItem(...args: Parameters<ChecklistService['addItem']>) {
    return this.checklists.addItem(...args);
  }

  updateItem(...args: Parameters<ChecklistService['updateItem']>) {
    return this.checklists.updateItem(...args);
  }

  // ----- approvals (ApprovalService) -----

  requestApproval(...args: Parameters<ApprovalService['requestApproval']>) {
    return this.approvals.requestApproval(...args);
  }

  decide(...args: Parameters<ApprovalService['decide']>) {
    return this.approvals.decide(...args);
  }

  revoke(...args: Parameters<ApprovalService['revoke']>) {
    return this.approvals.revoke(...args);
  }

  history(...args: Parameters<ApprovalService['history']>) {
    return this.approvals.history(...args);
  }

  // ----- the verdict and the cutover gate -----

  /** Readiness, computed from the checklist and figures now; never stored. */
  async readiness(migration: Migration): Promise<Readiness> {
    const dashboard = await this.deps.dashboard(migration);
    const [checklist, scoped] = await Promise.all([
      this.checklists.checklist(migration, dashboard),
      this.cutoverBlockers(migration),
    ]);
    const systemBlockers: Blocker[] = [];
    if (['FAILED', 'CANCELLED', 'ROLLED_BACK'].includes(migration.status)) {
      systemBlockers.push({
        severity: 'CRITICAL',
        source: 'SYSTEM',
        message: `Migration is ${migration.status}`,
      });
    }
    systemBlockers.push(...scoped.blockers.map(b => b.blocker));
    const assessment = assessReadiness({
      items: checklist.categories.flatMap(c => c.items),
      qualityScore: dashboard.qualityScore,
      systemBlockers,
      thresholds: {
        qualityGo: this.deps.qualityThreshold,
        qualityCaution: this.deps.cautionThreshold,
      },
    });
    const blockers = assessment.blockers.map(withFix);
    const approval = await this.approvals.approvalState(migration, assessment);
    const warnings = [...assessment.warnings];
    if (approval.status === 'STALE') {
      const reasons = [
        ...new Set(approval.approvals.flatMap(a => a.staleReasons ?? [])),
      ];
      warnings.push(
        `The approval is stale: ${reasons.join('; ')}; request a new one`,
      );
    }
    if (approval.status === 'EXPIRED')
      warnings.push('The approval has expired; request a new one');
    const approvalBlockers = this.approvals.approvalBlockers(
      migration,
      approval,
    );
    const datasetOf = new Map(
      scoped.blockers.map(b => [b.blocker, b.datasets]),
    );
    const datasets = migration.datasets.map(d => {
      const own = blockers.filter(b => {
        const only = datasetOf.get(b);
        return !only || only.includes(d.name);
      });
      const all = [...own, ...approvalBlockers].sort(
        (a, b) => severityRank(a) - severityRank(b),
      );
      return {
        dataset: d.name,
        cutoverState: d.cutoverState,
        readSource: d.readSource,
        rollout: d.rollout ?? null,
        driftLevel: scoped.drift.get(d.name) ?? null,
        open: all.length === 0,
        blockers: all,
      };
    });
    return {
      ...assessment,
      blockers,
      warnings,
      qualityScore: dashboard.qualityScore,
      approval,
      cutoverGate: {
        open: datasets.every(d => d.open),
        approval: approvalBlockers,
        datasets,
      },
      evaluatedAt: new Date(this.now()).toISOString(),
    };
  }

  /**
   * Blockers from outside the checklist that concern datasets: the latest finished reconciliation's
   * drift per dataset it compared (CRITICAL or ROLLBACK: critical, WARNING: high), open CRITICAL / HIGH alerts, and
   * ACTIVE freeze windows that forbid read-source switches. Each with the datasets it stands in
   * front of (undefined: all of them).
   */
  private async cutoverBlockers(migration: Migration): Promise<{
    blockers: Array<{ blocker: Blocker; datasets?: string[] }>;
    drift: Map<
      string,
      NonNullable<Readiness['cutoverGate']['datasets'][number]['driftLevel']>
    >;
  }> {
    const [latest, alerts, windows] = await Promise.all([
      this.deps.store.reconciliationRuns().latestFinishedRun(migration.id),
      this.deps.store.alerts().list(migration.id, { status: 'OPEN' }),
      this.deps.store.freezeWindows().listWindows(migration.id, ['ACTIVE']),
    ]);
    const names = new Set(migration.datasets.map(d => d.name));
    const blockers: Array<{ blocker: Blocker; datasets?: string[] }> = [];
    const drift = new Map<string, 'OK' | 'WARNING' | 'CRITICAL' | 'ROLLBACK'>();
    // The latest finished run judges the datasets it compared, as DQ004 / DQ005 do: a rollback
    // restores data without reconciling it, so an older run's drift says nothing about it now.
    for (const run of latest ? [latest] : []) {
      for (const r of run.datasets) {
        if (!names.has(r.name) || drift.has(r.name) || !r.level) continue;
        if (r.status !== 'SUCCEEDED') continue;
        drift.set(r.name, r.level);
        if (r.level === 'OK') continue;
        const share =
          r.driftRatio === null
            ? ''
            : `: ${(r.driftRatio * 100).toFixed(2)}% of rows differ`;
        blockers.push({
          datasets: [r.name],
          blocker: {
            severity: r.level === 'WARNING' ? 'HIGH' : 'CRITICAL',
            source: 'RECONCILIATION',
            dataset: r.name,
            ref: run.id,
            fixIn: 'cutover#reconciliation',
            message: `Drift on ${r.name} is at ${
              r.level
            }${share} (latest reconciliation, ${
              run.finishedAt ?? run.createdAt
            }); repair the rows and reconcile again`,
          },
        });
      }
    }
    for (const a of alerts) {
      if (a.severity !== 'CRITICAL' && a.severity !== 'HIGH') continue;
      const dataset = a.dataset && names.has(a.dataset) ? a.dataset : undefined;
      blockers.push({
        datasets: dataset ? [dataset] : undefined,
        blocker: {
          severity: a.severity,
          source: 'ALERT',
          ...(dataset ? { dataset } : {}),
          ref: a.id,
          fixIn: 'migration#alerts',
          message: `Open ${a.severity} alert${
            dataset ? ` on ${dataset}` : ''
          }: ${a.title}; resolve it`,
        },
      });
    }
    for (const w of windows) {
      if (w.allowReadSourceSwitch) continue;
      const covered = w.datasets.filter(n => names.has(n));
      blockers.push({
        datasets: covered,
        blocker: {
          severity: 'HIGH',
          source: 'FREEZE_WINDOW',
          ref: w.id,
          fixIn: 'cutover#freeze-windows',
          message: `Freeze window "${w.name}" is active on ${covered.join(
            ', ',
          )} until ${
            w.endsAt
          } and forbids read-source switches; complete it or wait`,
        },
      });
    }
    return { blockers, drift };
  }

  /**
   * What keeps the migration from CUTOVER (or NEW reads) in the switch routes: empty when it has a
   * current approval (approved or conditionally approved, not expired, not stale). The other
   * blockers of the cutover gate inform (readiness); freeze windows and drift guard switches
   * themselves.
   */
  async cutoverGate(migration: Migration): Promise<string[]> {
    const { cutoverGate } = await this.readiness(migration);
    return cutoverGate.approval.map(
      b => b.message.charAt(0).toLowerCase() + b.message.slice(1),
    );
  }
}

const FIX_BY_SOURCE: Partial<Record<Blocker['source'], Blocker['fixIn']>> = {
  CHECKLIST: 'readiness#checklist',
  DATA_QUALITY: 'migration#quality',
};

/** A blocker with where it is fixed. */
function withFix(b: Blocker): Blocker {
  if (b.fixIn || !FIX_BY_SOURCE[b.source]) return b;
  return { ...b, fixIn: FIX_BY_SOURCE[b.source] };
}

function severityRank(b: Blocker) {
  return b.severity === 'CRITICAL' ? 0 : 1;
}
