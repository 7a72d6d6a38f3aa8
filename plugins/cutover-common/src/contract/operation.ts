import { Permission } from '@backstage/plugin-permission-common';
import { z } from 'zod';
import type { ResponseSchemaName } from '../responseSchemas';
import { migrationIdSchema, timelineIdSchema } from '../schemas';

/*
 * The shape of one operation of the cutover API. The catalogue (`operations.ts`) lists every
 * operation once; the backend's router, its OpenAPI document, the fuzz route table and the
 * permission matrix all read it.
 */

/** HTTP methods of the API. @public */
export type HttpMethod = 'get' | 'post' | 'put' | 'patch' | 'delete';

/**
 * The size class of a request body, with its limit under `cutover.http.bodyLimits` (bytes):
 * metrics batches may be large, plans less so, PATCH bodies small. @public
 */
export type BodyLimitKind = 'metrics' | 'plan' | 'patch' | 'other';

/**
 * Who may call an operation, as data. The router checks it; the OpenAPI document's `x-permission`
 * and the README's permission table are rendered from it (`permissionLabel`).
 * @public
 */
export interface OperationPermission {
  /** The caller needs one of these; none for an operation without authentication. */
  anyOf: readonly Permission[];
  /**
   * Where it is checked. `migration`: by the router, on the migration of the path, before
   * anything else of the request is read (404 for an unknown migration, then 403).
   * `handler`: by the handler, which has a reason stated in `note` (a list filters what the
   * caller may see; a plan for a new id needs the create permission). `none`: not at all.
   */
  check: 'migration' | 'handler' | 'none';
  /** What the label adds in parentheses, e.g. `on the archived migration`. */
  note?: string;
}

/** A success answer of an operation. @public */
export type ResponseSpec =
  | { kind: 'json'; schema: ResponseSchemaName; description: string }
  | { kind: 'empty'; description: string }
  | {
      kind: 'file';
      description: string;
      /** Content types the file may have; text types are documented as strings. */
      contentTypes: readonly string[];
    };

/** A JSON request body: its component name in the document and the schema it is parsed with. @public */
export interface BodySpec {
  /** Name of the body's schema in the OpenAPI document. */
  component: string;
  schema: z.ZodType;
  /** One sentence for the document. */
  description: string;
  /** Cross-field rules the schema's JSON form can't say (its `superRefine`s). */
  rules?: readonly string[];
  /** The migration id comes from the path: optional in the body, and must equal the path's. */
  idFromPath?: boolean;
}

/** A path parameter: the schema the router parses it with. @public */
export interface PathParamSpec {
  /** Name of the parameter in the document's `components.parameters`. */
  component: string;
  schema: z.ZodType<string>;
  description: string;
}

const uuid = (what: string) => z.string().uuid(`must be ${what}`);

/** The schema of a dataset name in a path. @public */
export const datasetNameSchema = z
  .string()
  .min(1)
  .max(127)
  .regex(/^[A-Za-z0-9_][A-Za-z0-9_.-]*$/, 'must be a dataset name');

/**
 * Every path parameter of the API, by its name in path templates (`:snapshotId`). A refusal
 * names it: `Invalid path: snapshotId: must be a snapshot id`.
 * @public
 */
