import type { CutoverClock } from '@switchyard/plugin-cutover-node';
import { LoggerService, SchedulerService } from '@backstage/backend-plugin-api';
import { Config } from '@backstage/config';
import { duration } from './settings';
import { ConflictError, NotFoundError } from '@backstage/errors';
import { NotificationService } from '@backstage/plugin-notifications-node';
import {
  Alert,
  AlertCreate,
  AlertSeverity,
  AlertStats,
  ALERT_SEVERITIES,
  Dashboard,
  Migration,
} from '@switchyard/plugin-cutover-common';
import { randomUUID } from 'node:crypto';
import { Request } from 'express';
import { CutoverStore } from '../database/CutoverStore';
import { Caller } from './access';
import { AuditLog } from './AuditLog';
import { idempotencyKeyFor } from './idempotency';
import { notifyAboutMigration } from './notify';
import { SignalPublisher } from './SignalPublisher';

/** Alert settings from `cutover.alerts`. */
export interface AlertSettings {
  slaMs: Record<AlertSeverity, number>;
  escalationGroup: string | null;
  rules: {
    /** Dataset quality below this raises an alert (default: the readiness quality threshold). */
    qualityBelow: number;
    /** Failed share of handled records above this raises an alert. Default 0.05. */
    errorRateAbove: number;
    /** Current rate below this share of the average since start raises an alert. Default 0.5. */
    rateDropBelow: number;
    /** Progress this many points behind the planned schedule raises an alert. Default 10. */
    behindPlanPoints: number;
  };
}

const DEFAULT_SLA_HOURS: Record<AlertSeverity, number> = {
  CRITICAL: 1,
  HIGH: 4,
  MEDIUM: 24,
  LOW: 72,
};

/** Reads alert settings with their defaults. */
export function readAlertSettings(
  root: Config,
  qualityThreshold: number,
): AlertSettings {
  const c = root.getOptionalConfig('cutover.alerts');
  const slaMs = {} as Record<AlertSeverity, number>;
  for (const severity of ALERT_SEVERITIES) {
    const key = `sla.${severity}`;
    slaMs[severity] = duration(c, key, DEFAULT_SLA_HOURS[severity] * 3_600_000);
  }
  return {
    slaMs,
    escalationGroup: c?.getOptionalString('escalationGroup') ?? null,
    rules: {
      qualityBelow:
        c?.getOptionalNumber('rules.qualityBelow') ?? qualityThreshold,
      errorRateAbove: c?.getOptionalNumber('rules.errorRateAbove') ?? 0.05,
      rateDropBelow: c?.getOptionalNumber('rules.rateDropBelow') ?? 0.5,
      behindPlanPoints: c?.getOptionalNumber('rules.behindPlanPoints') ?? 10,
    },
  };
}

/** A condition a threshold rule found, keyed so it raises one alert until it clears. */
interface RuleFinding {
  key: string;
  severity: AlertSeverity;
  title: string;
  message: string;
  dataset: string | null;
}

const NOTIFY_SEVERITY: Record<
  AlertSeverity,
  'critical' | 'high' | 'normal' | 'low'
> = {
  CRITICAL: 'critical',
  HIGH: 'high',
  MEDIUM: 'normal',
  LOW: 'low',
};

/** Alerts: lifecycle, SLA, threshold rules and escalation. */
export class AlertService {
  private readonly lastEvaluated = new Map<string, number>();

  constructor(
    private readonly deps: {
      store: CutoverStore;
      audit: AuditLog;
      signals: SignalPublisher;
      notifications?: NotificationService;
      logger: LoggerService;
      settings: AlertSettings;
      dashboard: (migration: Migration) => Promise<Dashboard>;
      listActive: () => Promise<Migration[]>;
      /** The plugin's one clock (see cutoverClockServiceRef). */
      clock: CutoverClock;
    },
  ) {}

  private now() {
    return this.deps.clock.now();
  }

