import type { ReportSchedule } from '@switchyard/plugin-cutover-common';
import { Knex } from 'knex';
import { iso, json } from './columnValues';

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
  constructor(private readonly db: Knex | Knex.Transaction) {}

  async insertSchedule(s: {
    id: string;
    migrationId: string;
    name: string;
    reportType: string;
    format: string;
    frequency: string;
    dayOfWeek: number | null;
    dayOfMonth: number | null;
    time: string;
    timezone: string;
    recipients: string[];
    enabled: boolean;
    createdAt: number;
    createdBy: string;
    nextRunAt: number | null;
  }) {
    await this.db('cutover_report_schedules').insert({
      id: s.id,
      migration_id: s.migrationId,
      name: s.name,
      report_type: s.reportType,
      format: s.format,
      frequency: s.frequency,
      day_of_week: s.dayOfWeek,
      day_of_month: s.dayOfMonth,
      time: s.time,
      timezone: s.timezone,
      recipients: JSON.stringify(s.recipients),
      enabled: s.enabled,
      created_at: s.createdAt,
      created_by: s.createdBy,
      anchor_at: s.createdAt,
      next_run_at: s.nextRunAt,
    });
  }

  async getSchedule(migrationId: string, id: string): Promise<StoredSchedule | undefined> {
    const row = await this.db('cutover_report_schedules').where({ migration_id: migrationId, id }).first();
    return row ? toSchedule(row) : undefined;
  }

  async listSchedules(migrationId: string): Promise<StoredSchedule[]> {
    const rows = await this.db('cutover_report_schedules')
      .where({ migration_id: migrationId })
      .orderBy('created_at')
      .orderBy('id');
    return rows.map(toSchedule);
  }

  async updateSchedule(
    id: string,
    patch: { name?: string; enabled?: boolean; nextRunAt?: number | null },
  ) {
    const row: Record<string, unknown> = {};
    if (patch.name !== undefined) row.name = patch.name;
    if (patch.enabled !== undefined) row.enabled = patch.enabled;
    if (patch.nextRunAt !== undefined) row.next_run_at = patch.nextRunAt;
    if (Object.keys(row).length) await this.db('cutover_report_schedules').where({ id }).update(row);
  }

  async deleteSchedule(id: string): Promise<boolean> {
    return (await this.db('cutover_report_schedules').where({ id }).delete()) > 0;
  }

  /** Enabled schedules whose slot has come, of migrations that are not archived. */
  async dueSchedules(now: number): Promise<StoredSchedule[]> {
    const rows = await this.db('cutover_report_schedules as s')
      .join('cutover_migrations as m', 'm.id', 's.migration_id')
      .whereNull('m.archived_at')
      .where('s.enabled', true)
      .whereNotNull('s.next_run_at')
      .where('s.next_run_at', '<=', now)
      .orderBy('s.next_run_at')
      .select('s.*');
    return rows.map(toSchedule);
  }

  /**
   * Claims the slot `slot` of a schedule by moving it to `next`: a conditional update, so of two
   * dispatchers racing for the same slot exactly one sees a changed row.
   */
  async claimSlot(id: string, slot: number, next: number, now: number): Promise<boolean> {
    const changed = await this.db('cutover_report_schedules')
      .where({ id, next_run_at: slot, enabled: true })
      .update({ next_run_at: next, last_run_at: now });
    return changed === 1;
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
  return {
    id: row.id,
    migrationId: row.migration_id,
    name: row.name,
    reportType: row.report_type,
    format: row.format,
    frequency: row.frequency,
    dayOfWeek: row.day_of_week ?? null,
    dayOfMonth: row.day_of_month ?? null,
    time: row.time,
    timezone: row.timezone,
    recipients: json<string[]>(row.recipients, []),
    enabled: !!row.enabled,
    createdAt: iso(row.created_at)!,
    createdBy: row.created_by,
    lastRunAt: iso(row.last_run_at),
    nextRunAt: row.enabled ? iso(row.next_run_at) : null,
    lastReportUrl: null,
    lastError: row.last_error ?? null,
    anchorAt: Number(row.anchor_at),
    nextRunMs: row.next_run_at === null || row.next_run_at === undefined ? null : Number(row.next_run_at),
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
