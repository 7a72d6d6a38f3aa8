import { notifyAboutMigration } from './notify';
import type {
  ChecklistEvaluator,
  CutoverClock,
} from '@switchyard/plugin-cutover-node';
import { Config } from '@backstage/config';
import { duration } from './settings';
import {
  ConflictError,
  InputError,
  NotAllowedError,
  NotFoundError,
} from '@backstage/errors';
import { NotificationService } from '@backstage/plugin-notifications-node';
import {
  Approval,
  ApprovalDecisionBody,
  ApprovalState,
  assessReadiness,
  AUTOMATED_CHECKLIST_ITEMS,
  Blocker,
  Checklist,
  ChecklistItem,
  ChecklistItemUpdate,
  ChecklistTemplateItem,
  Dashboard,
  Migration,
  RECOMMENDATION_RANK,
  Readiness,
  STANDARD_CHECKLIST,
} from '@switchyard/plugin-cutover-common';
import { randomUUID } from 'node:crypto';
import { Request } from 'express';
import { CutoverStore } from '../database/CutoverStore';
import { StoredApproval } from '../database/ReadinessStore';
import { Caller } from './access';
import { AuditLog } from './AuditLog';
import { SignalPublisher } from './SignalPublisher';
import type { Membership } from '../governance/Membership';
import { planFingerprint } from '../governance/PlanGovernance';

/** Approval settings from `cutover.approvals`. */
export interface ApprovalSettings {
  required: number;
  allowSelfApproval: boolean;
  expiresAfterMs: number | null;
  allowNoGoOverride: boolean;
  /** Whether switching reads to DUAL needs a current approval too (NEW and CUTOVER always do). */
  gateDualReads: boolean;
}

/** Reads approval settings and checklist templates from config. */
export function readReadinessConfig(root: Config) {
  const c = root.getOptionalConfig('cutover.approvals');
  const approvals: ApprovalSettings = {
    required: c?.getOptionalNumber('required') ?? 1,
    allowSelfApproval: c?.getOptionalBoolean('allowSelfApproval') ?? false,
    expiresAfterMs: duration(c, 'expiresAfter', 7 * 86_400_000),
    allowNoGoOverride: c?.getOptionalBoolean('allowNoGoOverride') ?? false,
    gateDualReads: c?.getOptionalBoolean('gateDualReads') ?? false,
  };
  const templates: Record<string, ChecklistTemplateItem[]> = {
    standard: STANDARD_CHECKLIST,
  };
  const custom = root.getOptionalConfig('cutover.checklist.templates');
  for (const name of custom?.keys() ?? []) {
    templates[name] = custom!.getConfigArray(name).map(item => ({
      id: item.getString('id'),
      category: item.getString('category'),
      title: item.getString('title'),
      description: item.getOptionalString('description'),
      required: item.getOptionalBoolean('required') ?? true,
    }));
  }
  return { approvals, templates };
}

/** Checklist, readiness and approvals of migrations. */
export class ReadinessService {
  constructor(
    private readonly deps: {
      store: CutoverStore;
      audit: AuditLog;
      signals: SignalPublisher;
      notifications?: NotificationService;
      dashboard: (migration: Migration) => Promise<Dashboard>;
      approvals: ApprovalSettings;
      templates: Record<string, ChecklistTemplateItem[]>;
      qualityThreshold: number;
      cautionThreshold: number;
      /** Who belongs to the migration's owner, from the catalog (separation of duties). */
      membership?: Membership;
      /** The plugin's one clock (see cutoverClockServiceRef). */
      clock: CutoverClock;
    },
  ) {}

  /** Where evaluators come from, in the order they were added. */
  private readonly evaluatorSources: Array<
    () => readonly ChecklistEvaluator[]
  > = [];

  /**
   * Adds evaluators that decide further items from data (reconciliation, snapshots, modules); read
   * at each use, so a source may grow after it is added (extension points fill up during init).
   */
  addEvaluators(source: () => readonly ChecklistEvaluator[]) {
    this.evaluatorSources.push(source);
  }

  private evaluators(): ChecklistEvaluator[] {
    return this.evaluatorSources.flatMap(source => source());
  }

