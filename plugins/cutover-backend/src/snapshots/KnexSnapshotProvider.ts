/**
 * The built-in snapshot provider: copies of datasets kept as tables inside the destination
 * database itself, on PostgreSQL or SQLite.
 *
 * Why copies in the same database
 * -------------------------------
 * A restore is then a few set-based statements inside ONE transaction on the same server: it is
 * atomic (any failure, including a failed verification, rolls everything back and leaves the live
 * table exactly as it was), no row ever leaves the database, and nothing is serialised, sent over
 * the network or parsed again, which makes it the fastest option as well. The cost is disk space in
 * the destination database; `delete` drops the copy.
 *
 * Storage
 * -------
 * One table per dataset per snapshot, `cutover_snap_<up to 12 characters of the snapshot id>_<20
 * hex characters of sha256(snapshot id, dataset, table)>` (at most 46 characters), in the schema of
 * the live table on PostgreSQL. The copy has the live table's columns (generated columns excepted:
 * the database computes them again), in the same order, with no constraints or indexes (on SQLite
 * the first restore adds an index on the key columns, dropped with the copy). `location` is
 * `<schema>.<name>` on PostgreSQL and `<name>` on SQLite; restore
 * only accepts a location whose name is the one derived from its snapshot id, dataset and table,
 * so a snapshot can never be restored into another table.
 *
 * Identifiers
 * -----------
 * Table and key column names come from plans: they must be plain identifiers
 * (`[A-Za-z_][A-Za-z0-9_]*`, at most 63 characters, `schema.table` on PostgreSQL). Every identifier
 * reaches SQL through knex `??` bindings, which quote it; SQL text is never built from names.
 * Column and schema names read from the catalog are accepted unless they contain characters knex
 * cannot quote faithfully (`.`, `?`, quotes, ` as `).
 *
 * Checksum
 * --------
 * Order-independent: `<tag>:<row count>:<sum of a 64-bit hash of every row>`, the sum taken without
 * overflow (PostgreSQL numeric, JavaScript BigInt), over the live table's columns in ordinal order.
 * Equal rows give equal checksums whatever their physical order; any changed value changes the
 * row's hash and so the sum (but for a 2^-64 chance).
 * - PostgreSQL (`pg-hte64-v1`): `hashtextextended(ROW(col, ...)::text, 0)`. The row's text form
 *   quotes values that need it and writes NULL as nothing and '' as `""`, so NULL, '' and 0 differ.
 *   Text output of dates, times, intervals, floats, bytea and money depends on session settings:
 *   they are pinned (transaction-local `set_config`) for every checksum and put back afterwards.
 *   `hashtextextended` is PostgreSQL's built-in 64-bit hash of text, the one hash partitioning
 *   relies on (so PostgreSQL keeps its results stable); on a 1M-row table it is about 2.5 times
 *   faster than `md5()`, whose per-call OpenSSL set-up dominates the scan. Should it ever change
 *   between a snapshot and its restore (a major upgrade in between), the restore's verification
 *   fails and the restore is refused: safe, not silent.
 * - SQLite (`sqlite-md5x64-v1`): the aggregate `cutover_checksum(...)` registered on the
 *   connection (see `prepareSqliteConnection`), hashing each row's values with their storage class
 *   (NULL, integer, real, text, blob) so NULL, '', 0, 1 and 1.0 all differ.
 *
 * Size: PostgreSQL `pg_total_relation_size` (for the live table, summed over its partitions).
 * SQLite: the pages of the table and its indexes from the `dbstat` virtual table when the SQLite
 * build has it (better-sqlite3's does); otherwise an estimate, the sum of `length()` of all values.
 *
 * Create
 * ------
 * PostgreSQL: one REPEATABLE READ transaction, so the copy is one consistent state of the table
 * while writers go on. Its first statement locks the live table in ACCESS SHARE mode, before the
 * transaction's snapshot is taken, so a concurrent TRUNCATE (not MVCC-safe) or DROP/ALTER waits
 * instead of making the table look empty or changed. Then `CREATE TABLE copy AS SELECT cols FROM
 * live` (bulk-inserted, no index maintenance; the copy is an ordinary logged table, so it survives
 * a crash), then one checksum pass over the copy. SQLite: the same in one transaction. The
 * checksum is computed once, over the copy that restore will read.
 *
 * Restore
 * -------
 * One transaction. On PostgreSQL (READ COMMITTED) its first statement locks the live table in
 * EXCLUSIVE mode (readers go on and see the old rows until commit; writers wait until the restore
 * commits or rolls back), so every later statement sees the table's final state; on SQLite the
 * transaction holds the database's write lock from its first write. Then, inside a savepoint, only
 * the differences are applied:
 * - PostgreSQL (plain tables): one full join of live and copy on the key columns classifies rows
 *   into a temporary table of row addresses (ctid): in live only, in the copy only, or in both with
 *   a different binary image (`*<>`, which also sees 1.0 vs 1.00 or -0 vs 0). Then DELETE the
 *   first, UPDATE the second in place, INSERT the third, each by ctid (TID scans). The join runs
 *   with a transaction-local `work_mem` of 128MB (option `restoreWorkMem`) so that it stays in
 *   memory for a few million rows. Partitioned tables (whose ctids are per partition) go straight
 *   to the full replace below.
 * - SQLite (tables with key columns): DELETE rows whose key is not in the copy, UPDATE ... FROM
 *   rows whose row hash differs, INSERT the copy's rows whose key is not in live.
 * Changed rows are UPDATEd, not deleted and inserted again, so rows of other tables referencing
 * them are untouched; rows that did not exist in the snapshot are deleted, with the foreign keys'
 * own ON DELETE actions (a NO ACTION/RESTRICT reference makes the restore fail and roll back).
 * Then the live table's count and checksum are computed again, in the same transaction, and must
 * equal the snapshot's figures. If they do not (keys not unique, a unique constraint swapped
 * between rows, a non-key identity column changed), or a statement of the differential path fails,
 * the savepoint is rolled back and the table is replaced whole: `DELETE FROM live` then
 * `INSERT INTO live SELECT ... FROM copy`, verified the same way. That path refuses tables other
 * tables reference by foreign key (their ON DELETE actions would reach rows the snapshot does not
 * cover). If the final verification fails, the restore throws and the transaction rolls back: the
 * live table is never left half restored.
 * TRUNCATE is not used: it needs an ACCESS EXCLUSIVE lock (blocking readers), fails when other
 * tables reference the table (or, with CASCADE, empties them), and is not MVCC-safe for concurrent
 * REPEATABLE READ readers.
 *
 * Counts: `recordsDeleted` are live rows whose key is not in the snapshot; `recordsRestored` are the
 * snapshot's rows inserted or changed back, by key (on the full-replace path: the snapshot's rows
 * without an identical live row, counted as multisets). Keys are matched with `=`, so a row with a
 * NULL key column is counted as deleted and restored (and is restored exactly). Without key
 * columns, the whole row is the key.
 *
 * Caveats: triggers on the live table fire during restore; a trigger that changes the rows it
 * writes makes the verification fail, and the restore is refused. Sequences are not reset. On
 * SQLite, rows' hidden rowids may change (INTEGER PRIMARY KEY columns are kept).
 */
