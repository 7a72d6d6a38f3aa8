/**
 * Fault drills for snapshots and rollbacks: a child process (`faultChild.ts`) takes a snapshot,
 * restores one, or runs a whole rollback job against a database it shares with this process, and
 * is SIGKILLed at a random point (a real process kill: no `finally`, no rollback by the client, a
 * hot journal left on SQLite, a half-open session on PostgreSQL). Afterwards every dataset must be
 * exactly as before or exactly as in the snapshot, proven twice: by the full sorted row set and by
 * the provider's own `measure()` checksum. Anything else is a mismatch.
 *
 * Three kinds of cycle:
 * - `restore`: snapshot in-process, change rows (inserts, updates, deletes, key changes, NULLs,
 *   ''), record the state BEFORE, let the child restore both datasets with `KnexSnapshotProvider`
 *   (sometimes forced onto its full-replace path) and kill it: at a marker (restore started,
 *   mid-restore, after the differences were applied, after verification just before COMMIT, after
 *   COMMIT), at a random time, or not at all.
 * - `create`: the child takes a snapshot and is killed; the live tables must be unchanged, and a
 *   copy left behind must be complete (its checksum is the live table's) and go away with
 *   `delete`.
 * - `job`: the child runs a rollback through `SnapshotService` (the real job layer, with a backup
 *   snapshot first on some cycles) and is killed. If it leaves the rollback PENDING or RUNNING, a
 *   fresh backend is started on the same database (`cutover.snapshots.staleAfter` 1 s) once the
 *   child's heartbeat is stale: its start-up sweep must fail the job with a message (otherwise the
 *   `cutover-snapshot-sweep` task is triggered by hand, and counted), and a new rollback must then
 *   be accepted and restore the snapshot. A dataset the job reports RESTORED must be restored.
 *
 * Used by `faults.test.ts` (a few dozen cycles per database) and by `scripts/faults` (1,000), which
 * calls {@link runFromCommandLine} with the test backend (`--database sqlite|sqlite-wal|pg
 * --cycles 500 [--seed 42] [--verbose]`).
 */
import {
  BackendFeature,
  createBackendModule,
  resolvePackagePath,
} from '@backstage/backend-plugin-api';
import { MigrationPlan } from '@switchyard/plugin-cutover-common';
import { cutoverSnapshotProvidersExtensionPoint } from '@switchyard/plugin-cutover-node';
import type {
  CutoverDatasetTarget,
  SnapshotDatasetFigures,
} from '@switchyard/plugin-cutover-node';
import knexFactory, { Knex } from 'knex';
import { spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CutoverConnections } from '../snapshots/connections';
import {
  KnexSnapshotProvider,
  snapshotTableName,
} from '../snapshots/KnexSnapshotProvider';
import { FAULT_CONNECTION, FaultTask } from './faultChild';

const PACKAGE_DIR = resolvePackagePath('@switchyard/plugin-cutover-backend');
const CHILD = resolvePackagePath(
  '@switchyard/plugin-cutover-backend',
  'src/__testUtils__/faultChild.ts',
);
const MIGRATION = 'fault-drill';
const MIGRATION_PATH = `/api/cutover/migrations/${MIGRATION}`;
const SWEEP_MESSAGE = /stopped before it finished/;
const STALE_AFTER_MS = 1_000;
const CHILD_HEARTBEAT_MS = 200;

/** A database shared by this process and the child. */
export interface FaultDatabase {
  /** For the summary, e.g. `SQLite (rollback journal)`. */
  label: string;
  /** This process's connection. */
  knex: Knex;
  /** What the child gets in SWITCHYARD_FAULT_DB: a PostgreSQL URL or a SQLite file path. */
  childDb: string;
  isPostgres: boolean;
}

/** An HTTP call to a drill backend (a supertest request, as far as the drill needs it). */
export interface DrillCall extends PromiseLike<{ status: number; body: any }> {
  set(field: string, value: string): DrillCall;
  send(body: object): DrillCall;
}

/** A backend of the cutover plugin started by the caller (tests: `startCutoverBackend`). */
export interface DrillBackend {
  api(): {
    get(url: string): DrillCall;
    post(url: string): DrillCall;
    put(url: string): DrillCall;
    delete(url: string): DrillCall;
  };
  /** The plugin's scheduler, whose tasks ran once at start-up (the mock scheduler does that). */
  scheduler: { triggerTask(id: string): Promise<void> };
  backend: { stop(): Promise<void> };
  /** Authorization headers: a job (applies plans), an owner of `owner`, any reader. */
  as: { job: string; owner: string; reader: string };
  /** The group the `owner` header's user belongs to; the drill's migration is owned by it. */
  owner: string;
}

/**
 * Starts a backend of the plugin on `knex` (the plugin's database) with extra config and
 * features. Injected, so this file does not depend on test utilities; tests and scripts/faults
 * pass `startCutoverBackend` from `src/__testUtils__/backend.ts`.
 */
export type StartDrillBackend = (options: {
  knex: Knex;
  config: Record<string, unknown>;
  extraFeatures: BackendFeature[];
}) => Promise<DrillBackend>;

export interface FaultOptions {
  cycles: number;
  startBackend: StartDrillBackend;
  seed?: number;
  /** Share of `job` cycles (default 0.2) and of `create` cycles (default 0.2); the rest restore. */
  jobShare?: number;
  createShare?: number;
  /** Only these kinds of cycle (default: all, by the shares above). */
  modes?: Array<'restore' | 'create' | 'job'>;
  /** Always kill at one of these markers, right away (default: random plans). */
  killAt?: string[];
  /** Rows of the two tables when seeded (default 3,000 and 1,500). */
  rows?: [number, number];
  /** Called with one line per cycle (and per anomaly). */
  log?: (line: string) => void;
}

export interface FaultSummary {
  database: string;
  seed: number;
  cycles: number;
  cyclesByMode: Record<'restore' | 'create' | 'job', number>;
  /** Kills by the phase they landed in; `timer:<phase>` for kills at a random time. */
  kills: Record<string, number>;
  /** Children that ran to the end (not killed). */
  finished: number;
  /** Per dataset after restore and job cycles. */
  outcomes: { before: number; restored: number };
  /** Per dataset after create cycles: no copy left, or a complete copy (then deleted). */
  copies: { none: number; complete: number };
  jobs: {
    /** Killed before the rollback row existed. */
    notAccepted: number;
    /** Finished (SUCCEEDED or FAILED) by the child itself. */
    finishedByChild: number;
    /** Left PENDING/RUNNING by the killed child, failed by the fresh backend's start-up sweep. */
    failedAtStartup: number;
    /** ... failed only by triggering the sweep task by hand. */
    failedByTriggeredSweep: number;
    /** Rollbacks accepted and completed after a swept job (the migration was not left blocked). */
    recovered: number;
    /** Datasets restored (data proves it) that the killed job does not report RESTORED. */
    unreportedRestores: number;
    /** Snapshot copy tables no snapshot record refers to, left by killed jobs (dropped here). */
    orphanCopies: number;
  };
  mismatches: number;
  mismatchDetails: string[];
  /** Children that failed other than by the kill (should be none). */
  childErrors: string[];
  durationMs: number;
}

