// Long (just over 500): writing reports, their schedules and their delivery share one store and
// one clock; the report formats themselves live in reports/ (pdf/, workbook/, auditCsv.ts).
import type { CutoverClock } from '@switchyard/plugin-cutover-node';
import { LoggerService, SchedulerService } from '@backstage/backend-plugin-api';
import { Config } from '@backstage/config';
import { duration } from './settings';
import { NotFoundError } from '@backstage/errors';
import { NotificationService } from '@backstage/plugin-notifications-node';
import {
  ALERT_SEVERITIES,
  Migration,
  ReportSchedule,
  reportScheduleCreateSchema,
  ReportType,
  Rollback,
  Snapshot,
} from '@switchyard/plugin-cutover-common';
import { Request } from 'express';
import { randomUUID } from 'node:crypto';
import { PassThrough, Writable } from 'node:stream';
import { z } from 'zod';
import { CutoverStore } from '../database/CutoverStore';
import { StoredReportInfo, StoredSchedule } from '../database/ReportStore';
import { Caller } from './access';
import { AlertService } from './AlertService';
import { AuditLog } from './AuditLog';
import { MigrationService } from './MigrationService';
import { entityTabLink, notifyAboutMigration } from './notify';
import { ReadinessService } from './ReadinessService';
import { ScheduleLifecycle } from './ScheduleLifecycle';
import { writeAuditCsv } from './reports/auditCsv';
import { writeDetailedWorkbook } from './reports/detailedWorkbook';
import { writeExecutivePdf } from './reports/executivePdf';
import { SignalPublisher } from './SignalPublisher';
import { TimelineService } from './TimelineService';

/** How each report type is delivered. */
export const REPORT_FILES: Record<
  ReportType,
  { file: string; contentType: string; label: string }
> = {
  EXECUTIVE: {
    file: 'executive.pdf',
    contentType: 'application/pdf',
    label: 'Executive summary',
  },
  DETAILED: {
    file: 'detailed.xlsx',
    contentType:
      'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    label: 'Detailed workbook',
  },
  AUDIT_TRAIL: {
    file: 'audit.csv',
    contentType: 'text/csv; charset=utf-8',
    label: 'Audit trail',
  },
};

// The newest runs the reports draw from: the PDF's drift chart and latest results, and the
// workbook's history (one row per dataset of every run).
const PDF_RECONCILIATION_RUNS = 100;
const WORKBOOK_RECONCILIATION_RUNS = 1000;

/** Report settings from `cutover.reports`. */
export interface ReportSettings {
  /** How long delivered reports are kept. Default 30 days. */
  retentionMs: number;
}

/** Reads `cutover.reports` with its defaults. */
export function readReportSettings(root: Config): ReportSettings {
  const c = root.getOptionalConfig('cutover.reports');
  return {
    retentionMs: duration(c, 'retention', 30 * 86_400_000),
  };
}

/**
 * Reports: renders the executive PDF, the detailed workbook and the audit CSV; keeps report
 * schedules and delivers them. The dispatcher runs on the scheduler with global scope, and claims
 * each slot with a conditional update, so a slot is delivered once however many replicas race.
 */
export class ReportService {
  private readonly schedules: ScheduleLifecycle<
    StoredSchedule,
    Pick<StoredSchedule, 'reportType' | 'format' | 'recipients'>
  >;

  constructor(
    private readonly deps: {
      store: CutoverStore;
      audit: AuditLog;
      signals: SignalPublisher;
      migrations: MigrationService;
      readiness: ReadinessService;
      alerts: AlertService;
      timeline: TimelineService;
      /** Snapshots of a migration, when that capability is installed. */
      snapshots?: (migration: Migration) => Promise<Snapshot[]>;
      rollbacks?: (migration: Migration) => Promise<Rollback[]>;
      notifications?: NotificationService;
      logger: LoggerService;
      settings: ReportSettings;
      /** The plugin's one clock (see cutoverClockServiceRef). */
      clock: CutoverClock;
    },
  ) {
    this.schedules = new ScheduleLifecycle(deps, {
      audit: 'report-schedule',
      label: 'report',
      signal: 'migration',
      rows: store => {
        const reports = store.reports();
        return {
          get: (migrationId, id) => reports.getSchedule(migrationId, id),
          insert: row => reports.insertSchedule(row),
          update: (id, patch) => reports.updateSchedule(id, patch),
          delete: id => reports.deleteSchedule(id),
          claimSlot: (id, slot, next, now) =>
            reports.claimSlot(id, slot, next, now),
        };
      },
    });
  }

  private now() {
    return this.deps.clock.now();
  }

