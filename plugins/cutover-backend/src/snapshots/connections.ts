import { Config } from '@backstage/config';
import { InputError } from '@backstage/errors';
import { createHash } from 'node:crypto';
import knexFactory, { Knex } from 'knex';
import { duration } from '../service/settings';
import { registerSqliteFunctions } from '../sql/sqliteFunctions';

/** Knex clients the snapshot and reconciliation code can work with. */
export type CutoverClient = 'pg' | 'better-sqlite3';

const SUPPORTED_CLIENTS: readonly string[] = ['pg', 'better-sqlite3'];

/** Name of the SQLite function hashing one row: `cutover_row_hash(col1, col2, ...)`. */
export const SQLITE_ROW_HASH = 'cutover_row_hash';
/** Name of the SQLite aggregate checksumming rows: `cutover_checksum(col1, col2, ...)`. */
export const SQLITE_CHECKSUM = 'cutover_checksum';
/** Tag of the SQLite checksum format, the first part of the checksum string. */
export const SQLITE_CHECKSUM_TAG = 'sqlite-md5x64-v1';

export type { SqliteFunctionHost } from '../sql/sqliteFunctions';

/**
 * Encodes one SQLite value with its storage class, so that NULL, '' and 0, the integer 1 and the
 * real 1.0, and a text and a blob with the same bytes all encode differently. Text and blobs are
 * length-prefixed, so no value can be confused with a separator.
 */
function encodeSqliteValue(value: unknown): string {
  if (value === null || value === undefined) return 'N;';
  if (typeof value === 'bigint') return `I${value.toString()};`;
  if (typeof value === 'number') {
    return `R${Object.is(value, -0) ? '-0' : String(value)};`;
  }
  if (typeof value === 'string') return `T${value.length}:${value};`;
  if (value instanceof Uint8Array) {
    return `B${value.length}:${Buffer.from(value).toString('hex')};`;
  }
  // better-sqlite3 passes only the types above; anything else is a programming error.
  throw new TypeError(`Unexpected SQLite value of type ${typeof value}`);
}

/** 64-bit signed hash of one row (md5 of the encoded values, first 8 bytes). */
function sqliteRowHash(values: unknown[]): bigint {
  const md5 = createHash('md5');
  for (const value of values) md5.update(encodeSqliteValue(value));
  return md5.digest().readBigInt64BE(0);
}

/**
 * Registers the SQL functions the snapshot provider needs on one better-sqlite3 connection;
 * idempotent. Used by the pool's `afterCreate` of connections built from config, and again on every
 * connection the provider acquires, so Knex instances built elsewhere (tests) work the same.
 *
 * - `cutover_row_hash(...)`: deterministic 64-bit hash of the given values, as a decimal string.
 * - `cutover_checksum(...)`: order-independent aggregate, `sqlite-md5x64-v1:<count>:<sum of row
 *   hashes>`, summed in BigInt so it never overflows.
 */
export function prepareSqliteConnection(connection: unknown): void {
  registerSqliteFunctions(connection, 'snapshot', db => {
    db.function(
      SQLITE_ROW_HASH,
      { deterministic: true, varargs: true, safeIntegers: true },
      (...values: unknown[]) => sqliteRowHash(values).toString(),
    );
    db.aggregate(SQLITE_CHECKSUM, {
      start: () => ({ count: 0n, sum: 0n }),
      step: (total, ...values) => {
        const t = total as { count: bigint; sum: bigint };
        t.count += 1n;
        t.sum += sqliteRowHash(values);
        return t;
      },
      result: total => {
        const t = total as { count: bigint; sum: bigint };
        return `${SQLITE_CHECKSUM_TAG}:${t.count}:${t.sum}`;
      },
      deterministic: true,
      varargs: true,
      safeIntegers: true,
  });
  });
}

/** The client of a Knex instance, as named in config. */
function clientOf(knex: Knex): string {
  const driver = (knex.client as { driverName?: string }).driverName;
  if (driver) return driver;
  const configured = knex.client.config?.client;
  return typeof configured === 'string' ? configured : 'unknown';
}

/** Settings of one configured connection. */
export interface ConnectionSettings {
  client: string;
  /** Holds credentials: never log it, never put it in an error. */
  connection: string | Record<string, unknown>;
  /** Longest a statement may run before the database cancels it. Default 30 minutes. */
  statementTimeoutMs?: number;
  /** Longest a statement waits for a lock (SQLite: for the database's lock). Default 15 seconds. */
  lockTimeoutMs?: number;
}

/** Statement timeout of connections that don't set one. */
export const DEFAULT_STATEMENT_TIMEOUT_MS = 30 * 60_000;
/** Lock timeout of connections that don't set one. */
export const DEFAULT_LOCK_TIMEOUT_MS = 15_000;

/**
 * Databases the snapshot providers and reconcilers reach, by name, from
 * `cutover.connections.<name>` = `{ client: 'pg' | 'better-sqlite3', connection }`.
 *
 * Knex instances are created on first use and cached. Connection settings hold credentials, so they
 * never appear in logs or errors: errors name the connection and its client only.
 */