export const PATH_PARAMS = {
  id: {
    component: 'MigrationId',
    schema: migrationIdSchema,
    description: 'Migration id',
  },
  phaseId: {
    component: 'PhaseId',
    schema: timelineIdSchema,
    description: 'Phase id',
  },
  subTaskId: {
    component: 'SubTaskId',
    schema: timelineIdSchema,
    description: 'Sub-task id',
  },
  milestoneId: {
    component: 'MilestoneId',
    schema: timelineIdSchema,
    description: 'Milestone id',
  },
  itemId: {
    component: 'ChecklistItemId',
    schema: timelineIdSchema,
    description: 'Checklist item id',
  },
  approvalId: {
    component: 'ApprovalId',
    schema: uuid('an approval id'),
    description: 'Approval id',
  },
  alertId: {
    component: 'AlertId',
    schema: uuid('an alert id'),
    description: 'Alert id',
  },
  reportId: {
    component: 'ReportId',
    schema: uuid('a report id'),
    description: 'Delivered report id',
  },
  scheduleId: {
    component: 'ReportScheduleId',
    schema: uuid('a report schedule id'),
    description: 'Report schedule id',
  },
  snapshotId: {
    component: 'SnapshotId',
    schema: uuid('a snapshot id'),
    description: 'Snapshot id',
  },
  rollbackId: {
    component: 'RollbackId',
    schema: uuid('a rollback id'),
    description: 'Rollback id',
  },
  dataset: {
    component: 'DatasetName',
    schema: datasetNameSchema,
    description: 'Dataset name',
  },
  windowId: {
    component: 'FreezeWindowId',
    schema: uuid('a freeze window id'),
    description: 'Freeze window id',
  },
  snapshotScheduleId: {
    component: 'SnapshotScheduleId',
    schema: uuid('a snapshot schedule id'),
    description: 'Snapshot schedule id',
  },
  reconciliationScheduleId: {
    component: 'ReconciliationScheduleId',
    schema: uuid('a reconciliation schedule id'),
    description: 'Reconciliation schedule id',
  },
  runId: {
    component: 'ReconciliationRunId',
    schema: uuid('a reconciliation run id'),
    description: 'Reconciliation run id',
  },
} satisfies Record<string, PathParamSpec>;

/** A path parameter's name. @public */
export type PathParamName = keyof typeof PATH_PARAMS;

/** One operation of the API. @public */
export interface OperationSpec {
  /** The OpenAPI operationId; the key of the handler in the router. */
  id: string;
  method: HttpMethod;
  /** Express path template, relative to /api/cutover: `/migrations/:id/snapshots/:snapshotId`. */
  path: string;
  /** The path parameters, in path order (from `PATH_PARAMS`). */
  params: readonly PathParamName[];
  /**
   * The audit action of a mutating operation (`snapshot.create`): its success is recorded under
   * it by the service, a refusal by the router.
   */
  audit?: string;
  /** Group in the document. */
  tag: string;
  summary: string;
  description?: string;
  permission: OperationPermission;
  /** The query, a strict zod object: one query parameter per key. */
  query?: z.ZodType;
  body?: BodySpec;
  /** Success answers by status. */
  responses: Readonly<Record<number, ResponseSpec>>;
  /** Which body limit applies. */
  bodyLimit: BodyLimitKind;
  /** When a conflicting state is refused with 409: what it is. */
  conflict?: string;
  /** The operation names no existing migration (it lists them, or creates one): no 404 for one. */
  noMigration?: boolean;
  /** The operation never answers 403 (it leaves out what the caller may not see). */
  noForbidden?: boolean;
}

/** What an operation is declared with; `params` and `bodyLimit` are derived when left out. @public */
export type OperationInput = Omit<OperationSpec, 'params' | 'bodyLimit'> & {
  bodyLimit?: BodyLimitKind;
};

/** The path parameters of a path template, in order. @public */
export function pathParamNames(path: string): PathParamName[] {
  return [...path.matchAll(/:([A-Za-z]+)/g)].map(m => {
    if (!(m[1] in PATH_PARAMS)) {
      throw new Error(
        `No schema for the path parameter :${m[1]} of ${path} (add it to PATH_PARAMS)`,
      );
    }
    return m[1] as PathParamName;
  });
}

/** Declares an operation: its path parameters from the path, the body limit by method. @public */
export function defineOperation<const O extends OperationInput>(
  input: O,
): O & Pick<OperationSpec, 'params' | 'bodyLimit'> {
  return {
    ...input,
    params: pathParamNames(input.path),
    bodyLimit:
      input.bodyLimit ?? (input.method === 'patch' ? 'patch' : 'other'),
  };
}

/** The permission of an operation as the document and the README show it. @public */
export function permissionLabel(permission: OperationPermission): string {
  if (permission.anyOf.length === 0) return 'none';
  const names = permission.anyOf.map(p => p.name).join(' or ');
  return permission.note ? `${names} (${permission.note})` : names;
}

/** The JSON answer of an operation. @public */
export const jsonResponse = (
  schema: ResponseSchemaName,
  description: string,
): ResponseSpec => ({ kind: 'json', schema, description });

/** An answer without a body (204). @public */
export const emptyResponse = (description: string): ResponseSpec => ({
  kind: 'empty',
  description,
});