import { LoggerService } from '@backstage/backend-plugin-api';
import { ConflictError, InputError, NotFoundError } from '@backstage/errors';
import {
  CutoverDatasetTarget,
  ProgressReporter,
  SnapshotDatasetFigures,
  SnapshotProvider,
} from '@switchyard/plugin-cutover-node';
import { Knex } from 'knex';
import { createHash } from 'node:crypto';
import {
  CutoverConnections,
  prepareSqliteConnection,
  SQLITE_CHECKSUM,
  SQLITE_CHECKSUM_TAG,
  SQLITE_ROW_HASH,
} from './connections';

/** Tag of the PostgreSQL checksum format, the first part of the checksum string. */
export const PG_CHECKSUM_TAG = 'pg-hte64-v1';

/** Hooks for tests, to make a restore fail at chosen points. */
export interface SnapshotFaultInjection {
  /**
   * Called after a dataset's restored data was written and verified (for a restore of one
   * dataset: just before the commit), with the restore's transaction (to look at the uncommitted
   * state). Throwing here must roll back every dataset of the restore.
   */
  beforeCommit?: (
    target: CutoverDatasetTarget,
    trx: Knex.Transaction,
  ) => void | Promise<void>;
  /** Called once every dataset of a restore was written, just before the commit (first dataset given). */
  beforeCommitAll?: (
    target: CutoverDatasetTarget,
    trx: Knex.Transaction,
  ) => void | Promise<void>;
  /**
   * Called after the differential path wrote its changes, before its verification; throwing here
   * exercises the fall-back to a full replace.
   */
  afterDifferentialApply?: (
    target: CutoverDatasetTarget,
    trx: Knex.Transaction,
  ) => void | Promise<void>;
}

type FaultHook = SnapshotFaultInjection['beforeCommit'];

/** Options of {@link KnexSnapshotProvider}. */
export interface KnexSnapshotProviderOptions {
  logger?: LoggerService;
  faultInjection?: SnapshotFaultInjection;
  /**
   * PostgreSQL `work_mem` for the restore's comparison join, set for that transaction only, so
   * that the join of a few million rows stays in memory. Default `128MB`.
   */
  restoreWorkMem?: string;
}

type Dialect = 'pg' | 'sqlite';

interface Column {
  name: string;
  /** PostgreSQL type oid; empty on SQLite. */
  type: string;
  /** PostgreSQL `GENERATED ALWAYS AS IDENTITY`: can be inserted (overriding) but not updated. */
  identityAlways: boolean;
}

interface Measured {
  recordCount: number;
  checksum: string;
}

interface RestoreCounts {
  recordsRestored: number;
  recordsDeleted: number;
}

// ---------------------------------------------------------------------------------------------
// SQL fragments: identifiers only ever travel as `??` bindings, values as `?` bindings.

interface Fragment {
  readonly sql: string;
  readonly bindings: readonly Knex.RawBinding[];
}

function sql(strings: TemplateStringsArray, ...parts: Fragment[]): Fragment {
  let text = strings[0];
  const bindings: Knex.RawBinding[] = [];
  parts.forEach((part, i) => {
    text += part.sql + strings[i + 1];
    bindings.push(...part.bindings);
  });
  if (strings.some(s => s.includes('?'))) {
    throw new Error(
      'SQL text must not contain "?"; pass values and identifiers as fragments',
    );
  }
  return { sql: text, bindings };
}

function ident(name: string): Fragment {
  return { sql: '??', bindings: [name] };
}

function val(value: Knex.RawBinding): Fragment {
  return { sql: '?', bindings: [value] };
}

function join(fragments: Fragment[], separator: string): Fragment {
  return {
    sql: fragments.map(f => f.sql).join(separator),
    bindings: fragments.flatMap(f => [...f.bindings]),
  };
}

/** `alias.col1, alias.col2, ...` */
function columnList(names: string[], alias?: string): Fragment {
  return join(
    names.map(n => ident(alias ? `${alias}.${n}` : n)),
    ', ',
  );
}

type Db = Knex | Knex.Transaction;

async function rows<T>(
  db: Db,
  dialect: Dialect,
  fragment: Fragment,
): Promise<T[]> {
  const result = await db.raw(
    fragment.sql,
    fragment.bindings as Knex.RawBinding[],
  );
  return (dialect === 'pg' ? result.rows : result) as T[];
}

async function exec(
  db: Db,
  dialect: Dialect,
  fragment: Fragment,
): Promise<number> {
  const result = await db.raw(
    fragment.sql,
    fragment.bindings as Knex.RawBinding[],
  );
  return Number((dialect === 'pg' ? result?.rowCount : result?.changes) ?? 0);
}

/**
 * Wraps a reporter so that it never goes backwards (a restore falling back to a full replace starts
 * its later steps again) and never throws: a failing reporter must not fail, or roll back, the data
 * operation.
 */
function safeProgress(progress: ProgressReporter): ProgressReporter {
  let last = 0;
  return (percent, message) => {
    last = Math.max(last, percent);
    try {
      progress(last, message);
    } catch {
      // ignored, see above
    }
  };
}

/**
 * The targets ordered so that a table referencing another (by a foreign key) comes before the table
 * it references; tables without references among them keep their order, and a cycle keeps the
 * order given for its members.
 */