// ---------------------------------------------------------------------------------------------
// Randomness: seeded, so a failing run can be repeated.

type Random = () => number;

function seededRandom(seed: number): Random {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function pick<T>(random: Random, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)];
}

function int(random: Random, below: number): number {
  return Math.floor(random() * below);
}

const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms));

// ---------------------------------------------------------------------------------------------
// The datasets: two tables with composite keys and nullable columns of several types.

interface DatasetSpec {
  name: string;
  table: string;
  keys: string[];
  columns: string[];
  /** A fresh row (its key from `key`). */
  row(random: Random, key: Record<string, unknown>): Record<string, unknown>;
  /** A key no row has (`taken` holds the keys of rows present, as JSON). */
  newKey(random: Random, taken: Set<string>): Record<string, unknown>;
}

const REGIONS = ['eu', 'us', 'apac', 'latam', 'mea'];

function maybe<T>(random: Random, nullShare: number, value: () => T): T | null {
  return random() < nullShare ? null : value();
}

function noteValue(random: Random): string {
  const r = random();
  if (r < 0.1) return '';
  if (r < 0.15) return 'quote \' and "double", comma, newline\n';
  return `note-${Math.floor(random() * 1e9).toString(36)}`;
}

const DATASETS: DatasetSpec[] = [
  {
    name: 'alpha',
    table: 'fault_alpha',
    keys: ['region', 'id'],
    columns: ['region', 'id', 'amount', 'note', 'flag', 'seen_at'],
    row: (random, key) => ({
      ...key,
      amount: maybe(random, 0.2, () => (random() * 20000 - 5000).toFixed(2)),
      note: maybe(random, 0.15, () => noteValue(random)),
      flag: maybe(random, 0.3, () => random() < 0.5),
      seen_at: maybe(random, 0.25, () => 1_700_000_000_000 + int(random, 1e9)),
    }),
    newKey: (random, taken) => {
      for (;;) {
        const key = {
          region: pick(random, REGIONS),
          id: 1 + int(random, 1_000_000),
        };
        if (!taken.has(JSON.stringify([key.region, key.id]))) return key;
      }
    },
  },
  {
    name: 'beta',
    table: 'fault_beta',
    keys: ['tenant', 'code'],
    columns: ['tenant', 'code', 'payload', 'qty'],
    row: (random, key) => ({
      ...key,
      payload: maybe(random, 0.2, () => noteValue(random)),
      qty: maybe(random, 0.2, () => int(random, 2_000_000) - 1_000_000),
    }),
    newKey: (random, taken) => {
      for (;;) {
        const key = {
          tenant: 1 + int(random, 40),
          code: `c${int(random, 1e8).toString(36)}`,
        };
        if (!taken.has(JSON.stringify([key.tenant, key.code]))) return key;
      }
    },
  },
];

function target(ds: DatasetSpec): CutoverDatasetTarget {
  return {
    migrationId: MIGRATION,
    dataset: ds.name,
    connection: FAULT_CONNECTION,
    table: ds.table,
    keyColumns: ds.keys,
  };
}

async function createTables(knex: Knex) {
  for (const ds of DATASETS) await knex.schema.dropTableIfExists(ds.table);
  await knex.schema.createTable('fault_alpha', t => {
    t.string('region', 8).notNullable();
    t.integer('id').notNullable();
    t.decimal('amount', 12, 2);
    t.text('note');
    t.boolean('flag');
    t.bigInteger('seen_at');
    t.primary(['region', 'id']);
  });
  await knex.schema.createTable('fault_beta', t => {
    t.integer('tenant').notNullable();
    t.string('code', 16).notNullable();
    t.text('payload');
    t.integer('qty');
    t.primary(['tenant', 'code']);
  });
}

/** Replaces the table's rows with `count` fresh ones. */
async function seedRows(
  knex: Knex,
  random: Random,
  ds: DatasetSpec,
  count: number,
) {
  const taken = new Set<string>();
  const rows = [];
  for (let n = 0; n < count; n++) {
    const key = ds.newKey(random, taken);
    taken.add(JSON.stringify(ds.keys.map(k => key[k])));
    rows.push(ds.row(random, key));
  }
  await knex(ds.table).delete();
  await knex.batchInsert(ds.table, rows, 200);
}

function normalize(value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (typeof value === 'bigint') return value.toString();
  if (Buffer.isBuffer(value)) return value.toString('hex');
  return value;
}

interface RowSet {
  /** The rows in key order, one JSON array each, joined by newlines. */
  text: string;
  count: number;
  keys: Array<Record<string, unknown>>;
}

async function readRows(knex: Knex, ds: DatasetSpec): Promise<RowSet> {
  const rows: Array<Record<string, unknown>> = await knex(ds.table)
    .select(ds.columns)
    .orderBy(ds.keys);
  return {
    text: rows
      .map(r => JSON.stringify(ds.columns.map(c => normalize(r[c]))))
      .join('\n'),
    count: rows.length,
    keys: rows.map(r => Object.fromEntries(ds.keys.map(k => [k, r[k]]))),
  };
}

/**
 * Random damage of the kind a bad cutover does: inserts, updates (to NULL, to '', of keys),
 * deletes, and now and then a bulk change. Guarantees the table differs from `current` afterwards.
 */
