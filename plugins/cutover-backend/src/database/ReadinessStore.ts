import type {
  Approval,
  ApprovalDecision,
  ApprovalRequest,
  ChecklistStatus,
  Recommendation,
  RiskLevel,
} from '@switchyard/plugin-cutover-common';
import { Knex } from 'knex';
import { iso, json } from './columnValues';

/** A checklist row as stored (results of automated items are never stored). */
export interface StoredChecklistItem {
  id: string;
  position: number;
  category: string;
  title: string;
  description: string | null;
  required: boolean;
  custom: boolean;
  status: ChecklistStatus;
  notes: string | null;
  updatedBy: string | null;
  updatedAt: string | null;
  version: number;
}

/** An approval as stored, before expiry and staleness are derived. */
export type StoredApproval = Omit<
  Approval,
  'expired' | 'stale' | 'staleReasons'
> & {
  /** Hash of the plan's datasets, approvers and drift thresholds it was decided on. */
  planFingerprint: string | null;
};

/** Checklist, approval requests and approvals. The only place with their SQL. */
export class ReadinessStore {
  constructor(private readonly db: Knex | Knex.Transaction) {}

  async listChecklistItems(
    migrationId: string,
  ): Promise<StoredChecklistItem[]> {
    const rows = await this.db('cutover_checklist_items')
      .where({ migration_id: migrationId })
      .orderBy('position');
    return rows.map(r => ({
      id: r.id,
      position: Number(r.position),
      category: r.category,
      title: r.title,
      description: r.description ?? null,
      required: Boolean(r.required),
      custom: Boolean(r.custom),
      status: r.status,
      notes: r.notes ?? null,
      updatedBy: r.updated_by ?? null,
      updatedAt: iso(r.updated_at),
      version: Number(r.version),
    }));
  }

  /** Adds template items a migration lacks; never touches items it has. */
  async ensureChecklistItems(
    migrationId: string,
    items: Array<{
      id: string;
      category: string;
      title: string;
      description?: string;
      required: boolean;
    }>,
  ) {
    if (!items.length) return;
    const existing = await this.db('cutover_checklist_items')
      .where({ migration_id: migrationId })
      .select('id', 'position');
    const have = new Set(existing.map(r => r.id));
    let position = existing.reduce(
      (m, r) => Math.max(m, Number(r.position) + 1),
      0,
    );
    const rows = items
      .filter(i => !have.has(i.id))
      .map(i => ({
        migration_id: migrationId,
        id: i.id,
        position: position++,
        category: i.category,
        title: i.title,
        description: i.description ?? null,
        required: i.required,
        custom: false,
      }));
    if (rows.length) {
      await this.db('cutover_checklist_items')
        .insert(rows)
        .onConflict(['migration_id', 'id'])
        .ignore();
    }
  }

  async addChecklistItem(
    migrationId: string,
    item: {
      id: string;
      category: string;
      title: string;
      description: string | null;
      required: boolean;
    },
    actor: string,
    now: number,
  ): Promise<boolean> {
    const [{ max }] = await this.db('cutover_checklist_items')
      .where({ migration_id: migrationId })
      .max({ max: 'position' });
    const inserted = await this.db('cutover_checklist_items')
      .insert({
        migration_id: migrationId,
        ...item,
        position: max === null || max === undefined ? 0 : Number(max) + 1,
        custom: true,
        updated_by: actor,
        updated_at: now,
      })
      .onConflict(['migration_id', 'id'])
      .ignore()
      .returning('id');
    return inserted.length > 0;
  }

  /**
   * Records a result. With `expectedVersion`, only when the stored version still matches, so of
   * two people editing the same item one wins and the other gets a conflict. Returns whether it
   * was written.
   */
  async updateChecklistItem(
    migrationId: string,
    id: string,
    change: { status?: ChecklistStatus; notes?: string | null },
    actor: string,
    now: number,
    expectedVersion?: number,
  ): Promise<boolean> {
    const query = this.db('cutover_checklist_items').where({
      migration_id: migrationId,
      id,
    });
    if (expectedVersion !== undefined) query.where('version', expectedVersion);
    const updated = await query.update({
      ...(change.status !== undefined ? { status: change.status } : {}),
      ...(change.notes !== undefined ? { notes: change.notes } : {}),
      updated_by: actor,
      updated_at: now,
      version: this.db.raw('?? + 1', ['version']),
    });
    return updated > 0;
  }