async function referencingFirst(
  trx: Knex.Transaction,
  dialect: Dialect,
  targets: CutoverDatasetTarget[],
): Promise<CutoverDatasetTarget[]> {
  if (targets.length < 2) return targets;
  const names = targets.map(t =>
    parseTableName(t.table, dialect).name.toLowerCase(),
  );
  const edges: Array<[referencing: string, referenced: string]> = [];
  if (dialect === 'pg') {
    const found = await rows<{ referencing: string; referenced: string }>(
      trx,
      'pg',
      sql`SELECT lower(c.conrelid::regclass::text) AS referencing, lower(c.confrelid::regclass::text) AS referenced
          FROM pg_constraint c WHERE c.contype = 'f'`,
    );
    for (const f of found) {
      const a = f.referencing.split('.').pop()!.replace(/"/g, '');
      const b = f.referenced.split('.').pop()!.replace(/"/g, '');
      if (names.includes(a) && names.includes(b) && a !== b) edges.push([a, b]);
    }
  } else {
    for (const name of names) {
      const found = await rows<{ table: string }>(
        trx,
        'sqlite',
        sql`SELECT "table" FROM pragma_foreign_key_list(${val(name)})`,
      );
      for (const f of found) {
        const b = String(f.table).toLowerCase();
        if (names.includes(b) && b !== name) edges.push([name, b]);
      }
    }
  }
  const ordered: CutoverDatasetTarget[] = [];
  const placed = new Set<number>();
  // Repeatedly place a table nothing unplaced references (a referencing table goes first).
  while (ordered.length < targets.length) {
    const next = targets.findIndex(
      (_, i) =>
        !placed.has(i) &&
        !edges.some(
          ([from, to]) => to === names[i] && !placed.has(names.indexOf(from)),
        ),
    );
    const i = next >= 0 ? next : targets.findIndex((_, j) => !placed.has(j));
    placed.add(i);
    ordered.push(targets[i]);
  }
  return ordered;
}

// ---------------------------------------------------------------------------------------------
// Names

const MAX_IDENTIFIER_BYTES = 63;
const PLAIN_IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
const SNAPSHOT_PREFIX = 'cutover_snap_';
const SNAPSHOT_NAME = /^cutover_snap_[a-z0-9]{1,12}_[0-9a-f]{20}$/;

function isPlainIdentifier(name: string): boolean {
  return PLAIN_IDENTIFIER.test(name) && name.length <= MAX_IDENTIFIER_BYTES;
}

/** Names read from the catalog: anything knex `??` quotes faithfully. */
function checkCatalogIdentifier(name: string, what: string): string {
  if (
    !name ||
    Buffer.byteLength(name) > 255 ||
    /[.?"`\\]/.test(name) ||
    name.includes(String.fromCharCode(0)) ||
    /\sas\s/i.test(name) ||
    name.trim() !== name
  ) {
    throw new InputError(
      `${what} '${name}' contains characters that cannot be quoted safely`,
    );
  }
  return name;
}

/**
 * Splits and validates a plan's table name: `table`, or `schema.table` on PostgreSQL. Throws
 * `InputError` for anything but plain identifiers (so `x; drop table y` never reaches SQL).
 */
export function parseTableName(
  table: string,
  dialect: Dialect,
): { schema?: string; name: string } {
  const parts = typeof table === 'string' ? table.split('.') : [];
  const maxParts = dialect === 'pg' ? 2 : 1;
  if (
    parts.length < 1 ||
    parts.length > maxParts ||
    !parts.every(isPlainIdentifier)
  ) {
    throw new InputError(
      `Table name '${table}' is not valid: use ${
        dialect === 'pg' ? '[schema.]table' : 'table'
      } with letters, digits and _ (at most ${MAX_IDENTIFIER_BYTES} characters each)`,
    );
  }
  return parts.length === 2
    ? { schema: parts[0], name: parts[1] }
    : { name: parts[0] };
}

function checkKeyColumns(
  keyColumns: string[],
  columns: Column[],
  dialect: Dialect,
): string[] {
  return (keyColumns ?? []).map(key => {
    if (!isPlainIdentifier(key)) {
      throw new InputError(`Key column '${key}' is not a valid identifier`);
    }
    const found = columns.find(c =>
      dialect === 'pg'
        ? c.name === key
        : c.name.toLowerCase() === key.toLowerCase(),
    );
    if (!found) {
      throw new InputError(
        `Key column '${key}' is not a stored column of the table`,
      );
    }
    return found.name;
  });
}

/**
 * Name of the table holding a dataset's copy in a snapshot: `cutover_snap_<slug>_<hash>`, where the
 * slug is up to 12 lower-case letters and digits of the snapshot id and the hash covers the whole
 * snapshot id, the dataset and the table (so ids sharing a slug never collide).
 */
export function snapshotTableName(
  snapshotId: string,
  target: Pick<CutoverDatasetTarget, 'dataset' | 'table'>,
): string {
  const slug =
    snapshotId
      .toLowerCase()
      .replace(/[^a-z0-9]/g, '')
      .slice(0, 12) || 'x';
  const hash = createHash('sha256')
    .update(JSON.stringify([snapshotId, target.dataset, target.table]))
    .digest('hex')
    .slice(0, 20);
  return `${SNAPSHOT_PREFIX}${slug}_${hash}`;
}

function parseLocation(
  location: string,
  dialect: Dialect,
): { schema?: string; name: string } {
  const parts = typeof location === 'string' ? location.split('.') : [];
  const expected = dialect === 'pg' ? 2 : 1;
  if (
    parts.length !== expected ||
    !SNAPSHOT_NAME.test(parts[parts.length - 1])
  ) {
    throw new InputError(
      `Snapshot location '${location}' is not one of this provider's copies`,
    );
  }
  if (dialect === 'pg') {
    return {
      schema: checkCatalogIdentifier(parts[0], 'Schema'),
      name: parts[1],
    };
  }
  return { name: parts[0] };
}

function checkTag(checksum: string, tag: string) {
  if (typeof checksum !== 'string' || !checksum.startsWith(`${tag}:`)) {
    throw new InputError(
      `Snapshot checksum '${checksum}' was not made by this provider's ${tag} algorithm; refusing to restore`,
    );
  }
}

function sameColumnNames(a: Column[], b: Column[]) {
  const names = (cs: Column[]) => cs.map(c => c.name).sort();
  return JSON.stringify(names(a)) === JSON.stringify(names(b));
}

// ---------------------------------------------------------------------------------------------
// PostgreSQL

interface PgRelation {
  oid: string;
  schema: string;
  name: string;
  kind: string;
  hasChildren: boolean;
}

/**
 * Session settings the text output of values depends on, pinned while a checksum is computed so
 * that sessions with other settings get the same checksum.
 */
const PG_OUTPUT_SETTINGS: ReadonlyArray<readonly [string, string]> = [
  ['TimeZone', 'UTC'],
  ['DateStyle', 'ISO, YMD'],
  ['IntervalStyle', 'postgres'],
  ['extra_float_digits', '1'],
  ['bytea_output', 'hex'],
  ['lc_monetary', 'C'],
];

/**
 * Runs `fn` with {@link PG_OUTPUT_SETTINGS} set for the transaction, then puts the previous values
 * back (still transaction-local), so user code that runs later in the transaction (deferred
 * triggers at commit) sees the session's own settings.
 */
async function pgWithOutputSettings<T>(
  db: Db,
  fn: () => Promise<T>,
): Promise<T> {
  const current = join(
    PG_OUTPUT_SETTINGS.map(
      ([name], i) => sql`current_setting(${val(name)}) AS ${ident(`s${i}`)}`,
    ),
    ', ',
  );
  const [previous] = await rows<Record<string, string>>(
    db,
    'pg',
    sql`SELECT ${current}`,
  );
  const setAll = async (values: string[]) => {
    const calls = join(
      PG_OUTPUT_SETTINGS.map(
        ([name], i) => sql`set_config(${val(name)}, ${val(values[i])}, true)`,
      ),
      ', ',
    );
    await rows(db, 'pg', sql`SELECT ${calls}`);
  };
  await setAll(PG_OUTPUT_SETTINGS.map(([, value]) => value));
  const result = await fn();
  await setAll(PG_OUTPUT_SETTINGS.map((_, i) => previous[`s${i}`]));
  return result;
}

async function pgResolve(
  db: Db,
  table: { schema?: string; name: string },
): Promise<PgRelation | undefined> {
  const name = table.schema
    ? sql`format('%I.%I', ${val(table.schema)}::text, ${val(table.name)}::text)`
    : sql`format('%I', ${val(table.name)}::text)`;
  const [row] = await rows<PgRelation>(
    db,
    'pg',
    sql`SELECT c.oid::text AS oid, n.nspname AS schema, c.relname AS name, c.relkind AS kind,
          EXISTS (SELECT 1 FROM pg_inherits i WHERE i.inhparent = c.oid) AS "hasChildren"
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE c.oid = to_regclass(${name})`,
  );
  return row;
}

async function pgFind(
  db: Db,
  schema: string,
  name: string,
): Promise<PgRelation | undefined> {
  const [row] = await rows<PgRelation>(
    db,
    'pg',
    sql`SELECT c.oid::text AS oid, n.nspname AS schema, c.relname AS name, c.relkind AS kind, false AS "hasChildren"
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = ${val(schema)} AND c.relname = ${val(name)}`,
  );
  return row;
}

/**
 * Locks the live table by its name, as the first statement of a transaction. LOCK takes no
 * snapshot, so in a REPEATABLE READ transaction the snapshot is taken after the lock is held: a
 * concurrent TRUNCATE (not MVCC-safe) can then not make the table look empty to us, and the table
 * cannot be dropped or altered under us. ACCESS SHARE lets writers go on; EXCLUSIVE makes them
 * wait (readers still go on).
 */
async function pgLock(
  db: Db,
  target: CutoverDatasetTarget,
  mode: 'ACCESS SHARE' | 'EXCLUSIVE',
) {
  const table = parseTableName(target.table, 'pg');
  const name = table.schema ? `${table.schema}.${table.name}` : table.name;
  const statement =
    mode === 'EXCLUSIVE'
      ? sql`LOCK TABLE ${ident(name)} IN EXCLUSIVE MODE`
      : sql`LOCK TABLE ${ident(name)} IN ACCESS SHARE MODE`;
  try {
    await exec(db, 'pg', statement);
  } catch (error) {
    if ((error as { code?: string }).code === '42P01') {
      throw new NotFoundError(
        `Table '${target.table}' of dataset '${target.dataset}' does not exist`,
      );
    }
    throw error;
  }
}

async function pgLiveTable(
  db: Db,
  target: CutoverDatasetTarget,
): Promise<PgRelation & { qualified: string }> {
  const live = await pgResolve(db, parseTableName(target.table, 'pg'));
  if (!live) {
    throw new NotFoundError(
      `Table '${target.table}' of dataset '${target.dataset}' does not exist`,
    );
  }
  if (live.kind !== 'r' && live.kind !== 'p') {
    throw new InputError(
      `'${target.table}' of dataset '${target.dataset}' is not a table`,
    );
  }
  if (live.kind === 'r' && live.hasChildren) {
    throw new InputError(
      `Table '${target.table}' has inheritance children; snapshots of inheritance trees are not supported`,
    );
  }
  checkCatalogIdentifier(live.schema, 'Schema');
  checkCatalogIdentifier(live.name, 'Table');
  return { ...live, qualified: `${live.schema}.${live.name}` };
}

/** The table and, if it is partitioned, all its partitions (`pg_partition_tree` is empty for plain tables). */
function pgRelationTree(oid: string): Fragment {
  return sql`SELECT ${val(
    oid,
  )}::oid AS relid UNION SELECT relid FROM pg_partition_tree(${val(oid)}::oid)`;
}

async function pgColumns(db: Db, oid: string): Promise<Column[]> {
  const result = await rows<{ name: string; type: string; identity: string }>(
    db,
    'pg',
    sql`SELECT attname AS name, atttypid::text AS type, attidentity AS identity
        FROM pg_attribute
        WHERE attrelid = ${val(
          oid,
        )}::oid AND attnum > 0 AND NOT attisdropped AND attgenerated = ''
        ORDER BY attnum`,
  );
  if (!result.length) throw new InputError('The table has no stored columns');
  return result.map(c => ({
    name: checkCatalogIdentifier(c.name, 'Column'),
    type: c.type,
    identityAlways: c.identity === 'a',
  }));
}

async function pgChecksum(
  db: Db,
  table: string,
  columns: Column[],
): Promise<Measured> {
  const [row] = await pgWithOutputSettings(db, () =>
    rows<{ n: string; s: string }>(
      db,
      'pg',
      sql`SELECT count(*)::text AS n,
            coalesce(sum(hashtextextended(ROW(${columnList(
              columns.map(c => c.name),
            )})::text, 0)), 0)::text AS s
          FROM ${ident(table)}`,
    ),
  );
  return {
    recordCount: Number(row.n),
    checksum: `${PG_CHECKSUM_TAG}:${row.n}:${row.s}`,
  };
}

/** `s.k1 = l.k1 AND ...`, or the whole row's text when there are no key columns. */
function pgKeyMatch(keys: string[], names: string[]): Fragment {
  if (!keys.length) {
    return sql`ROW(${columnList(names, 's')})::text = ROW(${columnList(
      names,
      'l',
    )})::text`;
  }
  return join(
    keys.map(k => sql`${ident(`s.${k}`)} = ${ident(`l.${k}`)}`),
    ' AND ',
  );
}

// ---------------------------------------------------------------------------------------------
// SQLite

async function sqlitePrepare(trx: Knex.Transaction): Promise<void> {
  // Inside a transaction, knex hands back the transaction's own connection.
  const connection = await (
    trx.client as { acquireConnection(): Promise<unknown> }
  ).acquireConnection();
  prepareSqliteConnection(connection);
}

async function sqliteFind(
  db: Db,
  name: string,
): Promise<{ name: string } | undefined> {
  const [row] = await rows<{ name: string; sql: string | null }>(
    db,
    'sqlite',
    sql`SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name = ${val(
      name,
    )} COLLATE NOCASE`,
  );
  if (row && /^\s*create\s+virtual\b/i.test(row.sql ?? '')) {
    throw new InputError(
      `'${name}' is a virtual table; snapshots of virtual tables are not supported`,
    );
  }
  return row ? { name: checkCatalogIdentifier(row.name, 'Table') } : undefined;
}

async function sqliteLiveTable(
  db: Db,
  target: CutoverDatasetTarget,
): Promise<string> {
  const live = await sqliteFind(
    db,
    parseTableName(target.table, 'sqlite').name,
  );
  if (!live) {
    throw new NotFoundError(
      `Table '${target.table}' of dataset '${target.dataset}' does not exist`,
    );
  }
  return live.name;
}

async function sqliteColumns(db: Db, table: string): Promise<Column[]> {
  const result = await rows<{ name: string; hidden: number }>(
    db,
    'sqlite',
    sql`SELECT name, hidden FROM pragma_table_xinfo(${val(
      table,
    )}) ORDER BY cid`,
  );
  const stored = result.filter(c => Number(c.hidden) === 0);
  if (!stored.length)
    throw new InputError(`Table '${table}' has no stored columns`);
  return stored.map(c => ({
    name: checkCatalogIdentifier(c.name, 'Column'),
    type: '',
    identityAlways: false,
  }));
}

async function sqliteChecksum(
  db: Db,
  table: string,
  columns: Column[],
): Promise<Measured> {
  const [row] = await rows<{ c: string }>(
    db,
    'sqlite',
    sql`SELECT ${ident(SQLITE_CHECKSUM)}(${columnList(
      columns.map(c => c.name),
    )}) AS c FROM ${ident(table)}`,
  );
  const count = Number(row.c.split(':')[1]);
  return { recordCount: count, checksum: row.c };
}

async function sqliteSize(
  db: Db,
  table: string,
  columns: Column[],
): Promise<number> {
  try {
    const [row] = await rows<{ size: number | null }>(
      db,
      'sqlite',
      sql`SELECT sum(pgsize) AS size FROM dbstat
          WHERE name IN (SELECT name FROM sqlite_master WHERE tbl_name = ${val(
            table,
          )} COLLATE NOCASE)`,
    );
    return Number(row?.size ?? 0);
  } catch {
    // No dbstat in this SQLite build: estimate from the stored values' lengths.
    const lengths = join(
      columns.map(c => sql`coalesce(length(${ident(c.name)}), 0)`),
      ' + ',
    );
    const [row] = await rows<{ size: number | null }>(
      db,
      'sqlite',
      sql`SELECT sum(${lengths}) AS size FROM ${ident(table)}`,
    );
    return Number(row?.size ?? 0);
  }
}

function sqliteRowHash(names: string[], alias: string): Fragment {
  return sql`${ident(SQLITE_ROW_HASH)}(${columnList(names, alias)})`;
}

// ---------------------------------------------------------------------------------------------

/**
 * The counts of a full replace, computed before it. `recordsRestored` is the number of the
 * snapshot's rows without an identical live row, as multisets (so duplicate rows count right);
 * `recordsDeleted` the number of live rows whose key is not in the snapshot (without key columns:
 * live rows without an identical snapshot row). As on the differential path, rows with a NULL key
 * column never match by key.
 */
async function countDifferences(
  trx: Knex.Transaction,
  dialect: Dialect,
  live: string,
  copy: string,
  names: string[],
  keys: string[],
): Promise<RestoreCounts> {
  const rowValue = (alias: string) =>
    dialect === 'pg'
      ? sql`ROW(${columnList(names, alias)})::text`
      : sqliteRowHash(names, alias);
  const keyed = (alias: string) =>
    keys.length
      ? join(
          keys.map(k => sql`${ident(`${alias}.${k}`)} IS NOT NULL`),
          ' AND ',
        )
      : sql`1 = 1`;
  const smaller = dialect === 'pg' ? sql`least(c.n, l.n)` : sql`min(c.n, l.n)`;
  const keyMatch = join(
    keys.map(k => sql`${ident(`s.${k}`)} = ${ident(`l.${k}`)}`),
    ' AND ',
  );
  const deleted = keys.length
    ? sql`(SELECT count(*) FROM ${ident(live)} AS l
           WHERE NOT EXISTS (SELECT 1 FROM ${ident(
             copy,
           )} AS s WHERE ${keyMatch}))`
    : sql`(SELECT count(*) FROM ${ident(live)}) - (SELECT n FROM unchanged)`;
  const [row] = await rows<{
    deleted: string | number;
    restored: string | number;
  }>(
    trx,
    dialect,
    sql`WITH c AS (SELECT ${rowValue('s')} AS r, count(*) AS n FROM ${ident(
      copy,
    )} AS s WHERE ${keyed('s')} GROUP BY 1),
             l AS (SELECT ${rowValue('l')} AS r, count(*) AS n FROM ${ident(
      live,
    )} AS l WHERE ${keyed('l')} GROUP BY 1),
             unchanged AS (SELECT coalesce(sum(${smaller}), 0) AS n FROM c JOIN l ON l.r = c.r)
        SELECT ((SELECT count(*) FROM ${ident(
          copy,
        )}) - (SELECT n FROM unchanged)) AS restored,
               (${deleted}) AS deleted`,
  );
  return {
    recordsRestored: Number(row.restored),
    recordsDeleted: Number(row.deleted),
  };
}

/**
 * {@link SnapshotProvider} keeping copies as tables in the destination database (PostgreSQL or
 * SQLite). See the comment at the top of this file for the design.
 */
export class KnexSnapshotProvider implements SnapshotProvider {
  readonly id = 'knex';
  readonly #connections: CutoverConnections;
  readonly #options: KnexSnapshotProviderOptions;

  constructor(
    connections: CutoverConnections,
    options: KnexSnapshotProviderOptions = {},
  ) {
    this.#connections = connections;
    this.#options = options;
  }

  async supports(target: CutoverDatasetTarget): Promise<boolean> {
    return this.#connections.isSupported(target.connection);
  }

  async create(
    snapshotId: string,
    target: CutoverDatasetTarget,
    reporter: ProgressReporter,
  ): Promise<SnapshotDatasetFigures> {
    const { knex, dialect } = this.#database(target);
    const progress = safeProgress(reporter);
    progress(0, `Copying ${target.dataset}`);
    const figures =
      dialect === 'pg'
        ? await this.#pgCreate(knex, snapshotId, target, progress)
        : await this.#sqliteCreate(knex, snapshotId, target, progress);
    progress(100, `Copied ${figures.recordCount} records of ${target.dataset}`);
    return figures;
  }

  async restore(
    snapshotId: string,
    target: CutoverDatasetTarget,
    figures: SnapshotDatasetFigures,
    reporter: ProgressReporter,
  ): Promise<RestoreCounts> {
    const [counts] = await this.restoreAll(
      snapshotId,
      [{ target, figures }],
      reporter,
    );
    return counts;
  }

  /**
   * Restores several datasets of one connection in ONE transaction: all of them or none. Tables
   * that reference others (foreign keys among the restored tables) are restored first, so rows a
   * restore deletes are no longer referenced when their parents' turn comes.
   */
  async restoreAll(
    snapshotId: string,
    items: Array<{
      target: CutoverDatasetTarget;
      figures: SnapshotDatasetFigures;
    }>,
    reporter: ProgressReporter,
  ): Promise<RestoreCounts[]> {
    if (!items.length) return [];
    const connections = new Set(items.map(i => i.target.connection));
    if (connections.size > 1) {
      throw new InputError(
        `Datasets of one restore must share a connection; got ${[
          ...connections,
        ].join(', ')}`,
      );
    }
    const { knex, dialect } = this.#database(items[0].target);
    const resolved = items.map(({ target, figures }) => {
      // Without a recorded location (a job that died after copying, before recording it), the copy
      // is where this snapshot's copy of the dataset would be: its derived name, beside the table.
      const location = figures.location
        ? parseLocation(figures.location, dialect)
        : {
            schema: parseTableName(target.table, dialect).schema,
            name: snapshotTableName(snapshotId, target),
          };
      const expected = snapshotTableName(snapshotId, target);
      if (location.name !== expected) {
        throw new InputError(
          `Snapshot location '${figures.location}' does not belong to snapshot '${snapshotId}' of dataset '${target.dataset}' (table '${target.table}')`,
        );
      }
      checkTag(
        figures.checksum,
        dialect === 'pg' ? PG_CHECKSUM_TAG : SQLITE_CHECKSUM_TAG,
      );
      return { target, figures, location };
    });
    const progress = safeProgress(reporter);
    const counts = new Map<string, RestoreCounts>();
    await knex.transaction(async trx => {
      if (dialect === 'sqlite') await sqlitePrepare(trx);
      const order = await referencingFirst(
        trx,
        dialect,
        resolved.map(r => r.target),
      );
      for (const [i, target] of order.entries()) {
        const r = resolved.find(x => x.target === target)!;
        const share: ProgressReporter = (p, message) =>
          progress(
            ((i + Math.min(100, Math.max(0, p)) / 100) / order.length) * 100,
            message,
          );
        share(0, `Restoring ${target.dataset}`);
        counts.set(
          target.dataset,
          dialect === 'pg'
            ? await this.#pgRestoreIn(
                trx,
                target,
                r.figures,
                r.location as { schema: string; name: string },
                share,
              )
            : await this.#sqliteRestoreIn(
                trx,
                target,
                r.figures,
                r.location.name,
                share,
              ),
        );
        share(100, `Restored ${target.dataset}`);
      }
      await this.#step(
        this.#options.faultInjection?.beforeCommitAll,
        items[0].target,
        trx,
      );
    });
    return items.map(i => counts.get(i.target.dataset)!);
  }

  async measure(
    target: CutoverDatasetTarget,
  ): Promise<Omit<SnapshotDatasetFigures, 'location'>> {
    const { knex, dialect } = this.#database(target);
    if (dialect === 'pg') {
      return knex.transaction(
        async trx => {
          await pgLock(trx, target, 'ACCESS SHARE');
          const live = await pgLiveTable(trx, target);
          const columns = await pgColumns(trx, live.oid);
          const measured = await pgChecksum(trx, live.qualified, columns);
          const [size] = await rows<{ size: string }>(
            trx,
            'pg',
            sql`SELECT coalesce(sum(pg_total_relation_size(relid)), 0)::text AS size FROM (${pgRelationTree(
              live.oid,
            )}) AS tree`,
          );
          return {
            dataset: target.dataset,
            ...measured,
            sizeBytes: Number(size.size),
          };
        },
        { isolationLevel: 'repeatable read', readOnly: true },
      );
    }
    return knex.transaction(async trx => {
      await sqlitePrepare(trx);
      const live = await sqliteLiveTable(trx, target);
      const columns = await sqliteColumns(trx, live);
      const measured = await sqliteChecksum(trx, live, columns);
      return {
        dataset: target.dataset,
        ...measured,
        sizeBytes: await sqliteSize(trx, live, columns),
      };
    });
  }

  async delete(
    snapshotId: string,
    target: CutoverDatasetTarget,
    figures: SnapshotDatasetFigures,
  ): Promise<void> {
    const { knex, dialect } = this.#database(target);
    // Without a recorded location (a job that died after copying, before recording it), the copy
    // is where this snapshot's copy of the dataset would be: its derived name, beside the table.
    const location = figures.location
      ? parseLocation(figures.location, dialect)
      : {
          schema: parseTableName(target.table, dialect).schema,
          name: snapshotTableName(snapshotId, target),
        };
    // Only ever drop one of this snapshot's copies (the table of the dataset may have been renamed
    // in the plan since, so the dataset hash is not required to match).
    const slug = snapshotTableName(snapshotId, target).split('_')[2];
    if (!location.name.startsWith(`${SNAPSHOT_PREFIX}${slug}_`)) {
      throw new InputError(
        `Snapshot location '${figures.location}' does not belong to snapshot '${snapshotId}'`,
      );
    }
    const table = location.schema
      ? `${location.schema}.${location.name}`
      : location.name;
    await exec(knex, dialect, sql`DROP TABLE IF EXISTS ${ident(table)}`);
  }

  #database(target: CutoverDatasetTarget): { knex: Knex; dialect: Dialect } {
    const knex = this.#connections.get(target.connection);
    const client = this.#connections.client(target.connection);
    return { knex, dialect: client === 'pg' ? 'pg' : 'sqlite' };
  }

  /**
   * Applies only the differences to the snapshot, inside a savepoint, and verifies the result; when
   * that fails or does not reproduce the snapshot, the savepoint is rolled back and `undefined`
   * returned, so the caller replaces the table's contents instead (same transaction either way).
   */
  async #tryDifferential(
    trx: Knex.Transaction,
    target: CutoverDatasetTarget,
    progress: ProgressReporter,
    verify: () => Promise<boolean>,
    apply: () => Promise<RestoreCounts>,
  ): Promise<RestoreCounts | undefined> {
    const fallback = (why: string) =>
      this.#options.logger?.warn(
        `Restore of dataset '${target.dataset}': ${why}; replacing the table's contents instead`,
      );
    let counts: RestoreCounts | undefined;
    await trx.raw('SAVEPOINT cutover_restore_differential');
    try {
      counts = await apply();
      await this.#step(
        this.#options.faultInjection?.afterDifferentialApply,
        target,
        trx,
      );
      progress(70, `Verifying ${target.dataset}`);
      if (!(await verify())) {
        fallback('applying differences did not reproduce the snapshot');
        counts = undefined;
      }
    } catch (error) {
      fallback(`applying differences failed (${(error as Error).message})`);
      counts = undefined;
    }
    if (!counts)
      await trx.raw('ROLLBACK TO SAVEPOINT cutover_restore_differential');
    await trx.raw('RELEASE SAVEPOINT cutover_restore_differential');
    return counts;
  }

  async #step(
    hook: FaultHook,
    target: CutoverDatasetTarget,
    trx: Knex.Transaction,
  ) {
    if (hook) await hook(target, trx);
  }

  // --- PostgreSQL ------------------------------------------------------------------------------

  async #pgCreate(
    knex: Knex,
    snapshotId: string,
    target: CutoverDatasetTarget,
    progress: ProgressReporter,
  ): Promise<SnapshotDatasetFigures> {
    return knex.transaction(
      async trx => {
        await pgLock(trx, target, 'ACCESS SHARE');
        const live = await pgLiveTable(trx, target);
        const columns = await pgColumns(trx, live.oid);
        checkKeyColumns(target.keyColumns, columns, 'pg');
        const name = snapshotTableName(snapshotId, target);
        const copy = `${live.schema}.${name}`;
        if (await pgFind(trx, live.schema, name)) {
          throw new ConflictError(
            `Snapshot copy ${copy} already exists; delete it first`,
          );
        }
        await exec(
          trx,
          'pg',
          sql`CREATE TABLE ${ident(copy)} AS SELECT ${columnList(
            columns.map(c => c.name),
          )} FROM ${ident(live.qualified)}`,
        );
        progress(60, `Checksumming the copy of ${target.dataset}`);
        const measured = await pgChecksum(trx, copy, columns);
        const created = await pgFind(trx, live.schema, name);
        const [size] = await rows<{ size: string }>(
          trx,
          'pg',
          sql`SELECT pg_total_relation_size(${val(
            created!.oid,
          )}::oid)::text AS size`,
        );
        return {
          dataset: target.dataset,
          ...measured,
          sizeBytes: Number(size.size),
          location: copy,
        };
      },
      { isolationLevel: 'repeatable read' },
    );
  }

  /** Restores one dataset inside the caller's transaction (READ COMMITTED: every statement after the lock sees all writes committed before it). */
  async #pgRestoreIn(
    trx: Knex.Transaction,
    target: CutoverDatasetTarget,
    figures: SnapshotDatasetFigures,
    location: { schema: string; name: string },
    progress: ProgressReporter,
  ): Promise<RestoreCounts> {
    await pgLock(trx, target, 'EXCLUSIVE');
    const live = await pgLiveTable(trx, target);
    const copyRelation = await pgFind(trx, location.schema, location.name);
    if (!copyRelation) {
      throw new NotFoundError(
        `Snapshot copy ${figures.location} of dataset '${target.dataset}' does not exist; nothing was restored`,
      );
    }
    const copy = `${location.schema}.${location.name}`;
    const liveColumns = await pgColumns(trx, live.oid);
    const columns = await pgColumns(trx, copyRelation.oid);
    const typeOf = new Map(liveColumns.map(c => [c.name, c.type]));
    if (
      !sameColumnNames(liveColumns, columns) ||
      columns.some(c => typeOf.get(c.name) !== c.type)
    ) {
      throw new ConflictError(
        `The columns of '${target.table}' changed since the snapshot; restore it by hand or revert the schema first`,
      );
    }
    const identityAlways = new Set(
      liveColumns.filter(c => c.identityAlways).map(c => c.name),
    );
    const keys = checkKeyColumns(target.keyColumns, columns, 'pg');
    const names = columns.map(c => c.name);
    const verify = async () => {
      const measured = await pgChecksum(trx, live.qualified, columns);
      return (
        measured.recordCount === Number(figures.recordCount) &&
        measured.checksum === figures.checksum
      );
    };

    let counts: RestoreCounts | undefined;
    if (live.kind === 'r') {
      progress(10, `Comparing ${target.dataset} with the snapshot`);
      counts = await this.#tryDifferential(trx, target, progress, verify, () =>
        this.#pgApplyDifferences(
          trx,
          live.qualified,
          copy,
          names,
          keys,
          identityAlways,
          n => progress(40, `Applying ${n} differences to ${target.dataset}`),
        ),
      );
    }
    if (!counts) {
      const [referenced] = await rows<{ n: string }>(
        trx,
        'pg',
        sql`WITH tree AS (${pgRelationTree(live.oid)})
              SELECT count(*)::text AS n FROM pg_constraint
              WHERE contype = 'f' AND confrelid IN (SELECT relid FROM tree) AND conrelid NOT IN (SELECT relid FROM tree)`,
      );
      if (Number(referenced.n) > 0) {
        throw new ConflictError(
          `Dataset '${target.dataset}' cannot be restored by difference, and '${target.table}' is referenced by other tables' foreign keys, so its contents cannot be replaced whole; nothing was restored`,
        );
      }
      progress(40, `Replacing the contents of ${target.dataset}`);
      counts = await countDifferences(
        trx,
        'pg',
        live.qualified,
        copy,
        names,
        keys,
      );
      await exec(trx, 'pg', sql`DELETE FROM ${ident(live.qualified)}`);
      await exec(
        trx,
        'pg',
        sql`INSERT INTO ${ident(live.qualified)} (${columnList(
          names,
        )}) OVERRIDING SYSTEM VALUE
              SELECT ${columnList(names)} FROM ${ident(copy)}`,
      );
      progress(70, `Verifying ${target.dataset}`);
      if (!(await verify())) {
        throw new Error(
          `Restore of dataset '${target.dataset}' failed verification (count or checksum differs from the snapshot's); rolled back, nothing was restored`,
        );
      }
    }
    await this.#step(this.#options.faultInjection?.beforeCommit, target, trx);
    return counts;
  }

  /** The differential path (plain tables): returns the counts, to be verified by the caller. */
  async #pgApplyDifferences(
    trx: Knex.Transaction,
    live: string,
    copy: string,
    names: string[],
    keys: string[],
    identityAlways: Set<string>,
    onCompared: (differences: number) => void,
  ): Promise<RestoreCounts> {
    // Qualified with pg_temp, so no table of the same name in the search path can be meant.
    const diff = 'pg_temp.cutover_restore_diff';
    await trx.raw(`SELECT set_config('work_mem', ?, true)`, [
      this.#options.restoreWorkMem ?? '128MB',
    ]);
    const differences = await exec(
      trx,
      'pg',
      sql`CREATE TEMPORARY TABLE ${ident(diff)} ON COMMIT DROP AS
          SELECT l.ctid AS lctid, s.ctid AS sctid
          FROM ${ident(live)} AS l FULL JOIN ${ident(
        copy,
      )} AS s ON ${pgKeyMatch(keys, names)}
          WHERE l.ctid IS NULL OR s.ctid IS NULL
             OR ROW(${columnList(names, 'l')})::record *<> ROW(${columnList(
        names,
        's',
      )})::record`,
    );
    onCompared(differences);
    await exec(trx, 'pg', sql`ANALYZE ${ident(diff)}`);
    const deleted = await exec(
      trx,
      'pg',
      sql`DELETE FROM ${ident(
        live,
      )} WHERE ctid = ANY (ARRAY(SELECT lctid FROM ${ident(
        diff,
      )} WHERE sctid IS NULL))`,
    );
    const settable = names.filter(n => !identityAlways.has(n));
    let changed = 0;
    if (settable.length) {
      changed = await exec(
        trx,
        'pg',
        sql`UPDATE ${ident(live)} AS l SET ${join(
          settable.map(n => sql`${ident(n)} = ${ident(`s.${n}`)}`),
          ', ',
        )}
            FROM ${ident(diff)} AS d JOIN ${ident(
          copy,
        )} AS s ON s.ctid = d.sctid
            WHERE l.ctid = d.lctid AND d.lctid IS NOT NULL AND d.sctid IS NOT NULL`,
      );
    }
    const inserted = await exec(
      trx,
      'pg',
      sql`INSERT INTO ${ident(live)} (${columnList(
        names,
      )}) OVERRIDING SYSTEM VALUE
          SELECT ${columnList(names)} FROM ${ident(copy)}
          WHERE ctid = ANY (ARRAY(SELECT sctid FROM ${ident(
            diff,
          )} WHERE lctid IS NULL))`,
    );
    await exec(trx, 'pg', sql`DROP TABLE ${ident(diff)}`);
    return { recordsRestored: changed + inserted, recordsDeleted: deleted };
  }

  // --- SQLite ----------------------------------------------------------------------------------

  async #sqliteCreate(
    knex: Knex,
    snapshotId: string,
    target: CutoverDatasetTarget,
    progress: ProgressReporter,
  ): Promise<SnapshotDatasetFigures> {
    return knex.transaction(async trx => {
      await sqlitePrepare(trx);
      const live = await sqliteLiveTable(trx, target);
      const columns = await sqliteColumns(trx, live);
      checkKeyColumns(target.keyColumns, columns, 'sqlite');
      const copy = snapshotTableName(snapshotId, target);
      if (await sqliteFind(trx, copy)) {
        throw new ConflictError(
          `Snapshot copy ${copy} already exists; delete it first`,
        );
      }
      await exec(
        trx,
        'sqlite',
        sql`CREATE TABLE ${ident(copy)} AS SELECT ${columnList(
          columns.map(c => c.name),
        )} FROM ${ident(live)}`,
      );
      progress(60, `Checksumming the copy of ${target.dataset}`);
      const measured = await sqliteChecksum(trx, copy, columns);
      const sizeBytes = await sqliteSize(trx, copy, columns);
      return {
        dataset: target.dataset,
        ...measured,
        sizeBytes,
        location: copy,
      };
    });
  }

  /** Restores one dataset inside the caller's transaction (which holds SQLite's write lock from its first write). */
  async #sqliteRestoreIn(
    trx: Knex.Transaction,
    target: CutoverDatasetTarget,
    figures: SnapshotDatasetFigures,
    copy: string,
    progress: ProgressReporter,
  ): Promise<RestoreCounts> {
    const live = await sqliteLiveTable(trx, target);
    if (!(await sqliteFind(trx, copy))) {
      throw new NotFoundError(
        `Snapshot copy ${copy} of dataset '${target.dataset}' does not exist; nothing was restored`,
      );
    }
    const liveColumns = await sqliteColumns(trx, live);
    const columns = await sqliteColumns(trx, copy);
    if (!sameColumnNames(liveColumns, columns)) {
      throw new ConflictError(
        `The columns of '${target.table}' changed since the snapshot; restore it by hand or revert the schema first`,
      );
    }
    const keys = checkKeyColumns(target.keyColumns, columns, 'sqlite');
    const names = columns.map(c => c.name);
    const verify = async () => {
      const measured = await sqliteChecksum(trx, live, columns);
      return (
        measured.recordCount === Number(figures.recordCount) &&
        measured.checksum === figures.checksum
      );
    };

    let counts: RestoreCounts | undefined;
    if (keys.length) {
      // The copy is looked up by key; the index goes with the copy (dropped with it).
      await exec(
        trx,
        'sqlite',
        sql`CREATE INDEX IF NOT EXISTS ${ident(`${copy}_key`)} ON ${ident(
          copy,
        )} (${columnList(keys)})`,
      );
      progress(10, `Applying the differences to ${target.dataset}`);
      counts = await this.#tryDifferential(trx, target, progress, verify, () =>
        this.#sqliteApplyDifferences(trx, live, copy, names, keys),
      );
    }
    if (!counts) {
      await this.#sqliteRefuseIfReferenced(trx, live, target);
      progress(40, `Replacing the contents of ${target.dataset}`);
      counts = await countDifferences(trx, 'sqlite', live, copy, names, keys);
      await exec(trx, 'sqlite', sql`DELETE FROM ${ident(live)}`);
      await exec(
        trx,
        'sqlite',
        sql`INSERT INTO ${ident(live)} (${columnList(
          names,
        )}) SELECT ${columnList(names)} FROM ${ident(copy)}`,
      );
      progress(70, `Verifying ${target.dataset}`);
      if (!(await verify())) {
        throw new Error(
          `Restore of dataset '${target.dataset}' failed verification (count or checksum differs from the snapshot's); rolled back, nothing was restored`,
        );
      }
    }
    await this.#step(this.#options.faultInjection?.beforeCommit, target, trx);
    return counts;
  }

  async #sqliteApplyDifferences(
    trx: Knex.Transaction,
    live: string,
    copy: string,
    names: string[],
    keys: string[],
  ): Promise<RestoreCounts> {
    const match = join(
      keys.map(k => sql`${ident(`s.${k}`)} = ${ident(`l.${k}`)}`),
      ' AND ',
    );
    const deleted = await exec(
      trx,
      'sqlite',
      sql`DELETE FROM ${ident(
        live,
      )} AS l WHERE NOT EXISTS (SELECT 1 FROM ${ident(
        copy,
      )} AS s WHERE ${match})`,
    );
    const changed = await exec(
      trx,
      'sqlite',
      sql`UPDATE ${ident(live)} AS l SET ${join(
        names.map(n => sql`${ident(n)} = ${ident(`s.${n}`)}`),
        ', ',
      )}
          FROM ${ident(copy)} AS s
          WHERE ${match} AND ${sqliteRowHash(
        names,
        'l',
      )} IS NOT ${sqliteRowHash(names, 's')}`,
    );
    // A LEFT JOIN (not NOT EXISTS) so SQLite can build an automatic index when live has none on
    // the keys; a matched row has non-NULL keys, so a NULL key means no match.
    const inserted = await exec(
      trx,
      'sqlite',
      sql`INSERT INTO ${ident(live)} (${columnList(names)})
          SELECT ${columnList(names, 's')} FROM ${ident(
        copy,
      )} AS s LEFT JOIN ${ident(live)} AS l ON ${match}
          WHERE ${ident(`l.${keys[0]}`)} IS NULL`,
    );
    return { recordsRestored: changed + inserted, recordsDeleted: deleted };
  }

  async #sqliteRefuseIfReferenced(
    trx: Knex.Transaction,
    live: string,
    target: CutoverDatasetTarget,
  ) {
    const [enforced] = await rows<{ foreign_keys: number }>(
      trx,
      'sqlite',
      sql`PRAGMA foreign_keys`,
    );
    if (!Number(enforced?.foreign_keys)) return;
    const [referenced] = await rows<{ n: number }>(
      trx,
      'sqlite',
      sql`SELECT count(*) AS n FROM sqlite_master AS m, pragma_foreign_key_list(m.name) AS f
          WHERE m.type = 'table' AND f."table" = ${val(
            live,
          )} COLLATE NOCASE AND m.name <> ${val(live)} COLLATE NOCASE`,
    );
    if (Number(referenced?.n) > 0) {
      throw new ConflictError(
        `Dataset '${target.dataset}' cannot be restored by difference, and '${target.table}' is referenced by other tables' foreign keys, so its contents cannot be replaced whole; nothing was restored`,
      );
    }
  }
}