  /** Whether an evaluator decides this item for this migration (then people can't set it). */
  private async decidedByData(
    migration: Migration,
    itemId: string,
  ): Promise<boolean> {
    for (const e of this.evaluators()) {
      if (
        e.itemId === itemId &&
        (await e.evaluate({ migrationId: migration.id }))
      )
        return true;
    }
    return false;
  }

  private now() {
    return this.deps.clock.now();
  }

  /** Adds the plan's template items to a migration's checklist (called when a plan is applied). */
  async seedChecklist(
    store: CutoverStore,
    migrationId: string,
    template: string | undefined,
  ) {
    const name = template ?? 'standard';
    const items = this.deps.templates[name];
    if (!items) {
      throw new InputError(
        `Invalid request: checklist.template: unknown template "${name}"; known: ${Object.keys(
          this.deps.templates,
        ).join(', ')}`,
      );
    }
    await store.readiness().ensureChecklistItems(migrationId, items);
  }

  /** The checklist with automated items decided from the migration's current figures. */
  async checklist(
    migration: Migration,
    dashboard?: Dashboard,
  ): Promise<Checklist> {
    const d = dashboard ?? (await this.deps.dashboard(migration));
    const stored = await this.deps.store
      .readiness()
      .listChecklistItems(migration.id);
    const automated = this.evaluate(d);
    const present = new Set(stored.map(i => i.id));
    await Promise.all(
      this.evaluators()
        .filter(e => present.has(e.itemId))
        .map(async e => {
          const decision = await e.evaluate({ migrationId: migration.id });
          if (decision) automated[e.itemId] = decision;
        }),
    );
    const items: ChecklistItem[] = stored.map(item => {
      const auto = automated[item.id];
      return {
        id: item.id,
        category: item.category,
        title: item.title,
        description: item.description,
        required: item.required,
        automated: !!auto,
        status: auto ? auto.status : item.status,
        evidence: auto ? auto.evidence : null,
        notes: item.notes,
        updatedBy: auto ? 'switchyard' : item.updatedBy,
        updatedAt: auto ? d.generatedAt : item.updatedAt,
        version: item.version,
        custom: item.custom,
      };
    });
    const categories: Checklist['categories'] = [];
    for (const item of items) {
      let group = categories.find(c => c.category === item.category);
      if (!group) {
        group = { category: item.category, items: [] };
        categories.push(group);
      }
      group.items.push(item);
    }
    return {
      template: migration.checklistTemplate ?? 'standard',
      categories,
      summary: {
        total: items.length,
        passed: items.filter(i => i.status === 'PASS').length,
        failed: items.filter(i => i.status === 'FAIL').length,
        notTested: items.filter(i => i.status === 'NOT_TESTED').length,
        requiredOpen: items.filter(i => i.required && i.status !== 'PASS')
          .length,
      },
    };
  }

  /** Decisions on the items data can decide, with what they were decided from. */
  private evaluate(
    d: Dashboard,
  ): Record<string, { status: ChecklistItem['status']; evidence: string }> {
    const out: Record<
      string,
      { status: ChecklistItem['status']; evidence: string }
    > = {};
    const reported = d.datasets.some(x => x.lastSampleAt !== null);
    const tier1 = d.datasets.filter(x => x.tier === 1);
    const open = tier1.filter(x => x.status !== 'COMPLETED');
    if (!tier1.length) {
      out.DQ001 = {
        status: 'PASS',
        evidence: 'the plan has no tier 1 datasets',
      };
    } else if (open.length) {
      out.DQ001 = {
        status: 'FAIL',
        evidence: open
          .map(x => `${x.name} at ${x.overallProgress.toFixed(1)}%`)
          .join(', '),
      };
    } else {
      out.DQ001 = {
        status: 'PASS',
        evidence: `all ${tier1.length} tier 1 datasets imported`,
      };
    }
    if (d.qualityScore === null) {
      out.DQ002 = {
        status: 'NOT_TESTED',
        evidence: 'no quality figures reported yet',
      };
    } else {
      out.DQ002 = {
        status: d.qualityScore >= this.deps.qualityThreshold ? 'PASS' : 'FAIL',
        evidence: `quality score ${d.qualityScore} (threshold ${this.deps.qualityThreshold})`,
      };
    }
    if (!reported) {
      out.DQ003 = { status: 'NOT_TESTED', evidence: 'no samples reported yet' };
    } else {
      out.DQ003 = {
        status: d.errors.critical === 0 ? 'PASS' : 'FAIL',
        evidence: `${d.errors.critical} critical validation errors reported`,
      };
    }
    for (const id of Object.keys(out)) {
      if (!AUTOMATED_CHECKLIST_ITEMS.includes(id)) delete out[id];
    }
    return out;
  }

