import { ErrorRequestHandler, Request } from 'express';
import type { AuditLog } from './AuditLog';
import type { CutoverAccess } from './access';
import type { CutoverStore } from '../database/CutoverStore';
import { operationOf } from './operationRouter';

const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
/** Refusals by a permission or a rule (and limits); malformed input goes to the auditor only. */
const RULE_STATUSES = new Set([403, 409, 413, 429]);

/**
 * The audit action of a request, as its success would be recorded (the `audit` of its operation
 * in the catalogue), or a generic name for paths of no operation.
 */
export function refusedAction(req: Pick<Request, 'method' | 'path'>): string {
  const action = operationOf(req)?.audit;
  if (action) return action;
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
