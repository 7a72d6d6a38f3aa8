import type { CutoverClock } from '@switchyard/plugin-cutover-node';
import { LoggerService, SchedulerService } from '@backstage/backend-plugin-api';
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
import { tabNotifier } from './notify';
import { SignalPublisher } from './SignalPublisher';
import { alertFindings } from './alerts/rules';
import type { AlertSettings } from './alerts/settings';

export { readAlertSettings } from './alerts/settings';
export type { AlertSettings } from './alerts/settings';

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

  /** Notifications of this service link to the migration tab. */
  private get notify() {
    return tabNotifier(this.deps, 'migration');
  }

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
    const findings = alertFindings(this.deps.settings.rules, migration, d, now);
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
}