  async addItem(
    migration: Migration,
    body: {
      id?: string;
      category: string;
      title: string;
      description?: string;
      required: boolean;
    },
    caller: Caller,
    req: Request,
  ): Promise<ChecklistItem> {
    const id = body.id ?? `CUSTOM-${randomUUID().slice(0, 8).toUpperCase()}`;
    await this.deps.store.transaction(async store => {
      const added = await store.readiness().addChecklistItem(
        migration.id,
        {
          id,
          category: body.category,
          title: body.title,
          description: body.description ?? null,
          required: body.required,
        },
        caller.actor,
        this.now(),
      );
      if (!added)
        throw new ConflictError(`Checklist item "${id}" already exists`);
      await this.deps.audit.record(
        store,
        caller,
        {
          migrationId: migration.id,
          action: 'checklist.add-item',
          target: `checklist:${id}`,
          after: body,
        },
        req,
      );
    });
    this.deps.signals.notify(migration.id, 'checklist');
    const list = await this.checklist(migration);
    return list.categories.flatMap(c => c.items).find(i => i.id === id)!;
  }

  async updateItem(
    migration: Migration,
    itemId: string,
    body: ChecklistItemUpdate,
    caller: Caller,
    req: Request,
  ): Promise<ChecklistItem> {
    if (
      body.status &&
      (AUTOMATED_CHECKLIST_ITEMS.includes(itemId) ||
        (await this.decidedByData(migration, itemId)))
    ) {
      throw new ConflictError(
        `Checklist item ${itemId} is decided from the migration's data; its status cannot be set by hand (notes can)`,
      );
    }
    await this.deps.store.transaction(async store => {
      const items = await store.readiness().listChecklistItems(migration.id);
      const before = items.find(i => i.id === itemId);
      if (!before)
        throw new NotFoundError(
          `No checklist item "${itemId}" in migration "${migration.id}"`,
        );
      const written = await store
        .readiness()
        .updateChecklistItem(
          migration.id,
          itemId,
          { status: body.status, notes: body.notes },
          caller.actor,
          this.now(),
          body.version,
        );
      if (!written) {
        throw new ConflictError(
          `Checklist item ${itemId} was changed by someone else (now version ${before.version}); reload and try again`,
        );
      }
      await this.deps.audit.record(
        store,
        caller,
        {
          migrationId: migration.id,
          action: 'checklist.update',
          target: `checklist:${itemId}`,
          before: { status: before.status, notes: before.notes },
          after: {
            status: body.status ?? before.status,
            notes: body.notes === undefined ? before.notes : body.notes,
          },
        },
        req,
      );
    });
    this.deps.signals.notify(migration.id, 'checklist');
    const list = await this.checklist(migration);
    return list.categories.flatMap(c => c.items).find(i => i.id === itemId)!;
  }