export class CutoverConnections {
  static fromConfig(config: Config): CutoverConnections {
    const settings = new Map<string, ConnectionSettings>();
    const section = config.getOptionalConfig('cutover.connections');
    for (const name of section?.keys() ?? []) {
      const entry = section!.getConfig(name);
      // An entry without a client only declares who may use a connection a module serves.
      if (!entry.has('client')) continue;
      const connection = entry.get('connection');
      if (
        typeof connection !== 'string' &&
        (typeof connection !== 'object' ||
          connection === null ||
          Array.isArray(connection))
      ) {
        throw new InputError(
          `cutover.connections.${name}.connection must be a string or an object`,
        );
      }
      settings.set(name, {
        client: entry.getString('client'),
        connection: connection as string | Record<string, unknown>,
        statementTimeoutMs: duration(
          entry,
          'statementTimeout',
          DEFAULT_STATEMENT_TIMEOUT_MS,
        ),
        lockTimeoutMs: duration(entry, 'lockTimeout', DEFAULT_LOCK_TIMEOUT_MS),
      });
    }
    return new CutoverConnections(new Map(), settings);
  }

  readonly #instances: Map<string, Knex>;
  readonly #injected: Set<string>;
  readonly #settings: Map<string, ConnectionSettings>;

  /**
   * @param instances - ready Knex instances by connection name (tests); they stay owned by the
   *   caller, so {@link CutoverConnections.destroy} leaves them open.
   */
  constructor(
    instances: Record<string, Knex> | Map<string, Knex> = {},
    settings: Map<string, ConnectionSettings> = new Map(),
  ) {
    this.#instances = new Map(
      instances instanceof Map ? instances : Object.entries(instances),
    );
    this.#injected = new Set(this.#instances.keys());
    this.#settings = settings;
  }

  /** Whether a connection of that name is configured (whatever its client). */
  has(name: string): boolean {
    return this.#instances.has(name) || this.#settings.has(name);
  }

  /** The Knex client of a connection, e.g. `pg`; throws `InputError` if it is not configured. */
  client(name: string): string {
    const instance = this.#instances.get(name);
    if (instance) return clientOf(instance);
    const settings = this.#settings.get(name);
    if (!settings) throw this.#unknown(name);
    return settings.client;
  }

  /** Whether the connection exists and uses a client this package supports. */
  isSupported(name: string): boolean {
    return this.has(name) && SUPPORTED_CLIENTS.includes(this.client(name));
  }

  /**
   * The Knex instance of a connection, created on first use. Throws `InputError` if the connection
   * is not configured or its client is not supported.
   */
  get(name: string): Knex {
    const existing = this.#instances.get(name);
    if (existing) {
      const client = clientOf(existing);
      if (!SUPPORTED_CLIENTS.includes(client))
        throw this.#unsupported(name, client);
      return existing;
    }
    const settings = this.#settings.get(name);
    if (!settings) throw this.#unknown(name);
    if (!SUPPORTED_CLIENTS.includes(settings.client)) {
      throw this.#unsupported(name, settings.client);
    }
    const knex =
      settings.client === 'pg'
        ? this.#createPg(settings)
        : this.#createSqlite(settings);
    this.#instances.set(name, knex);
    return knex;
  }

  /** Closes the connections this object created (not the ones passed to its constructor). */
  async destroy(): Promise<void> {
    const created = [...this.#instances.entries()].filter(
      ([name]) => !this.#injected.has(name),
    );
    for (const [name] of created) this.#instances.delete(name);
    await Promise.all(created.map(([, knex]) => knex.destroy()));
  }

  #createPg(settings: ConnectionSettings): Knex {
    // Every session the plugin opens on a migration's database is bounded: no statement runs, and
    // no lock is waited for, longer than configured (transactions may tighten them locally).
    const statement = Math.round(
      settings.statementTimeoutMs ?? DEFAULT_STATEMENT_TIMEOUT_MS,
    );
    const lock = Math.round(settings.lockTimeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS);
    return knexFactory({
      client: 'pg',
      connection: settings.connection as Knex.StaticConnectionConfig,
      pool: {
        afterCreate: (
          conn: {
            query: (sql: string, cb: (err: Error | null) => void) => void;
          },
          done: (err: Error | null, conn: unknown) => void,
        ) => {
          conn.query(
            `SET statement_timeout = ${statement}; SET lock_timeout = ${lock}`,
            err => done(err, conn),
          );
        },
      },
    });
  }

  #createSqlite(settings: ConnectionSettings): Knex {
    const connection =
      typeof settings.connection === 'string'
        ? { filename: settings.connection }
        : settings.connection;
    return knexFactory({
      client: 'better-sqlite3',
      connection: connection as Knex.StaticConnectionConfig,
      useNullAsDefault: true,
      pool: {
        afterCreate: (
          conn: unknown,
          done: (err: Error | null, conn: unknown) => void,
        ) => {
          try {
            prepareSqliteConnection(conn);
            // SQLite has no statement timeout; waiting for the database's lock is bounded.
            (conn as { pragma(sql: string): unknown }).pragma(
              `busy_timeout = ${Math.round(
                settings.lockTimeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS,
              )}`,
            );
            done(null, conn);
          } catch (e) {
            done(e as Error, conn);
          }
        },
      },
    });
  }

  #unknown(name: string) {
    return new InputError(
      `Connection '${name}' is not configured under cutover.connections`,
    );
  }

  #unsupported(name: string, client: string) {
    return new InputError(
      `Connection '${name}' uses client '${client}', which is not supported (use ${SUPPORTED_CLIENTS.join(
        ' or ',
      )})`,
    );
  }
}