  /** Writes a report of the migration to `out` (an HTTP response or a buffer). */
  async write(
    type: ReportType,
    migration: Migration,
    out: Writable,
  ): Promise<void> {
    const { migrations, readiness, alerts, timeline } = this.deps;
    if (type === 'AUDIT_TRAIL') {
      await writeAuditCsv(this.deps.store, migration.id, out);
      return;
    }
    const full = await migrations.get(migration.id);
    // Reconciliation runs and freeze windows are built in: read straight from their store.
    const runs = this.deps.store.reconciliationRuns();
    const windows = this.deps.store.freezeWindows();
    if (type === 'EXECUTIVE') {
      const [
        dashboard,
        ready,
        trends,
        open,
        tl,
        snapshots,
        reconciliations,
        freezeWindows,
      ] = await Promise.all([
        migrations.dashboard(full),
        readiness.readiness(full),
        migrations.trends(full.id, { range: '7d', bucket: '1h' }),
        alerts.list(full, { status: 'OPEN' }),
        timeline.timeline(full),
        this.deps.snapshots ? this.deps.snapshots(full) : Promise.resolve(null),
        runs.listRuns(full.id, PDF_RECONCILIATION_RUNS),
        windows.listWindows(full.id),
      ]);
      await writeExecutivePdf(
        {
          migration: full,
          dashboard,
          readiness: ready,
          trends,
          alerts: [...open.items].sort(
            (a, b) =>
              ALERT_SEVERITIES.indexOf(a.severity) -
              ALERT_SEVERITIES.indexOf(b.severity),
          ),
          timeline: tl,
          snapshots,
          reconciliations,
          freezeWindows,
          generatedAt: new Date(this.now()),
        },
        out,
      );
      return;
    }
    const [
      dashboard,
      trends,
      checklist,
      history,
      all,
      tl,
      snapshots,
      rollbacks,
      reconciliations,
      freezeWindows,
    ] = await Promise.all([
      migrations.dashboard(full),
      migrations.trends(full.id, { range: '7d', bucket: '1h' }),
      readiness.checklist(full),
      readiness.history(full),
      alerts.list(full, {}),
      timeline.timeline(full),
      this.deps.snapshots ? this.deps.snapshots(full) : Promise.resolve(null),
      this.deps.rollbacks ? this.deps.rollbacks(full) : Promise.resolve(null),
      runs.listRuns(full.id, WORKBOOK_RECONCILIATION_RUNS),
      windows.listWindows(full.id),
    ]);
    await writeDetailedWorkbook(
      {
        migration: full,
        dashboard,
        trends,
        checklist,
        approvals: history.items,
        alerts: all.items,
        timeline: tl,
        snapshots,
        rollbacks,
        reconciliations,
        freezeWindows,
        generatedAt: new Date(this.now()),
      },
      out,
    );
  }

  /** Renders a report into memory. */
  async render(type: ReportType, migration: Migration): Promise<Buffer> {
    const chunks: Buffer[] = [];
    const sink = new PassThrough();
    sink.on('data', (c: Buffer) => chunks.push(c));
    const ended = new Promise<void>((resolve, reject) => {
      sink.on('end', resolve);
      sink.on('error', reject);
    });
    await this.write(type, migration, sink);
    if (!sink.writableEnded) sink.end();
    await ended;
    return Buffer.concat(chunks);
  }

  // ----- schedules -----

  private present(s: StoredSchedule, migration: Migration): ReportSchedule {
    const { anchorAt: _a, nextRunMs: _n, lastReportId, ...rest } = s;
    return {
      ...rest,
      lastReportUrl: lastReportId ? reportLink(migration, lastReportId) : null,
    };
  }

  async listSchedules(
    migration: Migration,
  ): Promise<{ items: ReportSchedule[] }> {
    const items = await this.deps.store.reports().listSchedules(migration.id);
    return { items: items.map(s => this.present(s, migration)) };
  }

  async createSchedule(
    migration: Migration,
    body: z.output<typeof reportScheduleCreateSchema>,
    caller: Caller,
    req?: Request,
  ): Promise<ReportSchedule> {
    const id = await this.schedules.create(
      migration,
      body,
      {
        reportType: body.reportType,
        format: body.format,
        recipients: body.recipients.map(r => r.toLocaleLowerCase('en-US')),
      },
      body,
      caller,
      req,
    );
    return this.getSchedule(migration, id);
  }

  async getSchedule(migration: Migration, id: string): Promise<ReportSchedule> {
    return this.present(await this.schedules.load(migration, id), migration);
  }

  /** Pauses, resumes or renames a schedule. Resuming computes the next slot from now. */
  async updateSchedule(
    migration: Migration,
    id: string,
    patch: { enabled?: boolean; name?: string },
    caller: Caller,
    req?: Request,
  ): Promise<ReportSchedule> {
    await this.schedules.update(migration, id, patch, caller, req);
    return this.getSchedule(migration, id);
  }

