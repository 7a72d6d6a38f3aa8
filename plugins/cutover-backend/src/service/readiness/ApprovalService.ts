import {
  ConflictError,
  InputError,
  NotAllowedError,
  NotFoundError,
} from '@backstage/errors';
import {
  type Approval,
  type ApprovalDecisionBody,
  type ApprovalState,
  type Blocker,
  type Migration,
  type Readiness,
  RECOMMENDATION_RANK,
} from '@switchyard/plugin-cutover-common';
import type { Request } from 'express';
import { randomUUID } from 'node:crypto';
import type { CutoverStore } from '../../database/CutoverStore';
import type { StoredApproval } from '../../database/ReadinessStore';
import { planFingerprint } from '../../governance/PlanGovernance';
import type { Caller } from '../access';
import { tabNotifier } from '../notify';
import type { ReadinessDeps } from './config';

/** Approvals are decided and revoked by people: a service token (the jobs') is refused. */
function requirePerson(caller: Caller) {
  if (!caller.isUser) {
    throw new NotAllowedError(
      'Approval decisions are made by people, not by service tokens',
    );
  }
}

/**
 * Approvals of the cutover: requesting one, deciding (approve, approve with conditions, reject)
 * and revoking, and the approval state readiness reports (current, expired or stale).
 */
export class ApprovalService {
  constructor(
    private readonly deps: ReadinessDeps,
    /** The readiness verdict now (ReadinessService.readiness); decisions record it. */
    private readonly readiness: (migration: Migration) => Promise<Readiness>,
  ) {}

  /** Notifications of this service link to the readiness tab. */
  private get notify() {
    return tabNotifier(this.deps, 'readiness');
  }

  private now() {
    return this.deps.clock.now();
  }

  /** The approval's blockers of the cutover step (not counted in the score). */
  approvalBlockers(migration: Migration, approval: ApprovalState): Blocker[] {
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

  async approvalState(
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
    requirePerson(caller);
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
    requirePerson(caller);
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
}
