import type { ReportSchedule } from '@switchyard/plugin-cutover-common';
import { Knex } from 'knex';
import { iso, json } from './columnValues';
import type { ScheduleInsert, SchedulePatch } from './ScheduleTable';
import { ScheduleTable, scheduleState, scheduleTiming } from './ScheduleTable';

/** A schedule as the dispatcher needs it. */
export interface StoredSchedule extends ReportSchedule {
  anchorAt: number;
  nextRunMs: number | null;
  lastReportId: string | null;
}

/** A delivered report, without its content. */
export interface StoredReportInfo {
  id: string;
  migrationId: string;
  scheduleId: string | null;
  reportType: string;
  fileName: string;
  contentType: string;
  sizeBytes: number;
  createdAt: string;
  expiresAt: string;
}

/** Report schedules and delivered reports. The only place with their SQL. */
export class ReportStore {
  private readonly schedules: ScheduleTable;

  constructor(private readonly db: Knex | Knex.Transaction) {
    this.schedules = new ScheduleTable(db, 'cutover_report_schedules');
  }

  async insertSchedule(
    s: ScheduleInsert & {
      reportType: string;
      format: string;
      recipients: string[];
    },
  ) {
    await this.schedules.insert(s, {
      report_type: s.reportType,
      format: s.format,
      recipients: JSON.stringify(s.recipients),
    });
  }

  async getSchedule(migrationId: string, id: string): Promise<StoredSchedule | undefined> {
    const row = await this.db('cutover_report_schedules').where({ migration_id: migrationId, id }).first();
    return row ? toSchedule(row) : undefined;
  }

  async listSchedules(migrationId: string): Promise<StoredSchedule[]> {
    return (await this.schedules.ofMigration(migrationId)).map(toSchedule);
  }

  async updateSchedule(id: string, patch: SchedulePatch) {
    await this.schedules.update(id, patch);
  }

  async deleteSchedule(id: string): Promise<boolean> {
    return this.schedules.delete(id);
  }

  /** Enabled schedules whose slot has come, of migrations that are not archived. */
  async dueSchedules(now: number): Promise<StoredSchedule[]> {
    return (await this.schedules.dueRows(now)).map(toSchedule);
  }

  /** Claims a slot for the schedule (see {@link ScheduleTable.claimSlot}). */
  async claimSlot(id: string, slot: number, next: number, now: number): Promise<boolean> {
    return this.schedules.claimSlot(id, slot, next, now);
  }

  async recordDelivery(id: string, result: { reportId: string | null; error: string | null }) {
    await this.db('cutover_report_schedules')
      .where({ id })
      .update({ last_report_id: result.reportId, last_error: result.error });
  }

  async insertReport(r: {
    id: string;
    migrationId: string;
    scheduleId: string | null;
    reportType: string;
    fileName: string;
    contentType: string;
    content: Buffer;
    createdAt: number;
    expiresAt: number;
  }) {
    await this.db('cutover_stored_reports').insert({
      id: r.id,
      migration_id: r.migrationId,
      schedule_id: r.scheduleId,
      report_type: r.reportType,
      file_name: r.fileName,
      content_type: r.contentType,
      content: r.content,
      size_bytes: r.content.length,
      created_at: r.createdAt,
      expires_at: r.expiresAt,
    });
  }

  async listReports(migrationId: string, now: number): Promise<StoredReportInfo[]> {
    const rows = await this.db('cutover_stored_reports')
      .where({ migration_id: migrationId })
      .where('expires_at', '>', now)
      .orderBy('created_at', 'desc')
      .select(
        'id', 'migration_id', 'schedule_id', 'report_type', 'file_name', 'content_type',
        'size_bytes', 'created_at', 'expires_at',
      );
    return rows.map(toReportInfo);
  }

  async getReport(
    migrationId: string,
    id: string,
    now: number,
  ): Promise<(StoredReportInfo & { content: Buffer }) | undefined> {
    const row = await this.db('cutover_stored_reports')
      .where({ migration_id: migrationId, id })
      .where('expires_at', '>', now)
      .first();
    return row ? { ...toReportInfo(row), content: Buffer.from(row.content) } : undefined;
  }

  async deleteExpiredReports(now: number): Promise<number> {
    return this.db('cutover_stored_reports').where('expires_at', '<=', now).delete();
  }
}

function toSchedule(row: any): StoredSchedule {
  const { lastError, ...state } = scheduleState(row);
  return {
    id: row.id,
    migrationId: row.migration_id,
    name: row.name,
    reportType: row.report_type,
    format: row.format,
    ...scheduleTiming(row),
    recipients: json<string[]>(row.recipients, []),
    ...state,
    lastReportUrl: null,
    lastError,
    lastReportId: row.last_report_id ?? null,
  };
}

function toReportInfo(row: any): StoredReportInfo {
  return {
    id: row.id,
    migrationId: row.migration_id,
    scheduleId: row.schedule_id ?? null,
    reportType: row.report_type,
    fileName: row.file_name,
    contentType: row.content_type,
    sizeBytes: Number(row.size_bytes),
    createdAt: iso(row.created_at)!,
    expiresAt: iso(row.expires_at)!,
  };
}