  async deleteSchedule(
    migration: Migration,
    id: string,
    caller: Caller,
    req?: Request,
  ) {
    await this.schedules.remove(
      migration,
      id,
      s => this.present(s, migration),
      caller,
      req,
    );
  }

  // ----- delivered reports -----

  async listStoredReports(
    migration: Migration,
  ): Promise<{ items: StoredReportInfo[] }> {
    return {
      items: await this.deps.store
        .reports()
        .listReports(migration.id, this.now()),
    };
  }

  async getStoredReport(migration: Migration, id: string) {
    const report = await this.deps.store
      .reports()
      .getReport(migration.id, id, this.now());
    if (!report) {
      throw new NotFoundError(
        `Report ${id} of migration ${migration.id} does not exist or has expired`,
      );
    }
    return report;
  }

  /**
   * Delivers every schedule whose slot has come. Each slot is claimed before the report is
   * rendered; a dispatcher that loses the claim skips it. Slots missed while no backend ran are
   * not replayed: the schedule runs once and moves to its next slot after now.
   */
  async dispatchDue(): Promise<number> {
    const now = this.now();
    const reports = this.deps.store.reports();
    let delivered = 0;
    for (const schedule of await reports.dueSchedules(now)) {
      const slot = await this.schedules.claim(schedule, now);
      if (slot === undefined) continue;
      try {
        await this.deliver(schedule, slot);
        delivered++;
      } catch (e) {
        const message = e instanceof Error ? e.message : String(e);
        this.deps.logger.warn(
          `Scheduled report ${schedule.id} of ${schedule.migrationId} failed: ${message}`,
        );
        await reports.recordDelivery(schedule.id, {
          reportId: null,
          error: message,
        });
      }
    }
    await reports.deleteExpiredReports(now);
    return delivered;
  }

  private async deliver(schedule: StoredSchedule, slot: number) {
    const migration = await this.deps.migrations.get(schedule.migrationId);
    const type = schedule.reportType;
    const content = await this.render(type, migration);
    const id = randomUUID();
    const now = this.now();
    const day = new Date(slot).toISOString().slice(0, 10);
    const fileName = `${migration.id}-${day}-${REPORT_FILES[type].file}`;
    await this.deps.store.transaction(async store => {
      await store.reports().insertReport({
        id,
        migrationId: migration.id,
        scheduleId: schedule.id,
        reportType: type,
        fileName,
        contentType: REPORT_FILES[type].contentType,
        content,
        createdAt: now,
        expiresAt: now + this.deps.settings.retentionMs,
      });
      await store
        .reports()
        .recordDelivery(schedule.id, { reportId: id, error: null });
      await this.deps.audit.record(
        store,
        { actor: 'plugin:cutover', requestId: null },
        {
          migrationId: migration.id,
          action: 'report.deliver',
          target: `report-schedule:${schedule.id}`,
          after: {
            reportId: id,
            fileName,
            recipients: schedule.recipients,
            slot: new Date(slot).toISOString(),
          },
        },
      );
    });
    const keptDays = Math.round(this.deps.settings.retentionMs / 86_400_000);
    const failed = await notifyAboutMigration(this.deps, migration, {
      recipients: schedule.recipients,
      title: `${REPORT_FILES[type].label}: ${migration.title}`,
      description: `${
        schedule.name
      } (${schedule.frequency.toLowerCase()}) is ready to download; it is kept for ${keptDays} days.`,
      link: reportLink(migration, id),
      severity: 'normal',
      topic: `cutover:${migration.id}:reports`,
      scope: `cutover-report:${schedule.id}`,
    });
    if (failed) {
      // The report is stored and linked from the schedule; a failed notification is recorded.
      await this.deps.store.reports().recordDelivery(schedule.id, {
        reportId: id,
        error: `notification failed: ${failed}`,
      });
    }
  }

  async schedule(scheduler: SchedulerService) {
    await scheduler.scheduleTask({
      id: 'cutover-report-dispatcher',
      frequency: { minutes: 1 },
      timeout: { minutes: 10 },
      initialDelay: { seconds: 20 },
      scope: 'global',
      fn: async () => {
        await this.dispatchDue();
      },
    });
  }
}

/** The portal page that downloads a delivered report: the Migration tab with `?report=`. */
export function reportLink(migration: Migration, reportId: string): string {
  const entity = migration.entityRefs[0];
  const tab = entity ? entityTabLink(entity, 'migration') : '/catalog';
  return `${tab}?migration=${encodeURIComponent(
    migration.id,
  )}&report=${encodeURIComponent(reportId)}`;
}