async function mutate(
  knex: Knex,
  random: Random,
  ds: DatasetSpec,
  current: RowSet,
  targetCount: number,
) {
  const taken = new Set(
    current.keys.map(k => JSON.stringify(ds.keys.map(c => k[c]))),
  );
  const present = [...current.keys];
  const where = (key: Record<string, unknown>) => knex(ds.table).where(key);
  const operations = 1 + int(random, 40);
  const insertShare = present.length > targetCount ? 0.25 : 0.4;
  for (let n = 0; n < operations; n++) {
    const r = random();
    if (r < insertShare || !present.length) {
      const key = ds.newKey(random, taken);
      taken.add(JSON.stringify(ds.keys.map(c => key[c])));
      await knex(ds.table).insert(ds.row(random, key));
      present.push(key);
    } else if (r < 0.75) {
      const i = int(random, present.length);
      const fresh = ds.row(random, present[i]);
      const changed = Object.fromEntries(
        ds.columns
          .filter(c => !ds.keys.includes(c) && random() < 0.6)
          .map(c => [c, fresh[c]]),
      );
      if (random() < 0.1) {
        // Change the key: for a restore that is one row deleted and one inserted.
        const key = ds.newKey(random, taken);
        taken.add(JSON.stringify(ds.keys.map(c => key[c])));
        Object.assign(changed, key);
        await where(present[i]).update(changed);
        present[i] = key;
      } else if (Object.keys(changed).length) {
        await where(present[i]).update(changed);
      }
    } else {
      const i = int(random, present.length);
      await where(present[i]).delete();
      present.splice(i, 1);
    }
  }
  if (random() < 0.08 && present.length) {
    // A bulk change of every row sharing the first key column's value (a fifth of alpha, a
    // fortieth of beta): more work for the restore, more room for a kill to land mid-statement.
    const [first] = ds.keys;
    const value = present[int(random, present.length)][first] as Knex.Value;
    if (random() < 0.5) {
      await knex(ds.table).where(first, value).delete();
    } else {
      const column = ds.columns.find(c => !ds.keys.includes(c))!;
      await knex(ds.table)
        .where(first, value)
        .update({ [column]: null });
    }
  }
  if ((await readRows(knex, ds)).text === current.text) {
    await knex(ds.table).insert(ds.row(random, ds.newKey(random, taken)));
  }
}

// ---------------------------------------------------------------------------------------------
// The child and the kill

type KillPlan =
  | { kind: 'none' }
  | { kind: 'marker'; phase: string; dataset?: string; delayMs: number }
  | { kind: 'timer'; afterReadyMs: number };

interface ChildRun {
  killed: boolean;
  /** Where the kill was aimed (the marker, or `timer:<last marker seen>`). */
  killPhase?: string;
  phases: string[];
  result?: any;
  error?: string;
  stderr: string;
  exit: string;
  /** From `PHASE ready` to exit, for children that finished. */
  runMs?: number;
  rollbackId?: string;
}

/** Markers that sit inside a transaction carry a percentage between 1 and 99. */
const PROGRESS_PHASES = new Set(['create-progress', 'restore-progress']);

function matches(
  plan: KillPlan,
  phase: string,
  dataset: string | undefined,
  percent: number,
) {
  if (plan.kind !== 'marker' || plan.phase !== phase) return false;
  if (plan.dataset && plan.dataset !== dataset) return false;
  return !PROGRESS_PHASES.has(phase) || (percent > 0 && percent < 100);
}

function runChild(
  db: FaultDatabase,
  task: FaultTask,
  plan: KillPlan,
  appName: string,
): Promise<ChildRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['-r', '@backstage/cli/config/nodeTransform.cjs', CHILD],
      {
        cwd: PACKAGE_DIR,
        env: {
          ...process.env,
          NODE_ENV: 'production',
          SWITCHYARD_FAULT_DB: db.childDb,
          SWITCHYARD_FAULT_TASK: JSON.stringify(task),
          SWITCHYARD_FAULT_APP_NAME: appName,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const run: ChildRun = { killed: false, phases: [], stderr: '', exit: '' };
    let buffer = '';
    let readyAt: number | undefined;
    let last = 'spawned';
    const kill = (label: string) => {
      if (
        run.killPhase !== undefined ||
        child.exitCode !== null ||
        child.signalCode !== null
      )
        return;
      run.killPhase = label;
      child.kill('SIGKILL');
    };
    const hung = setTimeout(() => kill('hung'), 180_000);
    const onLine = (line: string) => {
      if (line.startsWith('RESULT ')) {
        run.result = JSON.parse(line.slice('RESULT '.length));
        return;
      }
      if (line.startsWith('ERROR ')) {
        run.error = line.slice('ERROR '.length);
        return;
      }
      if (!line.startsWith('PHASE ')) return;
      const [phase, arg, percent] = line.slice('PHASE '.length).split(' ');
      last = phase;
      run.phases.push(line.slice('PHASE '.length));
      if (phase === 'job-accepted') run.rollbackId = arg;
      if (phase === 'ready') {
        readyAt = Date.now();
        if (plan.kind === 'timer')
          setTimeout(() => kill(`timer:${last}`), plan.afterReadyMs);
      }
      if (matches(plan, phase, arg, Number(percent))) {
        if (plan.kind === 'marker' && plan.delayMs > 0) {
          setTimeout(() => kill(`${phase}+delay`), plan.delayMs);
        } else {
          kill(phase);
        }
      }
    };
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      buffer += chunk;
      for (let nl = buffer.indexOf('\n'); nl >= 0; nl = buffer.indexOf('\n')) {
        onLine(buffer.slice(0, nl));
        buffer = buffer.slice(nl + 1);
      }
    });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      run.stderr = (run.stderr + chunk).slice(-4000);
    });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(hung);
      run.killed = signal === 'SIGKILL';
      run.exit = signal ?? `code ${code}`;
      if (!run.killed) {
        run.killPhase = undefined;
        if (readyAt) run.runMs = Date.now() - readyAt;
      }
      resolve(run);
    });
  });
}

/**
 * On PostgreSQL the server ends a killed client's session when it notices the closed socket; until
 * then its transaction (and a COMMIT already sent) may still complete. Wait for that, so that what
 * is checked is final.
 */
async function waitForSessionsToEnd(db: FaultDatabase, appName: string) {
  if (!db.isPostgres) return;
  for (let i = 0; i < 3000; i++) {
    const { rows } = await db.knex.raw(
      'select count(*)::int as n from pg_stat_activity where application_name = ?',
      [appName],
    );
    if (rows[0].n === 0) return;
    await sleep(10);
  }
  throw new Error(
    `Sessions of the killed child ${appName} did not end within 30 s`,
  );
}

// ---------------------------------------------------------------------------------------------
// The drill

interface DatasetState {
  rows: RowSet;
  checksum: string;
  recordCount: number;
}

type Outcome = 'before' | 'restored' | 'other';

