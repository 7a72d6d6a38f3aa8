import { Config } from '@backstage/config';
import { NotAllowedError } from '@backstage/errors';
import type { ParsedMigrationPlan } from '@switchyard/plugin-cutover-common';
import path from 'node:path';
import type { TableClaim } from '../database/GovernanceStore';

/** What `cutover.connections.<name>` declares about who may use a connection, and how. */
export interface ConnectionDeclaration {
  name: string;
  /** Knex client, when the connection is served by the built-in provider and reconciler. */
  client?: string;
  /** Entity refs (lower case) whose migrations may name the connection; none: no migration may. */
  owners: string[];
  /** Table patterns (`schema.table`, `*` and `?`); undefined: every table (unless `schemas`). */
  tables?: string[];
  /** Schema patterns; a table is allowed when it matches `tables` or its schema matches these. */
  schemas?: string[];
  /** A source that is only ever read: no snapshot, restore or destination may use it. */
  readOnly: boolean;
}

/**
 * A table name as claims and patterns compare it: lower case (SQLite's names are case-insensitive,
 * and a plan must not reach PostgreSQL's `orders` as `Orders`), without the default schema
 * (`public`, `main`), so `public.orders` and `orders` are one table.
 */
export function canonicalTableName(table: string): string {
  return table.toLowerCase().replace(/^(public|main)\./, '');
}

function globToRegExp(pattern: string): RegExp {
  const body = pattern
    .toLowerCase()
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '[^]*')
    .replace(/\?/g, '.');
  return new RegExp(`^${body}$`);
}

/**
 * The connections plans may name, from config: who owns each, which tables and schemas it
 * exposes, and whether it may be written. Refuses, when built, a connection that is the portal's
 * own database: Switchyard copies, overwrites and reads whole tables, and must never do so to
 * Backstage's state.
 */
export class ConnectionRules {
  static fromConfig(root: Config): ConnectionRules {
    const section = root.getOptionalConfig('cutover.connections');
    const declarations = new Map<string, ConnectionDeclaration>();
    const portal = portalDatabase(root);
    for (const name of section?.keys() ?? []) {
      const c = section!.getConfig(name);
      const declaration: ConnectionDeclaration = {
        name,
        client: c.getOptionalString('client'),
        owners: (c.getOptionalStringArray('owners') ?? []).map(o =>
          o.toLocaleLowerCase('en-US'),
        ),
        tables: c.getOptionalStringArray('tables'),
        schemas: c.getOptionalStringArray('schemas'),
        readOnly: c.getOptionalBoolean('readOnly') ?? false,
      };
      const connection = c.getOptional('connection');
      if (
        declaration.client &&
        connection !== undefined &&
        isSameDatabase(declaration.client, connection, portal)
      ) {
        throw new Error(
          `cutover.connections.${name} is the portal's own database (the one under backend.database); Switchyard refuses to act on it. Point it at the migration's databases instead`,
        );
      }
      declarations.set(name, declaration);
    }
    return new ConnectionRules(declarations);
  }

  constructor(
    private readonly declarations: Map<string, ConnectionDeclaration>,
  ) {}

  declaration(name: string): ConnectionDeclaration | undefined {
    return this.declarations.get(name);
  }

  /** Names of the declared connections `owner` may use. */
  usableBy(owner: string): string[] {
    const o = owner.toLocaleLowerCase('en-US');
    return [...this.declarations.values()]
      .filter(d => d.owners.includes(o))
      .map(d => d.name);
  }

  /**
   * Checks that the plan's owner may name every connection and table of the plan. Throws
   * NotAllowedError (403) naming each connection, table or schema it may not use.
   */
  checkPlan(
    plan: Pick<
      ParsedMigrationPlan,
      'owner' | 'source' | 'destination' | 'datasets'
    >,
  ): void {
    const problems: string[] = [];
    const owner = plan.owner.toLocaleLowerCase('en-US');
    for (const side of ['source', 'destination'] as const) {
      const name = plan[side]?.connection;
      if (!name) continue;
      const d = this.declarations.get(name);
      if (!d) {
        problems.push(
          `${side}.connection "${name}" is not declared under cutover.connections`,
        );
        continue;
      }
      if (!d.owners.includes(owner)) {
        problems.push(
          `${side}.connection "${name}" may not be used by ${
            plan.owner
          } (its owners: ${d.owners.join(', ') || 'none declared'})`,
        );
        continue;
      }
      if (side === 'destination' && d.readOnly) {
        problems.push(
          `destination.connection "${name}" is read-only: it can only be a source`,
        );
      }
      for (const dataset of plan.datasets) {
        const table =
          side === 'source'
            ? dataset.sourceTable ?? dataset.table
            : dataset.destinationTable ?? dataset.table;
        if (table && !this.allowsTable(d, table)) {
          problems.push(
            `datasets.${
              dataset.name
            }: table "${table}" is outside what connection "${name}" exposes (${describePatterns(
              d,
            )})`,
          );
        }
      }
    }
    if (problems.length) {
      throw new NotAllowedError(
        `The plan names what its owner may not use: ${problems.join('; ')}`,
      );
    }
  }

  /** Whether a connection exposes a table. */
  allowsTable(d: ConnectionDeclaration, table: string): boolean {
    if (!d.tables && !d.schemas) return true;
    const canonical = canonicalTableName(table);
    const qualified = canonical.includes('.')
      ? canonical
      : `${defaultSchema(d)}.${canonical}`;
    const schema = qualified.slice(0, qualified.indexOf('.'));
    const candidates = [canonical, qualified];
    if (
      (d.tables ?? []).some(p =>
        candidates.some(
          c =>
            globToRegExp(canonicalTableName(p)).test(c) ||
            globToRegExp(p).test(c),
        ),
      )
    ) {
      return true;
    }
    return (d.schemas ?? []).some(p => globToRegExp(p).test(schema));
  }

