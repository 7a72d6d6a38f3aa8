import { LoggerService } from '@backstage/backend-plugin-api';
import { Config } from '@backstage/config';
import { InputError } from '@backstage/errors';
import express, { ErrorRequestHandler, Request } from 'express';
import Router from 'express-promise-router';
import { CutoverStore } from '../database/CutoverStore';
import { CutoverAccess } from './access';
import { MigrationService } from './MigrationService';
import { TimelineService } from './TimelineService';
import { ReadinessService } from './ReadinessService';
import { AlertService } from './AlertService';
import { ReportService } from './ReportService';
import { SnapshotService } from './SnapshotService';
import { DatasetCutoverService } from './DatasetCutoverService';
import { FreezeWindowService } from './FreezeWindowService';
import { ReconciliationService } from './ReconciliationService';
import { OperationScheduleService } from './OperationScheduleService';
import { AuditLog } from './AuditLog';
import { PayloadTooLargeError } from './errors';
import { refusalAudit } from './refusals';
import { bindOperations, operationOf } from './operationRouter';
import { operationHandlers } from './operationHandlers';
import type { PlanDrafter } from '../drafts/PlanDrafter';
import type { PortfolioService } from './PortfolioService';

/** What the router needs. */
export interface RouterOptions {
  access: CutoverAccess;
  migrations: MigrationService;
  timeline: TimelineService;
  readiness: ReadinessService;
  alerts: AlertService;
  reports: ReportService;
  snapshots: SnapshotService;
  /** Per-dataset cutover states and read switches. */
  cutover: DatasetCutoverService;
  freezeWindows: FreezeWindowService;
  reconciliation: ReconciliationService;
  /** Scheduled snapshots and reconciliations. */
  operationSchedules: OperationScheduleService;
  /** The portfolio's summaries (`GET /portfolio`). */
  portfolio: PortfolioService;
  store: CutoverStore;
  logger: LoggerService;
  audit: AuditLog;
  /** Drafts plans from two configured connections (`POST /plans/draft`). */
  drafts?: PlanDrafter;
  /** Body size limits in bytes: metrics batches, plans, PATCH bodies, everything else. */
  bodyLimits?: Partial<BodyLimits>;
}

/** How large a body each kind of route accepts. */
export interface BodyLimits {
  metrics: number;
  plan: number;
  patch: number;
  other: number;
}

const DEFAULT_BODY_LIMITS: BodyLimits = {
  metrics: 20 * 1024 * 1024,
  plan: 5 * 1024 * 1024,
  patch: 64 * 1024,
  other: 1024 * 1024,
};

/** Reads `cutover.http.bodyLimits` (bytes, or strings such as `20mb`). */
export function readBodyLimits(root: Config): Partial<BodyLimits> {
  const c = root.getOptionalConfig('cutover.http.bodyLimits');
  const out: Partial<BodyLimits> = {};
  for (const kind of Object.keys(DEFAULT_BODY_LIMITS) as Array<
    keyof BodyLimits
  >) {
    const v = c?.getOptional(kind);
    if (v === undefined) continue;
    const bytes = typeof v === 'number' ? v : parseBytes(String(v));
    if (bytes === undefined || bytes <= 0) {
      throw new Error(
        `cutover.http.bodyLimits.${kind} must be a size such as 256kb or 20mb, got ${JSON.stringify(
          v,
        )}`,
      );
    }
    out[kind] = bytes;
  }
  return out;
}

function parseBytes(text: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)\s*(b|kb|mb|gb)?$/i.exec(text.trim());
  if (!m) return undefined;
  const unit = { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 }[
    (m[2] ?? 'b').toLowerCase() as 'b'
  ];
  return Math.round(Number(m[1]) * unit);
}

/** The body limit of a request: its operation's, or by method for paths of no operation. */
function bodyLimitFor(
  req: Request,
  limits: BodyLimits,
): { kind: keyof BodyLimits; bytes: number } {
  const kind =
    operationOf(req)?.bodyLimit ?? (req.method === 'PATCH' ? 'patch' : 'other');
  return { kind, bytes: limits[kind] };
}

function formatBytes(n: number) {
  return n >= 1024 * 1024
    ? `${(n / 1024 / 1024).toFixed(n % (1024 * 1024) ? 1 : 0)} MB`
    : `${Math.round(n / 1024)} KB`;
}

/** The HTTP layer: parses, authorizes, delegates. Errors thrown become 4xx by the framework. */
export async function createRouter(
  options: RouterOptions,
): Promise<express.Router> {
  const { access, migrations } = options;
  const limits = { ...DEFAULT_BODY_LIMITS, ...options.bodyLimits };
  const router = Router();
  // Each route reads bodies up to its own limit: a metrics batch may be large, a PATCH may not.
  const parsers = new Map(
    (Object.keys(limits) as Array<keyof BodyLimits>).map(kind => [
      kind,
      express.json({ limit: limits[kind] }),
    ]),
  );
  router.use((req, res, next) => {
    const { kind } = bodyLimitFor(req, limits);
    parsers.get(kind)!(req, res, next);
  });
  // A body that is not JSON would otherwise be skipped by the parser and read as `{}`: refuse it.
  router.use((req, res, next) => {
    const length = req.headers['content-length'];
    const hasBody =
      req.headers['transfer-encoding'] !== undefined ||
      (length !== undefined && length !== '0');
    if (
      hasBody &&
      ['POST', 'PUT', 'PATCH'].includes(req.method) &&
      !req.is('application/json')
    ) {
      const type = req.headers['content-type'] ?? 'none';
      res.status(415).json({
        error: {
          name: 'UnsupportedMediaTypeError',
          message: `Invalid request: body must be JSON sent as Content-Type: application/json (got ${JSON.stringify(
            type,
          ).slice(0, 100)})`,
        },
        request: { method: req.method, url: req.originalUrl },
        response: { statusCode: 415 },
      });
      return;
    }
    next();
  });

  bindOperations(router, operationHandlers(options), { access, migrations });

  // Malformed or oversized bodies are the client's problem: 4xx naming it, never 500.
  const bodyErrors: ErrorRequestHandler = (error, req, _res, next) => {
    if (error?.type === 'entity.parse.failed') {
      next(
        new InputError(
          `Invalid request: body is not valid JSON (${error.message})`,
        ),
      );
    } else if (error?.type === 'entity.too.large') {
      const { kind, bytes } = bodyLimitFor(req, limits);
      next(
        new PayloadTooLargeError(
          `Invalid request: body is larger than the ${formatBytes(
            bytes,
          )} this route accepts (cutover.http.bodyLimits.${kind})`,
        ),
      );
    } else if (
      error?.type &&
      typeof error.status === 'number' &&
      error.status < 500
    ) {
      next(new InputError(`Invalid request: ${error.message}`));
    } else {
      next(error);
    }
  };
  router.use(bodyErrors);
  router.use(refusalAudit(options));
  return router;
}