  async raise(
    migration: Migration,
    body: AlertCreate,
    caller:
      | Caller
      | { actor: string; requestId?: string | null; isUser?: boolean },
    req?: Request,
    rule?: { key: string },
  ): Promise<Alert | undefined> {
    const id = randomUUID();
    const now = this.now();
    let source: Alert['source'] =
      (caller as Caller).isUser === false ? 'JOB' : 'MANUAL';
    if (rule) source = 'RULE';
    const key =
      body.idempotencyKey && !rule
        ? idempotencyKeyFor('alert', body.idempotencyKey)
        : undefined;
    const outcome = await this.deps.store.transaction(async store => {
      // A retried raise with the same key answers with the alert the first one created. The key is
      // claimed first: a concurrent twin waits for this transaction, then finds the response.
      if (key && !(await store.claimIdempotencyKey(migration.id, key, now))) {
        const seen = (await store.getIdempotentResponse(migration.id, key)) as
          | { alertId?: string }
          | undefined;
        if (seen?.alertId) return { ok: false, replayOf: seen.alertId };
      }
      const ok = await store.alerts().insert({
        id,
        migrationId: migration.id,
        alertType: body.alertType,
        severity: body.severity,
        title: body.title,
        message: body.message ?? null,
        dataset: body.dataset ?? null,
        recordId: body.recordId ?? null,
        source,
        ruleKey: rule?.key ?? null,
        createdBy: caller.actor,
        createdAt: now,
        targetResolutionTime: now + this.deps.settings.slaMs[body.severity],
      });
      if (ok) {
        await this.deps.audit.record(
          store,
          caller,
          {
            migrationId: migration.id,
            action: 'alert.raise',
            target: `alert:${id}`,
            after: { ...body, rule: rule?.key },
          },
          req,
        );
        if (key)
          await store.putIdempotentResponse(
            migration.id,
            key,
            { alertId: id },
            now,
          );
      }
      return { ok, replayOf: undefined };
    });
    if (outcome.replayOf)
      return this.deps.store.alerts().get(migration.id, outcome.replayOf);
    if (!outcome.ok) return undefined;
    this.deps.signals.notify(migration.id, 'alert');
    if (body.severity === 'CRITICAL' || body.severity === 'HIGH') {
      await this.notify([migration.owner], migration, {
        title: `${body.severity} alert: ${body.title}`,
        description: `${migration.title}${
          body.dataset ? ` · ${body.dataset}` : ''
        }: ${body.message ?? body.title}`,
        severity: NOTIFY_SEVERITY[body.severity],
      });
    }
    return (await this.deps.store.alerts().get(migration.id, id))!;
  }

  async list(
    migration: Migration,
    filter: {
      severity?: string;
      status?: string;
      assignee?: string;
      alertType?: string;
      dataset?: string;
    },
  ) {
    const all = await this.deps.store.alerts().list(migration.id, {});
    const items = all.filter(
      a =>
        (!filter.severity || a.severity === filter.severity) &&
        (!filter.status || a.status === filter.status) &&
        (!filter.alertType || a.alertType === filter.alertType) &&
        (!filter.dataset || a.dataset === filter.dataset) &&
        (!filter.assignee ||
          a.assignedTo === filter.assignee.toLocaleLowerCase('en-US')),
    );
    return { items, stats: this.stats(all) };
  }