  /** Throws NotAllowedError unless snapshots and restores may write through the connection. */
  assertWritable(name: string, what: string): void {
    const d = this.declarations.get(name);
    if (!d)
      throw new NotAllowedError(
        `${what}: connection "${name}" is not declared under cutover.connections`,
      );
    if (d.readOnly)
      throw new NotAllowedError(`${what}: connection "${name}" is read-only`);
  }

  /** The tables of a plan's connections, as claims (one migration per table). */
  claimsOf(
    plan: Pick<ParsedMigrationPlan, 'source' | 'destination' | 'datasets'>,
  ): TableClaim[] {
    const claims: TableClaim[] = [];
    const source = plan.source?.connection;
    const destination = plan.destination?.connection;
    for (const d of plan.datasets) {
      const sourceTable = d.sourceTable ?? d.table;
      const destinationTable = d.destinationTable ?? d.table;
      if (source && sourceTable)
        claims.push({
          connection: source,
          table: canonicalTableName(sourceTable),
          side: 'source',
        });
      if (destination && destinationTable) {
        claims.push({
          connection: destination,
          table: canonicalTableName(destinationTable),
          side: 'destination',
        });
      }
    }
    return claims;
  }
}

function defaultSchema(d: ConnectionDeclaration) {
  return d.client === 'better-sqlite3' || d.client === 'sqlite3'
    ? 'main'
    : 'public';
}

function describePatterns(d: ConnectionDeclaration) {
  return [
    d.tables?.length ? `tables ${d.tables.join(', ')}` : null,
    d.schemas?.length ? `schemas ${d.schemas.join(', ')}` : null,
  ]
    .filter(Boolean)
    .join('; ');
}

/** Where the portal keeps its own state, from `backend.database`. */
interface PortalDatabase {
  client: string;
  host?: string;
  port?: number;
  database?: string;
  prefix: string;
  /** SQLite: a file, or a directory of per-plugin files. */
  filename?: string;
  directory?: string;
}

function portalDatabase(root: Config): PortalDatabase | undefined {
  const db = root.getOptionalConfig('backend.database');
  if (!db) return undefined;
  const client = db.getOptionalString('client');
  if (!client) return undefined;
  const prefix = db.getOptionalString('prefix') ?? 'backstage_plugin_';
  const connection = db.getOptional('connection');
  if (client === 'pg') {
    const pg = pgAddress(connection);
    return { client, prefix, ...pg };
  }
  if (client === 'better-sqlite3' || client === 'sqlite3') {
    if (typeof connection === 'string')
      return { client, prefix, filename: connection };
    const c = (connection ?? {}) as { filename?: string; directory?: string };
    return { client, prefix, filename: c.filename, directory: c.directory };
  }
  return { client, prefix };
}

function pgAddress(connection: unknown): {
  host?: string;
  port?: number;
  database?: string;
} {
  if (typeof connection === 'string') return fromUrl(connection);
  if (connection && typeof connection === 'object') {
    const c = connection as {
      host?: string;
      port?: number | string;
      database?: string;
      connectionString?: string;
    };
    if (c.connectionString)
      return {
        ...fromUrl(c.connectionString),
        ...definedOnly({ host: c.host, database: c.database }),
      };
    return {
      host: c.host,
      port: c.port === undefined ? undefined : Number(c.port),
      database: c.database,
    };
  }
  return {};
}

function fromUrl(url: string): {
  host?: string;
  port?: number;
  database?: string;
} {
  try {
    const u = new URL(url);
    return {
      host: u.hostname || undefined,
      port: u.port ? Number(u.port) : undefined,
      database: u.pathname.replace(/^\//, '') || undefined,
    };
  } catch {
    return {};
  }
}

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(
    Object.entries(o).filter(([, v]) => v !== undefined),
  ) as Partial<T>;
}

const LOCAL = new Set(['localhost', '127.0.0.1', '::1', '[::1]', '']);
function sameHost(a?: string, b?: string) {
  const x = (a ?? 'localhost').toLowerCase();
  const y = (b ?? 'localhost').toLowerCase();
  return x === y || (LOCAL.has(x) && LOCAL.has(y));
}

/** Whether a configured connection points at the portal's own database. */
function isSameDatabase(
  client: string,
  connection: unknown,
  portal: PortalDatabase | undefined,
): boolean {
  if (!portal) return false;
  if (client === 'pg' && portal.client === 'pg') {
    const c = pgAddress(connection);
    if (
      !sameHost(c.host, portal.host) ||
      (c.port ?? 5432) !== (portal.port ?? 5432)
    )
      return false;
    const name = c.database ?? 'postgres';
    // The portal's own database, or one of the per-plugin databases Backstage creates beside it.
    return (
      name === (portal.database ?? 'postgres') || name.startsWith(portal.prefix)
    );
  }
  if (
    (client === 'better-sqlite3' || client === 'sqlite3') &&
    portal.client === client
  ) {
    const file =
      typeof connection === 'string'
        ? connection
        : (connection as { filename?: string } | null)?.filename;
    if (!file || file === ':memory:') return false;
    const resolved = path.resolve(file);
    if (
      portal.filename &&
      portal.filename !== ':memory:' &&
      path.resolve(portal.filename) === resolved
    )
      return true;
    if (portal.directory)
      return path.dirname(resolved) === path.resolve(portal.directory);
  }
  return false;
}