class Drill {
  readonly #db: FaultDatabase;
  readonly #random: Random;
  readonly #options: FaultOptions;
  readonly #provider: KnexSnapshotProvider;
  readonly #summary: FaultSummary;
  readonly #estimates = { restore: 400, create: 150, job: 900 };
  #backend?: DrillBackend;
  #cycle = 0;

  constructor(db: FaultDatabase, options: FaultOptions, seed: number) {
    this.#db = db;
    this.#options = options;
    this.#random = seededRandom(seed);
    this.#provider = new KnexSnapshotProvider(
      new CutoverConnections({ [FAULT_CONNECTION]: db.knex }),
    );
    this.#summary = {
      database: db.label,
      seed,
      cycles: 0,
      cyclesByMode: { restore: 0, create: 0, job: 0 },
      kills: {},
      finished: 0,
      outcomes: { before: 0, restored: 0 },
      copies: { none: 0, complete: 0 },
      jobs: {
        notAccepted: 0,
        finishedByChild: 0,
        failedAtStartup: 0,
        failedByTriggeredSweep: 0,
        recovered: 0,
        unreportedRestores: 0,
        orphanCopies: 0,
      },
      mismatches: 0,
      mismatchDetails: [],
      childErrors: [],
      durationMs: 0,
    };
  }

  get summary() {
    return this.#summary;
  }

  #log(line: string) {
    this.#options.log?.(line);
  }

  #mismatch(detail: string) {
    this.#summary.mismatches++;
    const line = `MISMATCH [${this.#db.label} cycle ${this.#cycle}, seed ${
      this.#summary.seed
    }] ${detail}`;
    this.#summary.mismatchDetails.push(line);
    this.#log(line);
  }

  #childError(run: ChildRun, what: string) {
    const line = `child error [${this.#db.label} cycle ${
      this.#cycle
    }] ${what}: ${run.error ?? run.exit} ${run.stderr.trim().slice(-600)}`;
    this.#summary.childErrors.push(line);
    this.#log(line);
  }

  /** Starts a backend of the plugin on the shared database, with the provider on this connection. */
  async #startBackend() {
    const provider = new KnexSnapshotProvider(
      new CutoverConnections({ [FAULT_CONNECTION]: this.#db.knex }),
    );
    const providerModule = createBackendModule({
      pluginId: 'cutover',
      moduleId: `fault-drill-provider-${randomBytes(4).toString('hex')}`,
      register(reg) {
        reg.registerInit({
          deps: { providers: cutoverSnapshotProvidersExtensionPoint },
          async init({ providers }) {
            providers.addSnapshotProvider(provider);
          },
        });
      },
    });
    return this.#options.startBackend({
      knex: this.#db.knex,
      config: {
        cutover: {
          snapshots: {
            staleAfter: { seconds: STALE_AFTER_MS / 1000 },
            heartbeat: { milliseconds: CHILD_HEARTBEAT_MS },
          },
        },
      },
      extraFeatures: [providerModule],
    });
  }

  async setUp(rows: [number, number]) {
    await createTables(this.#db.knex);
    for (const [i, ds] of DATASETS.entries())
      await seedRows(this.#db.knex, this.#random, ds, rows[i]);
    for (const table of await this.#copyTables())
      await this.#db.knex.schema.dropTableIfExists(table);
    this.#backend = await this.#startBackend();
    const plan: MigrationPlan = {
      id: MIGRATION,
      title: 'Fault drill',
      owner: this.#backend.owner,
      entityRefs: [],
      destination: { connection: FAULT_CONNECTION },
      datasets: DATASETS.map((ds, i) => ({
        name: ds.name,
        tier: i + 1,
        table: ds.table,
        keyColumns: ds.keys,
        totalRecords: rows[i],
      })),
    };
    const res = await this.#backend
      .api()
      .put(MIGRATION_PATH)
      .set('authorization', this.#backend.as.job)
      .send(plan);
    if (res.status !== 201 && res.status !== 200) {
      throw new Error(
        `Could not apply the drill's plan: ${res.status} ${JSON.stringify(
          res.body,
        )}`,
      );
    }
  }

  async tearDown() {
    await this.#backend?.backend.stop();
    this.#backend = undefined;
  }

  async #copyTables(): Promise<string[]> {
    const knex = this.#db.knex;
    if (this.#db.isPostgres) {
      const { rows } = await knex.raw(
        `select tablename from pg_tables where schemaname = current_schema() and tablename like 'cutover\\_snap\\_%'`,
      );
      return rows.map((r: { tablename: string }) => r.tablename);
    }
    const rows = await knex.raw(
      `select name from sqlite_master where type = 'table' and name like 'cutover\\_snap\\_%' escape '\\'`,
    );
    return rows.map((r: { name: string }) => r.name);
  }

  async #state(ds: DatasetSpec): Promise<DatasetState> {
    const measured = await this.#provider.measure(target(ds));
    return {
      rows: await readRows(this.#db.knex, ds),
      checksum: measured.checksum,
      recordCount: measured.recordCount,
    };
  }

  /** The kill plan of a cycle: mostly at a marker, often at a random time, sometimes never. */
  #plan(mode: 'restore' | 'create' | 'job', backup: boolean): KillPlan {
    const perDataset = (phase: string) =>
      phase !== 'ready' && phase !== 'job-accepted';
    if (this.#options.killAt) {
      const phase = pick(this.#random, this.#options.killAt);
      const dataset = pick(this.#random, DATASETS).name;
      return {
        kind: 'marker',
        phase,
        dataset: perDataset(phase) ? dataset : undefined,
        delayMs: 0,
      };
    }
    const r = this.#random();
    if (r < 0.1) return { kind: 'none' };
    if (r < 0.4) {
      return {
        kind: 'timer',
        afterReadyMs: Math.floor(this.#random() * this.#estimates[mode] * 1.1),
      };
    }
    const restorePhases = [
      'restore-start',
      'restore-progress',
      'after-differential',
      'before-commit',
      'restored',
    ];
    const createPhases = ['create-start', 'create-progress', 'created'];
    let phases = ['ready', ...restorePhases];
    if (mode === 'create') phases = ['ready', ...createPhases];
    if (mode === 'job')
      phases = [
        'ready',
        'job-accepted',
        ...(backup ? createPhases : []),
        ...restorePhases,
      ];
    const phase = pick(this.#random, phases);
    const dataset = pick(this.#random, DATASETS).name;
    return {
      kind: 'marker',
      phase,
      dataset: perDataset(phase) ? dataset : undefined,
      delayMs: this.#random() < 0.7 ? 0 : int(this.#random, 15),
    };
  }

  #count(run: ChildRun) {
    if (run.killed) {
      const phase = run.killPhase ?? 'unknown';
      this.#summary.kills[phase] = (this.#summary.kills[phase] ?? 0) + 1;
    } else {
      this.#summary.finished++;
    }
  }

  #learn(mode: 'restore' | 'create' | 'job', run: ChildRun) {
    if (run.runMs !== undefined && !run.error) {
      this.#estimates[mode] = Math.round(
        this.#estimates[mode] * 0.7 + run.runMs * 0.3,
      );
    }
  }

  async #runChild(
    mode: 'restore' | 'create' | 'job',
    task: FaultTask,
    plan: KillPlan,
  ): Promise<ChildRun> {
    const appName = `sy-fault-${process.pid}-${this.#cycle}`;
    const run = await runChild(this.#db, task, plan, appName);
    await waitForSessionsToEnd(this.#db, appName);
    this.#count(run);
    this.#learn(mode, run);
    if (run.killPhase === 'hung')
      this.#mismatch(
        `the child hung (${mode}); phases ${run.phases.join(', ')}`,
      );
    return run;
  }

  /**
   * Classifies each dataset as exactly BEFORE or exactly the snapshot, by rows and by checksum
   * (they must agree), and checks that datasets were restored in order (a later one never without
   * the earlier ones).
   */
  async #checkDatasets(
    what: string,
    before: Record<string, DatasetState>,
    snapshot: Record<string, DatasetState>,
  ): Promise<Outcome[]> {
    const outcomes: Outcome[] = [];
    for (const ds of DATASETS) {
      const now = await this.#state(ds);
      let byRows: Outcome = 'other';
      if (now.rows.text === before[ds.name].rows.text) byRows = 'before';
      else if (now.rows.text === snapshot[ds.name].rows.text)
        byRows = 'restored';
      let byChecksum: Outcome = 'other';
      if (
        now.checksum === before[ds.name].checksum &&
        now.recordCount === before[ds.name].recordCount
      ) {
        byChecksum = 'before';
      } else if (
        now.checksum === snapshot[ds.name].checksum &&
        now.recordCount === snapshot[ds.name].recordCount
      ) {
        byChecksum = 'restored';
      }
      if (byRows === 'other' || byRows !== byChecksum) {
        this.#mismatch(
          `${what}: dataset ${
            ds.name
          } is by rows ${byRows}, by checksum ${byChecksum} (${
            now.rows.count
          } rows; before ${before[ds.name].rows.count}, snapshot ${
            snapshot[ds.name].rows.count
          }; checksum ${now.checksum})`,
        );
      } else {
        this.#summary.outcomes[byRows]++;
      }
      outcomes.push(byRows);
    }
    const firstBefore = outcomes.indexOf('before');
    if (firstBefore >= 0 && outcomes.slice(firstBefore).includes('restored')) {
      this.#mismatch(
        `${what}: datasets restored out of order (${outcomes.join(', ')})`,
      );
    }
    return outcomes;
  }

  async #snapshotInProcess(snapshotId: string) {
    const figures: Record<string, SnapshotDatasetFigures> = {};
    const state: Record<string, DatasetState> = {};
    for (const ds of DATASETS) {
      figures[ds.name] = await this.#provider.create(
        snapshotId,
        target(ds),
        () => undefined,
      );
      state[ds.name] = {
        rows: await readRows(this.#db.knex, ds),
        checksum: figures[ds.name].checksum,
        recordCount: figures[ds.name].recordCount,
      };
    }
    return { figures, state };
  }

  async #damage(
    snapshot: Record<string, DatasetState>,
    seeded: [number, number],
  ) {
    const before: Record<string, DatasetState> = {};
    for (const [i, ds] of DATASETS.entries()) {
      await mutate(
        this.#db.knex,
        this.#random,
        ds,
        snapshot[ds.name].rows,
        seeded[i],
      );
      before[ds.name] = await this.#state(ds);
    }
    return before;
  }

  async restoreCycle(seeded: [number, number]) {
    this.#summary.cyclesByMode.restore++;
    const snapshotId = randomUUID();
    const snap = await this.#snapshotInProcess(snapshotId);
    const before = await this.#damage(snap.state, seeded);
    const task: FaultTask = {
      mode: 'restore',
      snapshotId,
      targets: DATASETS.map(target),
      figures: snap.figures,
      holdMs: int(this.#random, 12),
      forceFullReplace: this.#random() < 0.25,
    };
    const plan = this.#plan('restore', false);
    const run = await this.#runChild('restore', task, plan);
    if (!run.killed && run.error) this.#childError(run, 'restore');
    const outcomes = await this.#checkDatasets(
      `restore killed at ${run.killPhase ?? 'never'}`,
      before,
      snap.state,
    );
    if (!run.killed && !run.error && outcomes.some(o => o !== 'restored')) {
      this.#mismatch(
        `restore finished but datasets are ${outcomes.join(', ')}`,
      );
    }
    for (const ds of DATASETS)
      await this.#provider.delete(
        snapshotId,
        target(ds),
        snap.figures[ds.name],
      );
    const left = (await this.#copyTables()).filter(t =>
      DATASETS.some(ds => snapshotTableName(snapshotId, target(ds)) === t),
    );
    if (left.length) this.#mismatch(`delete left copies ${left.join(', ')}`);
    this.#log(
      `cycle ${this.#cycle} restore: ${
        run.killPhase ?? 'finished'
      } -> ${outcomes.join(', ')}${
        task.forceFullReplace ? ' (full replace)' : ''
      }`,
    );
  }

  async createCycle() {
    this.#summary.cyclesByMode.create++;
    const snapshotId = randomUUID();
    const live: Record<string, DatasetState> = {};
    for (const ds of DATASETS) live[ds.name] = await this.#state(ds);
    const task: FaultTask = {
      mode: 'create',
      snapshotId,
      targets: DATASETS.map(target),
      holdMs: int(this.#random, 12),
    };
    const plan = this.#plan('create', false);
    const run = await this.#runChild('create', task, plan);
    if (!run.killed && run.error) this.#childError(run, 'create');
    const found: string[] = [];
    for (const ds of DATASETS) {
      const now = await this.#state(ds);
      if (
        now.rows.text !== live[ds.name].rows.text ||
        now.checksum !== live[ds.name].checksum
      ) {
        this.#mismatch(
          `snapshot creation killed at ${
            run.killPhase ?? 'never'
          } changed the live table of ${ds.name}`,
        );
      }
      const name = snapshotTableName(snapshotId, target(ds));
      const exists = (await this.#copyTables()).includes(name);
      const completed = run.result?.[ds.name] as
        | SnapshotDatasetFigures
        | undefined;
      if (
        completed &&
        (completed.checksum !== live[ds.name].checksum || !exists)
      ) {
        this.#mismatch(
          `snapshot of ${ds.name} reported ${
            completed.checksum
          } but the table is ${live[ds.name].checksum}${
            exists ? '' : ' and no copy exists'
          }`,
        );
      }
      if (!exists) {
        this.#summary.copies.none++;
        found.push('none');
        continue;
      }
      found.push('complete');
      const copy = await this.#provider.measure({ ...target(ds), table: name });
      if (
        copy.checksum !== live[ds.name].checksum ||
        copy.recordCount !== live[ds.name].recordCount
      ) {
        this.#mismatch(
          `a partial copy of ${ds.name} was left (${copy.recordCount} rows, ${
            copy.checksum
          }; live ${live[ds.name].checksum})`,
        );
      } else {
        this.#summary.copies.complete++;
      }
      const location = this.#db.isPostgres
        ? `${await this.#schema()}.${name}`
        : name;
      await this.#provider.delete(snapshotId, target(ds), {
        dataset: ds.name,
        recordCount: 0,
        sizeBytes: 0,
        checksum: '',
        location,
      });
      if ((await this.#copyTables()).includes(name))
        this.#mismatch(`delete did not remove the copy ${name}`);
    }
    if (found[0] === 'none' && found.slice(1).includes('complete')) {
      this.#mismatch(`copies made out of order (${found.join(', ')})`);
    }
    this.#log(
      `cycle ${this.#cycle} create: ${
        run.killPhase ?? 'finished'
      } -> copies ${found.join(', ')}`,
    );
  }

  async #schema(): Promise<string> {
    const { rows } = await this.#db.knex.raw('select current_schema() as s');
    return rows[0].s;
  }

  async #until(
    backend: DrillBackend,
    url: string,
    done: (body: any) => boolean,
  ): Promise<any> {
    for (let i = 0; i < 1200; i++) {
      const res = await backend
        .api()
        .get(url)
        .set('authorization', backend.as.reader);
      if (done(res.body)) return res.body;
      await sleep(25);
    }
    throw new Error(`timed out waiting for ${url}`);
  }

  async jobCycle(seeded: [number, number]) {
    this.#summary.cyclesByMode.job++;
    const backend = this.#backend!;
    const knex = this.#db.knex;
    const finished = (b: any) =>
      b.status === 'SUCCEEDED' || b.status === 'FAILED';
    const accepted = await backend
      .api()
      .post(`${MIGRATION_PATH}/snapshots`)
      .set('authorization', backend.as.owner)
      .send({ name: `drill ${this.#cycle}` });
    if (accepted.status !== 202)
      throw new Error(
        `snapshot refused: ${accepted.status} ${JSON.stringify(accepted.body)}`,
      );
    const taken = await this.#until(
      backend,
      `${MIGRATION_PATH}/snapshots/${accepted.body.id}`,
      finished,
    );
    if (taken.status !== 'SUCCEEDED')
      throw new Error(`snapshot failed: ${taken.error}`);
    const snap: Record<string, DatasetState> = {};
    for (const ds of DATASETS) {
      snap[ds.name] = {
        rows: await readRows(knex, ds),
        checksum: taken.checksums[ds.name],
        recordCount: taken.recordCounts[ds.name],
      };
    }
    const before = await this.#damage(snap, seeded);
    const createBackup = this.#random() < 0.4;
    const task: FaultTask = {
      mode: 'job',
      migrationId: MIGRATION,
      snapshotId: taken.id,
      createBackup,
      holdMs: int(this.#random, 12),
      forceFullReplace: this.#random() < 0.2,
      heartbeatMs: CHILD_HEARTBEAT_MS,
    };
    const known = new Set(
      (
        await knex('cutover_rollbacks')
          .where({ migration_id: MIGRATION })
          .select('id')
      ).map(r => r.id),
    );
    const plan = this.#plan('job', createBackup);
    const run = await this.#runChild('job', task, plan);
    if (!run.killed && (run.error || run.result?.status !== 'SUCCEEDED')) {
      this.#childError(
        { ...run, error: run.error ?? JSON.stringify(run.result) },
        'job',
      );
    }
    const what = `rollback job killed at ${run.killPhase ?? 'never'}${
      createBackup ? ' (with backup)' : ''
    }`;
    const outcomes = await this.#checkDatasets(what, before, snap);
    const rows = await knex('cutover_rollbacks')
      .where({ migration_id: MIGRATION })
      .select('id', 'status', 'heartbeat_at');
    const mine = rows.filter(r => !known.has(r.id));
    let verdict = 'not accepted';
    if (!mine.length) {
      this.#summary.jobs.notAccepted++;
      if (outcomes.some(o => o !== 'before'))
        this.#mismatch(
          `${what}: no rollback was accepted, yet data changed (${outcomes.join(
            ', ',
          )})`,
        );
    } else {
      verdict = await this.#settleJob(
        what,
        mine[0].id,
        mine[0].status,
        outcomes,
      );
    }
    await this.#cleanUpSnapshots();
    this.#log(
      `cycle ${this.#cycle} job: ${run.killPhase ?? 'finished'}${
        createBackup ? ' +backup' : ''
      } -> ${outcomes.join(', ')}; ${verdict}`,
    );
  }

  /** After a killed job: its row must end up finished (by the child, or failed by a sweep). */
  async #settleJob(
    what: string,
    id: string,
    status: string,
    outcomes: Outcome[],
  ): Promise<string> {
    const knex = this.#db.knex;
    let verdict = `finished by the child (${status})`;
    if (status === 'PENDING' || status === 'RUNNING') {
      // Wait until the dead child's heartbeats are all stale (its backup snapshot's may be newer
      // than the rollback's), then start a fresh backend: its start-up sweep must find the jobs.
      const [rollback] = await knex('cutover_rollbacks')
        .where({ id })
        .max({ at: 'heartbeat_at' });
      const [snapshots] = await knex('cutover_snapshots')
        .where({ migration_id: MIGRATION })
        .whereIn('status', ['PENDING', 'RUNNING'])
        .max({ at: 'heartbeat_at' });
      const last = Math.max(
        Number(rollback.at ?? 0),
        Number(snapshots.at ?? 0),
      );
      await sleep(Math.max(0, last + STALE_AFTER_MS + 50 - Date.now()));
      const fresh = await this.#startBackend();
      try {
        const url = `${MIGRATION_PATH}/rollbacks/${id}`;
        let job = (
          await fresh.api().get(url).set('authorization', fresh.as.reader)
        ).body;
        if (job.status === 'FAILED') {
          this.#summary.jobs.failedAtStartup++;
          verdict = 'failed by the start-up sweep';
        } else {
          await fresh.scheduler.triggerTask('cutover-snapshot-sweep');
          job = (
            await fresh.api().get(url).set('authorization', fresh.as.reader)
          ).body;
          this.#summary.jobs.failedByTriggeredSweep++;
          verdict = 'failed by a triggered sweep';
        }
        if (
          job.status !== 'FAILED' ||
          !job.errors.some((e: { message: string }) =>
            SWEEP_MESSAGE.test(e.message),
          )
        ) {
          this.#mismatch(
            `${what}: the abandoned rollback is ${
              job.status
            } after the sweep (${JSON.stringify(job.errors)})`,
          );
        }
        const active = await knex('cutover_snapshots')
          .where({ migration_id: MIGRATION })
          .whereIn('status', ['PENDING', 'RUNNING'])
          .count({ n: '*' });
        if (Number(active[0].n) > 0)
          this.#mismatch(
            `${what}: a snapshot job was left running after the sweep`,
          );
        this.#checkReported(what, job.results, outcomes, true);
        await this.#recover(fresh, what, job.snapshotId);
      } finally {
        await fresh.backend.stop();
      }
      return verdict;
    }
    this.#summary.jobs.finishedByChild++;
    const backend = this.#backend!;
    const job = (
      await backend
        .api()
        .get(`${MIGRATION_PATH}/rollbacks/${id}`)
        .set('authorization', backend.as.reader)
    ).body;
    if (job.status === 'SUCCEEDED' && outcomes.some(o => o !== 'restored')) {
      this.#mismatch(
        `${what}: the rollback SUCCEEDED but datasets are ${outcomes.join(
          ', ',
        )}`,
      );
    }
    this.#checkReported(what, job.results, outcomes, false);
    return verdict;
  }

  /** A dataset reported RESTORED must be restored; one restored but not reported is counted. */
  #checkReported(
    what: string,
    results: Array<{ dataset: string; status: string }>,
    outcomes: Outcome[],
    swept: boolean,
  ) {
    for (const [i, ds] of DATASETS.entries()) {
      const reported = results.find(r => r.dataset === ds.name)?.status;
      if (reported === 'RESTORED' && outcomes[i] !== 'restored') {
        this.#mismatch(
          `${what}: ${ds.name} is reported RESTORED but is ${outcomes[i]}`,
        );
      }
      if (reported !== 'RESTORED' && outcomes[i] === 'restored' && swept) {
        this.#summary.jobs.unreportedRestores++;
        this.#log(
          `  note: ${ds.name} was restored (the restore committed) but the dead job reports it ${reported}`,
        );
      }
    }
  }

  /** After a sweep the migration must not be blocked: a new rollback is accepted and restores the snapshot. */
  async #recover(fresh: DrillBackend, what: string, snapshotId: string) {
    const res = await fresh
      .api()
      .post(`${MIGRATION_PATH}/rollbacks`)
      .set('authorization', fresh.as.owner)
      .send({ snapshotId, createBackup: false });
    if (res.status !== 202) {
      this.#mismatch(
        `${what}: after the sweep a new rollback was refused (${
          res.status
        } ${JSON.stringify(res.body)})`,
      );
      return;
    }
    const done = await this.#until(
      fresh,
      `${MIGRATION_PATH}/rollbacks/${res.body.id}`,
      b => b.status === 'SUCCEEDED' || b.status === 'FAILED',
    );
    if (done.status !== 'SUCCEEDED' || done.verified !== true) {
      this.#mismatch(
        `${what}: the rollback after the sweep ended ${
          done.status
        } (${JSON.stringify(done.errors)})`,
      );
    } else {
      this.#summary.jobs.recovered++;
    }
  }

  /** Deletes the cycle's snapshots through the API; copy tables no record knows of are orphans. */
  async #cleanUpSnapshots() {
    const backend = this.#backend!;
    const list = (
      await backend
        .api()
        .get(`${MIGRATION_PATH}/snapshots`)
        .set('authorization', backend.as.reader)
    ).body.items as Array<{ id: string }>;
    for (const s of list) {
      const res = await backend
        .api()
        .delete(`${MIGRATION_PATH}/snapshots/${s.id}`)
        .set('authorization', backend.as.owner);
      if (res.status !== 204)
        this.#mismatch(
          `snapshot ${s.id} could not be deleted: ${
            res.status
          } ${JSON.stringify(res.body)}`,
        );
    }
    const orphans = await this.#copyTables();
    if (orphans.length) {
      this.#summary.jobs.orphanCopies += orphans.length;
      this.#log(
        `  note: ${orphans.length} orphaned snapshot copies (${orphans.join(
          ', ',
        )}) dropped`,
      );
      for (const table of orphans)
        await this.#db.knex.schema.dropTableIfExists(table);
    }
  }

  async cycle(seeded: [number, number]) {
    // Random damage and partial restores make the tables drift; keep them near their size.
    for (const [i, ds] of DATASETS.entries()) {
      const [{ n }] = await this.#db.knex(ds.table).count({ n: '*' });
      if (Number(n) < seeded[i] / 2 || Number(n) > seeded[i] * 2) {
        await seedRows(this.#db.knex, this.#random, ds, seeded[i]);
      }
    }
    this.#cycle++;
    this.#summary.cycles++;
    const r = this.#random();
    const jobShare = this.#options.jobShare ?? 0.2;
    const createShare = this.#options.createShare ?? 0.2;
    let mode: 'restore' | 'create' | 'job' = 'restore';
    if (this.#options.modes) mode = pick(this.#random, this.#options.modes);
    else if (r < jobShare) mode = 'job';
    else if (r < jobShare + createShare) mode = 'create';
    if (mode === 'job') await this.jobCycle(seeded);
    else if (mode === 'create') await this.createCycle();
    else await this.restoreCycle(seeded);
  }
}

/** Runs the drill's cycles on one database; see the comment at the top of this file. */
export async function runFaultCycles(
  db: FaultDatabase,
  options: FaultOptions,
): Promise<FaultSummary> {
  const started = Date.now();
  const seed = options.seed ?? Math.floor(Math.random() * 2 ** 31);
  const rows = options.rows ?? [3000, 1500];
  const drill = new Drill(db, options, seed);
  await drill.setUp(rows);
  try {
    for (let i = 0; i < options.cycles; i++) await drill.cycle(rows);
  } finally {
    await drill.tearDown();
  }
  drill.summary.durationMs = Date.now() - started;
  return drill.summary;
}

/** One line for humans (and CI logs). */
export function formatSummary(s: FaultSummary): string {
  const kills = Object.entries(s.kills)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([phase, n]) => `${phase}=${n}`)
    .join(' ');
  const killed = Object.values(s.kills).reduce((a, b) => a + b, 0);
  const j = s.jobs;
  return [
    `fault drill ${s.database}: ${s.cycles} cycles (restore ${
      s.cyclesByMode.restore
    }, create ${s.cyclesByMode.create}, job ${s.cyclesByMode.job}) in ${(
      s.durationMs / 1000
    ).toFixed(1)} s, seed ${s.seed}`,
    `  killed ${killed} (${kills}), ran to the end ${s.finished}`,
    `  datasets afterwards: before ${s.outcomes.before}, restored ${s.outcomes.restored}; killed snapshots: no copy ${s.copies.none}, complete copy ${s.copies.complete} (deleted)`,
    `  jobs: not accepted ${j.notAccepted}, finished by the child ${j.finishedByChild}, failed by the start-up sweep ${j.failedAtStartup}, by a triggered sweep ${j.failedByTriggeredSweep}, rollback accepted again ${j.recovered}; restored but not reported ${j.unreportedRestores}; orphaned copies ${j.orphanCopies}`,
    `  MISMATCHES ${s.mismatches}; child errors ${s.childErrors.length}`,
  ].join('\n');
}