  private stats(all: Alert[]): AlertStats {
    const now = this.now();
    const bySeverity = Object.fromEntries(
      ALERT_SEVERITIES.map(s => [s, { open: 0, resolved: 0 }]),
    ) as AlertStats['bySeverity'];
    const days = new Map<string, { created: number; resolved: number }>();
    const day = (iso: string) => iso.slice(0, 10);
    for (const a of all) {
      bySeverity[a.severity][a.status === 'OPEN' ? 'open' : 'resolved'] += 1;
      const c = days.get(day(a.createdAt)) ?? { created: 0, resolved: 0 };
      c.created += 1;
      days.set(day(a.createdAt), c);
      if (a.resolvedAt) {
        const r = days.get(day(a.resolvedAt)) ?? { created: 0, resolved: 0 };
        r.resolved += 1;
        days.set(day(a.resolvedAt), r);
      }
    }
    return {
      open: all.filter(a => a.status === 'OPEN').length,
      resolved: all.filter(a => a.status === 'RESOLVED').length,
      overdue: all.filter(
        a => a.status === 'OPEN' && Date.parse(a.targetResolutionTime) < now,
      ).length,
      bySeverity,
      trend: [...days.entries()]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([date, v]) => ({ date, ...v })),
    };
  }

  private async change(
    migration: Migration,
    alertId: string,
    caller: Caller,
    req: Request,
    action: string,
    apply: (alert: Alert) => Record<string, unknown> | 'note',
    note?: string,
  ): Promise<Alert> {
    await this.deps.store.transaction(async store => {
      const alert = await store.alerts().get(migration.id, alertId);
      if (!alert)
        throw new NotFoundError(
          `No alert "${alertId}" in migration "${migration.id}"`,
        );
      const fields = apply(alert);
      if (fields !== 'note')
        await store.alerts().update(migration.id, alertId, fields);
      if (note) {
        await store.alerts().addNote(migration.id, alertId, {
          at: new Date(this.now()).toISOString(),
          by: caller.actor,
          text: note,
        });
      }
      await this.deps.audit.record(
        store,
        caller,
        {
          migrationId: migration.id,
          action,
          target: `alert:${alertId}`,
          before: { status: alert.status, assignedTo: alert.assignedTo },
          after: fields === 'note' ? { note } : fields,
        },
        req,
      );
    });
    this.deps.signals.notify(migration.id, 'alert');
    return (await this.deps.store.alerts().get(migration.id, alertId))!;
  }

  resolve(
    migration: Migration,
    alertId: string,
    body: { resolution: string; notes?: string },
    caller: Caller,
    req: Request,
  ) {
    return this.change(
      migration,
      alertId,
      caller,
      req,
      'alert.resolve',
      alert => {
        if (alert.status === 'RESOLVED')
          throw new ConflictError(`Alert ${alertId} is already resolved`);
        return {
          status: 'RESOLVED',
          resolved_at: this.now(),
          resolved_by: caller.actor,
          resolution: body.resolution,
        };
      },
      body.notes,
    );
  }

  reopen(
    migration: Migration,
    alertId: string,
    reason: string | undefined,
    caller: Caller,
    req: Request,
  ) {
    return this.change(
      migration,
      alertId,
      caller,
      req,
      'alert.reopen',
      alert => {
        if (alert.status === 'OPEN')
          throw new ConflictError(`Alert ${alertId} is already open`);
        const now = this.now();
        return {
          status: 'OPEN',
          resolved_at: null,
          resolved_by: null,
          resolution: null,
          target_resolution_time:
            now + this.deps.settings.slaMs[alert.severity],
          escalation_level: 0,
          // A reopened rule alert leaves rule bookkeeping: the rule raises its own if needed.
          rule_key: null,
        };
      },
      reason ? `Reopened: ${reason}` : undefined,
    );
  }

  async assign(
    migration: Migration,
    alertId: string,
    assignedTo: string | null,
    caller: Caller,
    req: Request,
  ) {
    const alert = await this.change(
      migration,
      alertId,
      caller,
      req,
      assignedTo ? 'alert.assign' : 'alert.unassign',
      () => ({
        assigned_to: assignedTo?.toLocaleLowerCase('en-US') ?? null,
      }),
    );
    if (assignedTo) {
      await this.notify([assignedTo], migration, {
        title: `Alert assigned to you: ${alert.title}`,
        description: `${migration.title}: ${
          alert.message ?? alert.title
        } (respond by ${alert.targetResolutionTime})`,
        severity: NOTIFY_SEVERITY[alert.severity],
      });
    }
    return alert;
  }

  addNote(
    migration: Migration,
    alertId: string,
    text: string,
    caller: Caller,
    req: Request,
  ) {
    return this.change(
      migration,
      alertId,
      caller,
      req,
      'alert.note',
      () => 'note',
      text,
    );
  }

  /**
   * Evaluates the threshold rules against the migration's figures: raises one alert per
   * condition, and resolves the rule's alert when the condition clears.
   */
  async evaluate(migration: Migration, options: { throttleMs?: number } = {}) {
    const now = this.now();
    const last = this.lastEvaluated.get(migration.id) ?? 0;
    if (options.throttleMs && now - last < options.throttleMs) return;
    this.lastEvaluated.set(migration.id, now);
    const d = await this.deps.dashboard(migration);
    const findings = this.findings(migration, d, now);
    const open = await this.deps.store.alerts().openRuleKeys(migration.id);
    const system = { actor: 'switchyard', requestId: null, isUser: false };
    for (const f of findings) {
      if (open.has(f.key)) continue;
      await this.raise(
        migration,
        {
          alertType: 'THRESHOLD',
          severity: f.severity,
          title: f.title,
          message: f.message,
          dataset: f.dataset ?? undefined,
        },
        system,
        undefined,
        { key: f.key },
      );
    }
    const firing = new Set(findings.map(f => f.key));
    for (const [key, alertId] of open) {
      if (firing.has(key)) continue;
      await this.deps.store.transaction(async store => {
        await store.alerts().update(migration.id, alertId, {
          status: 'RESOLVED',
          resolved_at: now,
          resolved_by: 'switchyard',
          resolution: 'Condition cleared',
        });
        await this.deps.audit.record(store, system, {
          migrationId: migration.id,
          action: 'alert.auto-resolve',
          target: `alert:${alertId}`,
          after: { rule: key },
        });
      });
      this.deps.signals.notify(migration.id, 'alert');
    }
  }

  /** The rule conditions that hold now. */
  private findings(
    migration: Migration,
    d: Dashboard,
    now: number,
  ): RuleFinding[] {
    const overrides = migration.alertRules ?? {};
    const r = { ...this.deps.settings.rules, ...overrides };
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
          message: `${
            x.failedRecords
          } of ${handled} records failed (threshold ${
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
          title: `Import rate dropped to ${Math.round(
            d.importRate,
          )} records/min`,
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

  /** Escalates open alerts past their SLA: the assignee and owner first, then the escalation group. */
  async escalate(): Promise<number> {
    const now = this.now();
    let escalated = 0;
    const due = await this.deps.store.alerts().dueForEscalation(now);
    if (!due.length) return 0;
    const migrations = new Map(
      (await this.deps.listActive()).map(m => [m.id, m]),
    );
    for (const alert of due) {
      const level = alert.escalationLevel;
      const deadline = Date.parse(alert.targetResolutionTime);
      if (
        level === 1 &&
        now < deadline + this.deps.settings.slaMs[alert.severity]
      )
        continue;
      if (
        !(await this.deps.store.alerts().claimEscalation(alert.id, level, now))
      )
        continue;
      const migration = migrations.get(alert.migrationId);
      if (!migration) continue;
      const recipients =
        level === 0
          ? [alert.assignedTo, migration.owner].filter((r): r is string => !!r)
          : [
              this.deps.settings.escalationGroup ??
                migration.approvers ??
                migration.owner,
            ];
      await this.notify(recipients, migration, {
        title: `${level === 0 ? 'Overdue' : 'Escalated'} ${
          alert.severity
        } alert: ${alert.title}`,
        description: `Unresolved since ${alert.createdAt}; the deadline was ${alert.targetResolutionTime}.`,
        severity: 'critical',
      });
      await this.deps.audit.record(
        this.deps.store,
        { actor: 'switchyard', requestId: null },
        {
          migrationId: migration.id,
          action: 'alert.escalate',
          target: `alert:${alert.id}`,
          after: { level: level + 1, recipients },
        },
      );
      this.deps.signals.notify(migration.id, 'alert');
      escalated += 1;
    }
    return escalated;
  }

  /** Rule evaluation for running migrations (stalls show only when no samples come) and escalation. */
  async schedule(scheduler: SchedulerService) {
    await scheduler.scheduleTask({
      id: 'cutover-alerts',
      frequency: { minutes: 1 },
      timeout: { minutes: 5 },
      initialDelay: { seconds: 30 },
      scope: 'global',
      fn: async () => {
        for (const migration of await this.deps.listActive()) {
          try {
            await this.evaluate(migration);
          } catch (e) {
            this.deps.logger.warn(
              `Alert rules failed for ${migration.id}: ${e}`,
            );
          }
        }
        await this.escalate();
      },
    });
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
      tab: 'migration',
    });
  }
}
