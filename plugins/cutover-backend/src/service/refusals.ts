import { ErrorRequestHandler, Request } from 'express';
import type { AuditLog } from './AuditLog';
import type { CutoverAccess } from './access';
import type { CutoverStore } from '../database/CutoverStore';

/** The audit action of a mutating request, named as its success would be recorded. */
const ACTIONS: Array<[method: string, path: RegExp, action: string]> = [
  ['POST', /^\/migrations\/?$/, 'migration.create'],
  ['POST', /^\/plans\/draft$/, 'plan.draft'],
  ['PUT', /^\/migrations\/[^/]+\/?$/, 'migration.apply-plan'],
  ['PATCH', /^\/migrations\/[^/]+\/?$/, 'migration.update'],
  ['DELETE', /^\/migrations\/[^/]+\/?$/, 'migration.archive'],
  ['POST', /^\/migrations\/[^/]+\/restore$/, 'migration.restore'],
  ['POST', /^\/migrations\/[^/]+\/metrics$/, 'metrics.ingest'],
  ['PUT', /^\/migrations\/[^/]+\/phases\//, 'phase.update'],
  ['PUT', /^\/migrations\/[^/]+\/milestones\//, 'milestone.update'],
  ['POST', /^\/migrations\/[^/]+\/checklist$/, 'checklist.add-item'],
  ['PATCH', /^\/migrations\/[^/]+\/checklist\//, 'checklist.update'],
  ['POST', /^\/migrations\/[^/]+\/approval-requests$/, 'approval.request'],
  ['POST', /^\/migrations\/[^/]+\/approvals$/, 'approval.decide'],
  [
    'POST',
    /^\/migrations\/[^/]+\/approvals\/[^/]+\/revoke$/,
    'approval.revoke',
  ],
  ['POST', /^\/migrations\/[^/]+\/alerts$/, 'alert.raise'],
  ['POST', /^\/migrations\/[^/]+\/alerts\/[^/]+\/(\w+)$/, 'alert.$1'],
  ['POST', /^\/migrations\/[^/]+\/report-schedules$/, 'report-schedule.create'],
  [
    'PATCH',
    /^\/migrations\/[^/]+\/report-schedules\//,
    'report-schedule.update',
  ],
  [
    'DELETE',
    /^\/migrations\/[^/]+\/report-schedules\//,
    'report-schedule.delete',
  ],
  ['POST', /^\/migrations\/[^/]+\/snapshots$/, 'snapshot.create'],
  ['DELETE', /^\/migrations\/[^/]+\/snapshots\//, 'snapshot.delete'],
  [
    'POST',
    /^\/migrations\/[^/]+\/snapshots\/[^/]+\/verify$/,
    'snapshot.verify',
  ],
  ['POST', /^\/migrations\/[^/]+\/rollbacks$/, 'rollback.execute'],
  [
    'PUT',
    /^\/migrations\/[^/]+\/datasets\/[^/]+\/read-source$/,
    'readsource.switch',
  ],
  [
    'PUT',
    /^\/migrations\/[^/]+\/datasets\/[^/]+\/cutover-state$/,
    'dataset.cutover-state',
  ],
  ['POST', /^\/migrations\/[^/]+\/freeze-windows$/, 'freeze.plan'],
  ['POST', /^\/migrations\/[^/]+\/freeze-windows\/[^/]+\/(\w+)$/, 'freeze.$1'],
  ['POST', /^\/migrations\/[^/]+\/reconciliations$/, 'reconciliation.start'],
];

const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
/** Refusals by a permission or a rule (and limits); malformed input goes to the auditor only. */
const RULE_STATUSES = new Set([403, 409, 413, 429]);

/** The audit action of a request, or a generic name for routes not listed. */
export function refusedAction(req: Pick<Request, 'method' | 'path'>): string {
  for (const [method, pattern, action] of ACTIONS) {
    const m = req.method === method ? pattern.exec(req.path) : null;
    if (m) return action.replace('$1', m[1] ?? '');
  }
  return `${req.method.toLowerCase()}.${
    req.path.split('/').filter(Boolean).slice(2).join('.') || 'migrations'
  }`;
}

function statusOf(error: any): number {
  const code = error?.statusCode ?? error?.status;
  if (typeof code === 'number') return code;
  return (
    (
      {
        InputError: 400,
        AuthenticationError: 401,
        NotAllowedError: 403,
        NotFoundError: 404,
        ConflictError: 409,
      } as Record<string, number>
    )[error?.name] ?? 500
  );
}

/**
 * Audits refused mutating requests as failures: through Backstage's auditor always, and in the
 * migration's own trail when a permission or a rule refused it on a migration that exists (so its
 * owners see the attempt). Then hands the error on to the framework's error handler.
 */
export function refusalAudit(options: {
  access: CutoverAccess;
  audit: AuditLog;
  store: CutoverStore;
}): ErrorRequestHandler {
  return (error, req, _res, next) => {
    const status = statusOf(error);
    if (!MUTATING.has(req.method) || status < 400 || status >= 500) {
      next(error);
      return;
    }
    void (async () => {
      const caller = await options.access.caller(req).catch(() => ({
        actor: 'anonymous',
        requestId:
          (req.header('x-request-id') as string | undefined)?.slice(0, 127) ??
          null,
      }));
      const migrationId = safeDecode(
        /^\/migrations\/([^/]+)/.exec(req.path)?.[1],
      );
      let known = false;
      if (migrationId && RULE_STATUSES.has(status)) {
        known = !!(await options.store
          .getMigration(migrationId, {
            includeArchived: true,
            withDatasets: false,
          })
          .catch(() => undefined));
      }
      await options.audit.refused(
        known ? options.store : undefined,
        caller,
        { migrationId, action: refusedAction(req), target: null },
        error instanceof Error ? error : new Error(String(error)),
        req,
      );
    })()
      .catch(() => undefined)
      .finally(() => next(error));
  };
}

function safeDecode(segment: string | undefined): string | undefined {
  if (segment === undefined) return undefined;
  try {
    const decoded = decodeURIComponent(segment);
    // Only ids the API could have made: anything else names no migration.
    return /^[a-z0-9][a-z0-9-]{0,62}$/.test(decoded) ? decoded : undefined;
  } catch {
    return undefined;
  }
}