/** A SQLite database FILE the child can open too. */
export async function sqliteFaultDatabase(
  file: string,
  journal: 'delete' | 'wal',
): Promise<FaultDatabase> {
  const knex = knexFactory({
    client: 'better-sqlite3',
    connection: { filename: file },
    useNullAsDefault: true,
  });
  await knex.raw(
    `PRAGMA journal_mode = ${journal === 'wal' ? 'WAL' : 'DELETE'}`,
  );
  return {
    label: journal === 'wal' ? 'SQLite (WAL)' : 'SQLite (rollback journal)',
    knex,
    childDb: file,
    isPostgres: false,
  };
}

/** A PostgreSQL database given by a Knex instance; the child gets the same database as a URL. */
export function postgresFaultDatabase(
  knex: Knex,
  label = 'PostgreSQL',
): FaultDatabase {
  const connection = knex.client.config.connection as
    | string
    | Record<string, unknown>;
  let url: string;
  if (typeof connection === 'string') {
    url = connection;
  } else {
    const u = new URL('postgresql://localhost');
    u.hostname = String(connection.host ?? '127.0.0.1');
    u.port = String(connection.port ?? 5432);
    u.username = String(connection.user ?? 'postgres');
    if (connection.password) u.password = String(connection.password);
    u.pathname = `/${String(connection.database)}`;
    url = u.toString();
  }
  return { label, knex, childDb: url, isPostgres: true };
}

