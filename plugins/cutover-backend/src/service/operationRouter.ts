import { InputError } from '@backstage/errors';
import {
  CUTOVER_OPERATIONS,
  CutoverOperation,
  CutoverOperationId,
  Migration,
  PATH_PARAMS,
  PathParamName,
} from '@switchyard/plugin-cutover-common';
import express, { Request, Response } from 'express';
import { z } from 'zod';
import { Caller, CutoverAccess } from './access';
import { MigrationService } from './MigrationService';
import { parse, pathParam } from './validation';

/*
 * Binds the operation catalogue of -common to express: one handler per operation id, each called
 * with the request already checked as its catalogue entry says (permission, path parameters,
 * query, body, in that order), and its answer checked against the statuses the entry documents.
 */

/** What a handler answers: a status of its catalogue entry and a JSON body (none for 204). */
export type Reply = { status: number; body?: unknown };

/** A handler that wrote the answer itself (a file download). */
export const WRITTEN = Symbol('written');

/** The request of one operation, parsed lazily in the catalogue's schemas (memoized). */
export interface OperationContext {
  readonly operation: CutoverOperation;
  readonly req: Request;
  readonly res: Response;
  /** The authenticated caller (401 without credentials). */
  caller(): Promise<Caller>;
  /** The migration id of the path (400 when malformed). */
  migrationId(): string;
  /**
   * The migration of the path without its datasets (404 when unknown). For operations checked on
   * the migration, the caller is allowed on it.
   */
  migration(): Promise<Migration>;
  /** A path parameter, parsed with its schema in `PATH_PARAMS`. */
  param(name: PathParamName): string;
  /** The query, parsed with the catalogue's schema (which the handler names, for its type). */
  query<S extends z.ZodType>(schema: S): z.output<S>;
  /** The body, parsed with the catalogue's schema (which the handler names, for its type). */
  body<S extends z.ZodType>(schema: S): z.output<S>;
}

/** The handler of an operation. */
export type OperationHandler = (
  ctx: OperationContext,
) => Promise<Reply | typeof WRITTEN>;

/** A handler for every operation of the catalogue (the compiler checks none is missing). */
export type OperationHandlers = Record<CutoverOperationId, OperationHandler>;

interface Deps {
  access: CutoverAccess;
  migrations: MigrationService;
}

function context(
  operation: CutoverOperation,
  req: Request,
  res: Response,
  { access, migrations }: Deps,
): OperationContext {
  const memo = new Map<string, unknown>();
  const once = <T>(key: string, make: () => T): T => {
    if (!memo.has(key)) memo.set(key, make());
    return memo.get(key) as T;
  };
  const sameSchema = (what: 'query' | 'body', schema: z.ZodType) => {
    const declared =
      what === 'query' ? operation.query : operation.body?.schema;
    if (schema !== declared) {
      throw new Error(
        `${operation.id} reads its ${what} with a schema its catalogue entry does not name`,
      );
    }
  };
  const ctx: OperationContext = {
    operation,
    req,
    res,
    caller: () => once('caller', () => access.caller(req)),
    migrationId: () =>
      once('param:id', () => pathParam(req, 'id', PATH_PARAMS.id.schema)),
    migration: () =>
      once('migration', () => migrations.getHeader(ctx.migrationId())),
    param: name =>
      once(`param:${name}`, () =>
        pathParam(req, name, PATH_PARAMS[name].schema),
      ),
    query: schema => {
      sameSchema('query', schema);
      return once('query', () => parse(schema, req.query, 'query'));
    },
    body: schema => {
      sameSchema('body', schema);
      return once('body', () => parse(schema, req.body, 'request'));
    },
  };
  return ctx;
}

/**
 * Registers every operation of the catalogue on `router` with its handler. Operations checked on
 * the migration of their path get, before the handler runs: the caller (401), the migration (400
 * for a malformed id, 404 for an unknown one), one of the permissions on it (403), the other path
 * parameters, the query and the body (400 naming the field). Other operations check in their
 * handler, in the order their entry's note explains.
 */
export function bindOperations(
  router: express.Router,
  handlers: OperationHandlers,
  deps: Deps,
) {
  for (const operation of Object.values(
    CUTOVER_OPERATIONS,
  ) as CutoverOperation[]) {
    const handler = handlers[operation.id];
    router[operation.method](operation.path, async (req, res) => {
      const ctx = context(operation, req, res, deps);
      if (operation.permission.check === 'migration') {
        const caller = await ctx.caller();
        const migration = await ctx.migration();
        await deps.access.authorizeAny(
          caller,
          [...operation.permission.anyOf],
          migration,
        );
        for (const name of operation.params) ctx.param(name);
        if (operation.query) ctx.query(operation.query);
        if (operation.body) ctx.body(operation.body.schema);
      }
      const reply = await handler(ctx);
      if (reply === WRITTEN) return;
      if (!(reply.status in operation.responses)) {
        throw new Error(
          `${operation.id} answered ${reply.status}, which its catalogue entry does not document`,
        );
      }
      if (reply.body === undefined) res.status(reply.status).end();
      else res.status(reply.status).json(reply.body);
    });
  }
}

const MATCHERS = (Object.values(CUTOVER_OPERATIONS) as CutoverOperation[]).map(
  operation => ({
    operation,
    pattern: new RegExp(
      `^${operation.path
        .replace(/\./g, '\\.')
        .replace(/:[A-Za-z]+/g, '[^/]+')}/?$`,
    ),
  }),
);

/** The operation a request goes to, if any (a literal segment wins over a parameter). */
export function operationOf(
  req: Pick<Request, 'method' | 'path'>,
): CutoverOperation | undefined {
  const method = req.method.toLowerCase();
  return MATCHERS.filter(
    m => m.operation.method === method && m.pattern.test(req.path),
  ).sort((a, b) => a.operation.params.length - b.operation.params.length)[0]
    ?.operation;
}

/** Refuses a body id that differs from the path's (plans applied to a path). */
export function bodyIdMatchesPath(body: unknown, id: string) {
  const value =
    body && typeof body === 'object'
      ? (body as { id?: unknown }).id
      : undefined;
  if (value !== undefined && value !== id) {
    throw new InputError(
      `Invalid request: id: "${value}" does not match the path's "${id}"`,
    );
  }
}