  /** Readiness, computed from the checklist and figures now; never stored. */
  async readiness(migration: Migration): Promise<Readiness> {
    const dashboard = await this.deps.dashboard(migration);
    const [checklist, scoped] = await Promise.all([
      this.checklist(migration, dashboard),
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
    const approval = await this.approvalState(migration, assessment);
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
    const approvalBlockers = this.approvalBlockers(migration, approval);
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

  /** The approval's blockers of the cutover step (not counted in the score). */
  private approvalBlockers(
    migration: Migration,
    approval: ApprovalState,
  ): Blocker[] {
    const blocker = (
      severity: Blocker['severity'],
      message: string,
    ): Blocker => ({
      severity,
      source: 'APPROVAL',
      fixIn: 'readiness#approval',
      message,
    });
    switch (approval.status) {
      case 'APPROVED':
      case 'CONDITIONALLY_APPROVED':
        return [];
      case 'NONE':
        return [blocker('HIGH', 'No approval has been requested')];
      case 'PENDING':
        return [
          blocker(
            'HIGH',
            `Approval is pending: ${approval.granted} of ${
              approval.required
            } approval(s) from ${migration.approvers ?? 'the approvers'}`,
          ),
        ];
      case 'REJECTED':
        return [blocker('CRITICAL', 'The cutover was rejected')];
      case 'EXPIRED':
        return [blocker('HIGH', 'The approval has expired; request a new one')];
      case 'STALE': {
        const reasons = [
          ...new Set(approval.approvals.flatMap(a => a.staleReasons ?? [])),
        ];
        return [
          blocker(
            'HIGH',
            `The approval is stale (${reasons.join('; ')}); request a new one`,
          ),
        ];
      }
      default:
        return [blocker('HIGH', `Approval is ${approval.status}`)];
    }
  }

  private derive(
    a: StoredApproval,
    current: { score: number; recommendation: Readiness['recommendation'] },
    fingerprint: string | undefined,
  ): Approval {
    const now = this.now();
    const expired = !!a.expiresAt && Date.parse(a.expiresAt) <= now;
    const staleReasons: string[] = [];
    if (a.decision !== 'REJECTED') {
      if (
        current.score < a.score ||
        RECOMMENDATION_RANK[current.recommendation] <
          RECOMMENDATION_RANK[a.recommendation]
      ) {
        staleReasons.push(
          `readiness fell from ${a.recommendation} (${a.score}) to ${current.recommendation} (${current.score})`,
        );
      }
      if (
        fingerprint &&
        a.planFingerprint &&
        a.planFingerprint !== fingerprint
      ) {
        staleReasons.push(
          "the plan's datasets, approvers or drift thresholds changed since",
        );
      }
    }
    const { planFingerprint: _decidedOn, ...approval } = a;
    return {
      ...approval,
      expired,
      stale: staleReasons.length > 0,
      staleReasons,
    };
  }

  private async approvalState(
    migration: Migration,
    current: { score: number; recommendation: Readiness['recommendation'] },
  ): Promise<ApprovalState> {
    const store = this.deps.store.readiness();
    const [requests, stored] = await Promise.all([
      store.listRequests(migration.id),
      store.listApprovals(migration.id),
    ]);
    const request = requests[0] ?? null;
    const fingerprint = planFingerprint(migration);
    const approvals = stored
      .filter(a => a.requestId === request?.id)
      .map(a => this.derive(a, current, fingerprint));
    const required = this.deps.approvals.required;
    const state: ApprovalState = {
      status: 'NONE',
      request,
      approvals,
      required,
      granted: 0,
      conditions: [],
    };
    if (!request || request.status === 'CANCELLED') return state;
    const live = approvals.filter(a => !a.revokedAt);
    if (live.some(a => a.decision === 'REJECTED'))
      return { ...state, status: 'REJECTED' };
    const positive = live.filter(a => a.decision !== 'REJECTED');
    const valid = positive.filter(a => !a.expired && !a.stale);
    state.granted = valid.length;
    state.conditions = valid.flatMap(a => a.conditions);
    if (valid.length >= required) {
      return {
        ...state,
        status: valid.some(a => a.decision === 'CONDITIONAL')
          ? 'CONDITIONALLY_APPROVED'
          : 'APPROVED',
      };
    }
    if (positive.length >= required) {
      return {
        ...state,
        status: positive.some(a => a.stale) ? 'STALE' : 'EXPIRED',
      };
    }
    return { ...state, status: 'PENDING' };
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

  async requestApproval(
    migration: Migration,
    comments: string | undefined,
    caller: Caller,
    req: Request,
  ) {
    const id = randomUUID();
    await this.deps.store.transaction(async store => {
      // One open request per migration: a concurrent request waits here and then sees this one.
      await store.readiness().lockApprovals(migration.id);
      const open = (await store.readiness().listRequests(migration.id)).find(
        r => r.status === 'OPEN',
      );
      if (open) {
        throw new ConflictError(
          `Migration "${migration.id}" already has an open approval request (${open.id}, by ${open.requestedBy})`,
        );
      }
      await store
        .readiness()
        .createRequest(
          migration.id,
          { id, requestedBy: caller.actor, comments: comments ?? null },
          this.now(),
        );
      await this.deps.audit.record(
        store,
        caller,
        {
          migrationId: migration.id,
          action: 'approval.request',
          target: `approval-request:${id}`,
          after: { comments: comments ?? null },
        },
        req,
      );
    });
    this.deps.signals.notify(migration.id, 'approval');
    if (migration.approvers) {
      await this.notify([migration.approvers], migration, {
        title: `Cutover approval requested: ${migration.title}`,
        description: `${caller.actor} asks for approval to cut over "${
          migration.title
        }".${comments ? ` ${comments}` : ''}`,
        severity: 'high',
      });
    }
    return (await this.deps.store.readiness().listRequests(migration.id)).find(
      r => r.id === id,
    )!;
  }

  async decide(
    migration: Migration,
    body: ApprovalDecisionBody,
    caller: Caller,
    req: Request,
  ): Promise<Approval> {
    if (!caller.isUser) {
      throw new NotAllowedError(
        'Approval decisions are made by people, not by service tokens',
      );
    }
    const readiness = await this.readiness(migration);
    // Separation of duties, from the catalog: the team that runs the migration does not approve
    // its own cutover (string comparisons of actors would let a token request and a member approve).
    if (
      !this.deps.approvals.allowSelfApproval &&
      body.decision !== 'REJECTED' &&
      this.deps.membership &&
      (await this.deps.membership.isMemberOf(
        caller.actor,
        migration.owner,
        caller.ownershipEntityRefs,
      ))
    ) {
      throw new ConflictError(
        `Separation of duties: ${caller.actor} belongs to ${migration.owner}, which owns migration "${migration.id}"; an approval must come from someone outside the owning team`,
      );
    }
    const id = randomUUID();
    await this.deps.store.transaction(async store => {
      const r = store.readiness();
      const request = (await r.listRequests(migration.id)).find(
        x => x.status === 'OPEN',
      );
      if (!request) {
        throw new ConflictError(
          `Migration "${migration.id}" has no open approval request; request approval first`,
        );
      }
      // Decisions on one request are made one after the other: a decision that waited for a
      // concurrent one sees the request as it left it (closed by it, or counting its approval).
      if (!(await r.lockRequest(request.id, 'OPEN'))) {
        throw new ConflictError(
          `The approval request of "${migration.id}" was decided while this decision was made; reload and decide again`,
        );
      }
      if (
        request.requestedBy === caller.actor &&
        !this.deps.approvals.allowSelfApproval
      ) {
        throw new ConflictError(
          'Separation of duties: the requester of an approval may not decide on it',
        );
      }
      const positive = body.decision !== 'REJECTED';
      if (positive && readiness.recommendation === 'NO_GO') {
        if (!this.deps.approvals.allowNoGoOverride) {
          throw new ConflictError(
            `Readiness is NO_GO (${
              readiness.blockers
                .filter(b => b.severity === 'CRITICAL')
                .map(b => b.message)
                .join('; ') || 'quality too low'
            }); it cannot be approved`,
          );
        }
        if (!body.overrideReason) {
          throw new InputError(
            'Invalid request: overrideReason: required to approve a NO_GO migration',
          );
        }
      }
      const inserted = await r.insertApproval(
        migration.id,
        {
          id,
          requestId: request.id,
          decision: body.decision,
          approver: caller.actor,
          comments: body.comments ?? null,
          conditions: body.conditions ?? [],
          recommendation: readiness.recommendation,
          riskLevel: readiness.riskLevel,
          score: readiness.score,
          expiresAt:
            this.deps.approvals.expiresAfterMs === null
              ? null
              : this.now() + this.deps.approvals.expiresAfterMs,
          overrideReason:
            positive && readiness.recommendation === 'NO_GO'
              ? body.overrideReason ?? null
              : null,
          planFingerprint: planFingerprint(migration),
        },
        this.now(),
      );
      if (!inserted) {
        throw new ConflictError(
          `${caller.actor} has already decided on this approval request`,
        );
      }
      await this.closeIfDecided(store, migration.id, request.id);
      await this.deps.audit.record(
        store,
        caller,
        {
          migrationId: migration.id,
          action: `approval.${body.decision.toLowerCase()}`,
          target: `approval:${id}`,
          after: {
            ...body,
            recommendation: readiness.recommendation,
            riskLevel: readiness.riskLevel,
            score: readiness.score,
          },
        },
        req,
      );
    });
    this.deps.signals.notify(migration.id, 'approval');
    await this.notify([migration.owner], migration, {
      title: `Cutover ${body.decision.toLowerCase()} by ${caller.actor}: ${
        migration.title
      }`,
      description:
        body.comments ??
        `Decision: ${body.decision}${
          body.conditions?.length
            ? `; conditions: ${body.conditions.join('; ')}`
            : ''
        }`,
      severity: body.decision === 'REJECTED' ? 'high' : 'normal',
    });
    const approvals = await this.deps.store
      .readiness()
      .listApprovals(migration.id);
    return this.derive(
      approvals.find(a => a.id === id)!,
      readiness,
      planFingerprint(migration),
    );
  }

  /** Closes a request once quorum is reached or anyone rejected; reopens it after a revocation. */
  private async closeIfDecided(
    store: CutoverStore,
    migrationId: string,
    requestId: string,
  ) {
    const live = (await store.readiness().listApprovals(migrationId)).filter(
      a => a.requestId === requestId && !a.revokedAt,
    );
    let status: 'OPEN' | 'APPROVED' | 'REJECTED' = 'OPEN';
    if (live.some(a => a.decision === 'REJECTED')) status = 'REJECTED';
    else if (live.length >= this.deps.approvals.required) status = 'APPROVED';
    await store.readiness().setRequestStatus(requestId, status, this.now());
  }

  async revoke(
    migration: Migration,
    approvalId: string,
    reason: string,
    caller: Caller,
    req: Request,
  ): Promise<Approval> {
    if (!caller.isUser) {
      throw new NotAllowedError(
        'Approval decisions are made by people, not by service tokens',
      );
    }
    await this.deps.store.transaction(async store => {
      const approval = (
        await store.readiness().listApprovals(migration.id)
      ).find(a => a.id === approvalId);
      if (!approval)
        throw new NotFoundError(
          `No approval "${approvalId}" in migration "${migration.id}"`,
        );
      if (approval.revokedAt)
        throw new ConflictError(`Approval ${approvalId} is already revoked`);
      // A rejection stands until the person who made it takes it back: another approver may not
      // clear it to approve over it.
      if (
        approval.decision === 'REJECTED' &&
        approval.approver !== caller.actor
      ) {
        throw new NotAllowedError(
          `A rejection is revoked only by its author (${approval.approver}); ${caller.actor} may not revoke it`,
        );
      }
      // Serialised with decisions on the same request, so its status is computed from all of them.
      await store.readiness().lockRequest(approval.requestId);
      if (
        !(await store
          .readiness()
          .revokeApproval(approvalId, caller.actor, reason, this.now()))
      ) {
        throw new ConflictError(`Approval ${approvalId} is already revoked`);
      }
      await this.closeIfDecided(store, migration.id, approval.requestId);
      await this.deps.audit.record(
        store,
        caller,
        {
          migrationId: migration.id,
          action: 'approval.revoke',
          target: `approval:${approvalId}`,
          before: { decision: approval.decision, approver: approval.approver },
          after: { revokedBy: caller.actor, reason },
        },
        req,
      );
    });
    this.deps.signals.notify(migration.id, 'approval');
    await this.notify([migration.owner], migration, {
      title: `Cutover approval revoked: ${migration.title}`,
      description: `${caller.actor} revoked an approval: ${reason}`,
      severity: 'high',
    });
    const readiness = await this.readiness(migration);
    return (
      readiness.approval.approvals.find(a => a.id === approvalId) ??
      this.derive(
        (await this.deps.store.readiness().listApprovals(migration.id)).find(
          a => a.id === approvalId,
        )!,
        readiness,
        planFingerprint(migration),
      )
    );
  }

  async history(migration: Migration) {
    const readiness = await this.readiness(migration);
    const [requests, approvals] = await Promise.all([
      this.deps.store.readiness().listRequests(migration.id),
      this.deps.store.readiness().listApprovals(migration.id),
    ]);
    return {
      requests,
      items: approvals.map(a =>
        this.derive(a, readiness, planFingerprint(migration)),
      ),
      state: readiness.approval,
    };
  }

  private async notify(
    recipients: string[],
    migration: Migration,
    payload: {
      title: string;
      description: string;
      severity: 'critical' | 'high' | 'normal' | 'low';
    },
  ) {
    await notifyAboutMigration(this.deps, migration, {
      ...payload,
      recipients,
      tab: 'readiness',
    });
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