// ---------------------------------------------------------------------------------------------
// Command line (scripts/faults)

function option(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

/**
 * `--database sqlite|sqlite-wal|pg --cycles N [--seed S] [--verbose]`; PostgreSQL: a fresh
 * database on the server of SWITCHYARD_TEST_POSTGRES_URL (or
 * BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING), dropped afterwards. Prints the summary,
 * every mismatch and a `RESULT` line; exits 1 on any mismatch or child error.
 */
export async function runFromCommandLine(
  startBackend: StartDrillBackend,
): Promise<never> {
  try {
    process.exit((await commandLine(startBackend)) ? 0 : 1);
  } catch (error) {
    process.stderr.write(
      `${error instanceof Error ? error.stack : String(error)}\n`,
    );
    process.exit(2);
  }
}

async function commandLine(startBackend: StartDrillBackend): Promise<boolean> {
  const kind = option('database') ?? 'sqlite';
  const cycles = Number(option('cycles') ?? 100);
  const seed = option('seed') ? Number(option('seed')) : undefined;
  const verbose = process.argv.includes('--verbose');
  let done = 0;
  const log = (line: string) => {
    if (line.startsWith('cycle ')) {
      done++;
      if (!verbose && done % 50 !== 0) return;
      if (!verbose) {
        process.stdout.write(`[${kind}] ${done}/${cycles} cycles\n`);
        return;
      }
    }
    process.stdout.write(`[${kind}] ${line}\n`);
  };
  let db: FaultDatabase;
  let cleanUp: () => Promise<void>;
  if (kind === 'pg') {
    const server =
      process.env.SWITCHYARD_TEST_POSTGRES_URL ??
      process.env.BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING ??
      'postgresql://postgres@127.0.0.1:5432';
    const name = `switchyard_faults_${randomBytes(6).toString('hex')}`;
    const adminUrl = new URL(server);
    adminUrl.pathname = '/postgres';
    const admin = knexFactory({
      client: 'pg',
      connection: adminUrl.toString(),
    });
    await admin.raw('CREATE DATABASE ??', [name]);
    const u = new URL(server);
    u.pathname = `/${name}`;
    db = postgresFaultDatabase(
      knexFactory({ client: 'pg', connection: u.toString() }),
    );
    cleanUp = async () => {
      await db.knex.destroy();
      await admin.raw('DROP DATABASE IF EXISTS ?? WITH (FORCE)', [name]);
      await admin.destroy();
    };
  } else {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'switchyard-faults-'));
    db = await sqliteFaultDatabase(
      path.join(dir, 'drill.sqlite'),
      kind === 'sqlite-wal' ? 'wal' : 'delete',
    );
    cleanUp = async () => {
      await db.knex.destroy();
      fs.rmSync(dir, { recursive: true, force: true });
    };
  }
  let summary: FaultSummary;
  try {
    summary = await runFaultCycles(db, { cycles, seed, log, startBackend });
  } finally {
    await cleanUp();
  }
  process.stdout.write(`${formatSummary(summary)}\n`);
  for (const line of [...summary.mismatchDetails, ...summary.childErrors])
    process.stdout.write(`${line}\n`);
  process.stdout.write(
    `RESULT ${kind} cycles=${summary.cycles} mismatches=${summary.mismatches} childErrors=${summary.childErrors.length}\n`,
  );
  return summary.mismatches === 0 && summary.childErrors.length === 0;
}
