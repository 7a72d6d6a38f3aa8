import { Knex } from 'knex';
import type {
  AlertSeverity,
  PortfolioItem,
  PortfolioSort,
  Recommendation,
  RiskLevel,
} from '@switchyard/plugin-cutover-common';
import { iso, json, numOrNull } from './columnValues';

/** Sort rank of risk levels: higher is riskier. */
export const RISK_RANK: Record<RiskLevel, number> = {
  LOW: 0,
  MEDIUM: 1,
  HIGH: 2,
  CRITICAL: 3,
};

/** A summary row as the portfolio service writes it (times in epoch milliseconds). */
export interface MigrationSummary {
  migrationId: string;
  title: string;
  owner: string;
  approvers: string | null;
  entityRefs: string[];
  status: string;
  overallProgress: number;
  plannedEnd: number | null;
  estimatedCompletion: number | null;
  recommendation: Recommendation;
  riskLevel: RiskLevel;
  score: number;
  openAlerts: Record<AlertSeverity, number>;
  worstDrift: PortfolioItem['worstDrift'];
  approvalStatus: string;
  nextMilestone: { name: string; at: number | null } | null;
  lastActivityAt: number | null;
  datasetCount: number;
  refreshedAt: number;
}

/** What the portfolio can be filtered by (owners and entity refs lower case). */
export interface PortfolioFilter {
  owners?: string[];
  entityRefs?: string[];
  status?: string;
  recommendation?: string;
  risk?: string;
  sort: PortfolioSort;
}

/** A stored summary with the fields permission rules read. */
export type StoredSummary = PortfolioItem & { approvers: string | null };

const DAY_MS = 24 * 60 * 60 * 1000;

/** The portfolio's summary rows. The only place with their SQL. */
export class PortfolioStore {
  constructor(private readonly db: Knex | Knex.Transaction) {}

  async upsert(s: MigrationSummary): Promise<void> {
    const row = {
      migration_id: s.migrationId,
      title: s.title,
      owner: s.owner.toLocaleLowerCase('en-US'),
      approvers: s.approvers?.toLocaleLowerCase('en-US') ?? null,
      entity_refs: JSON.stringify(s.entityRefs),
      status: s.status,
      overall_progress: s.overallProgress,
      planned_end: s.plannedEnd,
      estimated_completion: s.estimatedCompletion,
      recommendation: s.recommendation,
      risk_level: s.riskLevel,
      risk_rank: RISK_RANK[s.riskLevel],
      readiness_score: Math.round(s.score),
      alerts_critical: s.openAlerts.CRITICAL,
      alerts_high: s.openAlerts.HIGH,
      alerts_medium: s.openAlerts.MEDIUM,
      alerts_low: s.openAlerts.LOW,
      worst_drift: s.worstDrift,
      approval_status: s.approvalStatus,
      next_milestone_name: s.nextMilestone?.name ?? null,
      next_milestone_at: s.nextMilestone?.at ?? null,
      last_activity_at: s.lastActivityAt,
      dataset_count: s.datasetCount,
      refreshed_at: s.refreshedAt,
    };
    await this.db('cutover_migration_summaries')
      .insert(row)
      .onConflict('migration_id')
      .merge();
  }

  async delete(migrationId: string): Promise<void> {
    await this.db('cutover_migration_summaries')
      .where({ migration_id: migrationId })
      .delete();
  }

  /** Ids of migrations (not archived) whose summary is missing or older than the migration. */
  async stale(): Promise<string[]> {
    const rows = await this.db('cutover_migrations as m')
      .leftJoin(
        'cutover_migration_summaries as s',
        's.migration_id',
        'm.id',
      )
      .whereNull('m.archived_at')
      .where(q =>
        q
          .whereNull('s.migration_id')
          .orWhereRaw('s.refreshed_at < m.updated_at'),
      )
      .select('m.id');
    return rows.map(r => r.id as string);
  }

  /** Summaries of archived migrations, which the portfolio no longer shows. */
  async pruneArchived(): Promise<number> {
    return this.db('cutover_migration_summaries')
      .whereIn(
        'migration_id',
        this.db('cutover_migrations')
          .select('id')
          .whereNotNull('archived_at'),
      )
      .delete();
  }

  /** When anything was last recorded about a migration: its audit trail. */
  async lastAuditAt(migrationId: string): Promise<number | null> {
    const row = await this.db('cutover_audit_events')
      .where({ migration_id: migrationId })
      .max({ at: 'at' })
      .first();
    return numOrNull(row?.at);
  }

  /** Every summary that matches, in the order asked for. */
  async list(filter: PortfolioFilter): Promise<StoredSummary[]> {
    const q = this.db('cutover_migration_summaries as s').select('s.*');
    if (filter.owners) q.whereIn('s.owner', filter.owners);
    if (filter.status) q.where('s.status', filter.status);
    if (filter.recommendation)
      q.where('s.recommendation', filter.recommendation);
    if (filter.risk) q.where('s.risk_level', filter.risk);
    if (filter.entityRefs) {
      q.whereIn(
        's.migration_id',
        this.db('cutover_migration_entities')
          .select('migration_id')
          .whereIn('entity_ref', filter.entityRefs),
      );
    }
    switch (filter.sort) {
      case 'risk':
        q.orderBy([
          { column: 's.risk_rank', order: 'desc' },
          { column: 's.readiness_score', order: 'asc' },
        ]);
        break;
      case 'title':
        q.orderBy('s.title');
        break;
      case 'progress':
        q.orderBy('s.overall_progress', 'desc');
        break;
      case 'plannedEnd':
        // Without a planned end last, on both databases.
        q.orderByRaw(
          'CASE WHEN s.planned_end IS NULL THEN 1 ELSE 0 END, s.planned_end',
        );
        break;
      case 'lastActivity':
        q.orderByRaw(
          'CASE WHEN s.last_activity_at IS NULL THEN 1 ELSE 0 END, s.last_activity_at DESC',
        );
        break;
      default:
        break;
    }
    q.orderBy('s.migration_id');
    const rows = await q;
    return rows.map(toItem);
  }
}

function toItem(r: any): StoredSummary {
  const plannedEnd = numOrNull(r.planned_end);
  const eta = numOrNull(r.estimated_completion);
  return {
    migrationId: r.migration_id,
    title: r.title,
    owner: r.owner,
    approvers: r.approvers ?? null,
    entityRefs: json<string[]>(r.entity_refs, []),
    status: r.status,
    overallProgress: Number(r.overall_progress),
    plannedEnd: iso(plannedEnd),
    estimatedCompletion: iso(eta),
    etaVarianceDays:
      plannedEnd !== null && eta !== null
        ? Math.round(((eta - plannedEnd) / DAY_MS) * 10) / 10
        : null,
    recommendation: r.recommendation,
    riskLevel: r.risk_level,
    score: Number(r.readiness_score),
    openAlerts: {
      CRITICAL: Number(r.alerts_critical),
      HIGH: Number(r.alerts_high),
      MEDIUM: Number(r.alerts_medium),
      LOW: Number(r.alerts_low),
    },
    worstDrift: r.worst_drift ?? null,
    approvalStatus: r.approval_status,
    nextMilestone: r.next_milestone_name
      ? {
          name: r.next_milestone_name,
          plannedDate: iso(r.next_milestone_at),
        }
      : null,
    lastActivityAt: iso(r.last_activity_at),
    datasetCount: Number(r.dataset_count),
    refreshedAt: iso(r.refreshed_at)!,
  };
}