  async listRequests(migrationId: string): Promise<ApprovalRequest[]> {
    const rows = await this.db('cutover_approval_requests')
      .where({ migration_id: migrationId })
      .orderBy('requested_at', 'desc');
    return rows.map(toRequest);
  }

  async createRequest(
    migrationId: string,
    request: { id: string; requestedBy: string; comments: string | null },
    now: number,
  ) {
    await this.db('cutover_approval_requests').insert({
      id: request.id,
      migration_id: migrationId,
      requested_by: request.requestedBy,
      requested_at: now,
      comments: request.comments,
      status: 'OPEN',
    });
  }

  /**
   * Locks a migration's approvals for the rest of the transaction, by locking its migration row
   * (a no-op update: PostgreSQL keeps the row lock until commit; SQLite runs one writing
   * transaction at a time anyway). Serialises the creation of approval requests.
   */
  async lockApprovals(migrationId: string) {
    await this.db('cutover_migrations')
      .where({ id: migrationId })
      .update({ updated_at: this.db.ref('updated_at') });
  }

  /**
   * Locks an approval request's row for the rest of the transaction, when it still has `status`
   * if given. A transaction that had to wait for a concurrent one sees the row as that one left
   * it: returns false when the request no longer has the status.
   */
  async lockRequest(
    id: string,
    status?: ApprovalRequest['status'],
  ): Promise<boolean> {
    const query = this.db('cutover_approval_requests').where({ id });
    if (status) query.where('status', status);
    return (await query.update({ status: this.db.ref('status') })) > 0;
  }

  async setRequestStatus(
    id: string,
    status: ApprovalRequest['status'],
    now: number,
  ) {
    await this.db('cutover_approval_requests')
      .where({ id })
      .update({ status, closed_at: status === 'OPEN' ? null : now });
  }

  async listApprovals(migrationId: string): Promise<StoredApproval[]> {
    const rows = await this.db('cutover_approvals')
      .where({ migration_id: migrationId })
      .orderBy('decided_at', 'desc');
    return rows.map(toApproval);
  }

  async insertApproval(
    migrationId: string,
    a: {
      id: string;
      requestId: string;
      decision: ApprovalDecision;
      approver: string;
      comments: string | null;
      conditions: string[];
      recommendation: Recommendation;
      riskLevel: RiskLevel;
      score: number;
      expiresAt: number | null;
      overrideReason: string | null;
      planFingerprint: string;
    },
    now: number,
  ): Promise<boolean> {
    const inserted = await this.db('cutover_approvals')
      .insert({
        id: a.id,
        migration_id: migrationId,
        request_id: a.requestId,
        decision: a.decision,
        approver: a.approver,
        comments: a.comments,
        conditions: JSON.stringify(a.conditions),
        recommendation: a.recommendation,
        risk_level: a.riskLevel,
        score: a.score,
        decided_at: now,
        expires_at: a.expiresAt,
        override_reason: a.overrideReason,
        plan_fingerprint: a.planFingerprint,
      })
      .onConflict(['request_id', 'approver'])
      .ignore()
      .returning('id');
    return inserted.length > 0;
  }

  async revokeApproval(
    id: string,
    by: string,
    reason: string,
    now: number,
  ): Promise<boolean> {
    const updated = await this.db('cutover_approvals')
      .where({ id })
      .whereNull('revoked_at')
      .update({ revoked_at: now, revoked_by: by, revoke_reason: reason });
    return updated > 0;
  }
}

function toRequest(r: any): ApprovalRequest {
  return {
    id: r.id,
    requestedBy: r.requested_by,
    requestedAt: iso(r.requested_at)!,
    comments: r.comments ?? null,
    status: r.status,
    closedAt: iso(r.closed_at),
  };
}

function toApproval(r: any): StoredApproval {
  const conditions = json<string[]>(r.conditions, []);
  return {
    id: r.id,
    requestId: r.request_id,
    decision: r.decision,
    approver: r.approver,
    comments: r.comments ?? null,
    conditions,
    recommendation: r.recommendation,
    riskLevel: r.risk_level,
    score: Number(r.score),
    decidedAt: iso(r.decided_at)!,
    expiresAt: iso(r.expires_at),
    overrideReason: r.override_reason ?? null,
    revokedAt: iso(r.revoked_at),
    revokedBy: r.revoked_by ?? null,
    revokeReason: r.revoke_reason ?? null,
    planFingerprint: r.plan_fingerprint ?? null,
  };
}
