/**
 * Child process of the fault-injection drills (see `faults.ts`): takes a snapshot, restores one, or
 * runs a whole rollback job, against a database it shares with its parent, and says on stdout how
 * far it got, so that the parent can SIGKILL it at a chosen point. Nothing here cleans up after a
 * kill: that is the point.
 *
 * Run: `node -r @backstage/cli/config/nodeTransform.cjs src/__testUtils__/faultChild.ts` from the
 * package directory, with
 * - `SWITCHYARD_FAULT_DB` (or `--db <value>`): a `postgres://` / `postgresql://` URL, or the path of
 *   a SQLite database FILE (shared with the parent, so not `:memory:`);
 * - `SWITCHYARD_FAULT_TASK` (or `--task <json>`): a {@link FaultTask} as JSON;
 * - `SWITCHYARD_FAULT_APP_NAME` (optional): PostgreSQL `application_name` of every connection, so
 *   the parent can wait until the server has really ended the killed child's sessions.
 *
 * The database is reached the way the plugin reaches a destination, through
 * `CutoverConnections.fromConfig` (connection `dest`); the data work goes through
 * `KnexSnapshotProvider` itself (the real create and restore paths), and in `job` mode through
 * `SnapshotService` backed by `DatabaseCutoverStore` on the same database (the real job layer:
 * accept, heartbeat, restore dataset by dataset, record results).
 *
 * stdout, one line each:
 * - `PHASE ready`: connected, nothing started
 * - `PHASE job-accepted <rollback id>`: (job) the rollback row exists, the job runs
 * - `PHASE create-start <dataset>`, `PHASE create-progress <dataset> <percent>`,
 *   `PHASE created <dataset>` (the copy's transaction committed, nothing recorded yet)
 * - `PHASE restore-start <dataset>`, `PHASE restore-progress <dataset> <percent>`
 * - `PHASE after-differential <dataset>`: differences applied, not verified, not committed
 * - `PHASE before-commit <dataset>`: restored and verified, not committed
 * - `PHASE restored <dataset>`: the restore committed (a job has not recorded it yet)
 * - `PHASE done`, then `RESULT <json>`; or `ERROR <message>` and exit code 1
 *
 * Markers inside a transaction (progress between 1 and 99, after-differential, before-commit)
 * are followed by a pause of `holdMs`, so a kill sent on the marker lands inside the transaction.
 */
import { LoggerService, SchedulerService } from '@backstage/backend-plugin-api';
import { ConfigReader } from '@backstage/config';
import { rollbackCreateSchema } from '@switchyard/plugin-cutover-common';
import type {
  CutoverDatasetTarget,
  ProgressReporter,
  SnapshotDatasetFigures,
  SnapshotProvider,
} from '@switchyard/plugin-cutover-node';
import { systemClock } from '@switchyard/plugin-cutover-node';
import { DatabaseCutoverStore } from '../database/DatabaseCutoverStore';
import { Caller } from '../service/access';
import { AuditLog } from '../service/AuditLog';
import { SignalPublisher } from '../service/SignalPublisher';
import { SnapshotService } from '../service/SnapshotService';
import { CutoverConnections } from '../snapshots/connections';
import { KnexSnapshotProvider } from '../snapshots/KnexSnapshotProvider';

/** Name of the connection the child's datasets use. */
export const FAULT_CONNECTION = 'dest';

/** What the child does. */
export type FaultTask =
  | {
      mode: 'create';
      snapshotId: string;
      targets: CutoverDatasetTarget[];
      holdMs: number;
    }
  | {
      mode: 'restore';
      snapshotId: string;
      targets: CutoverDatasetTarget[];
      figures: Record<string, SnapshotDatasetFigures>;
      holdMs: number;
      /** Make the differential path fail (after its marker), so the full replace runs instead. */
      forceFullReplace: boolean;
    }
  | {
      mode: 'job';
      migrationId: string;
      snapshotId: string;
      createBackup: boolean;
      holdMs: number;
      forceFullReplace: boolean;
      /** Heartbeat of the child's SnapshotService. */
      heartbeatMs: number;
    };

/** Whether a `SWITCHYARD_FAULT_DB` value names PostgreSQL (otherwise it is a SQLite file). */
export function isPostgresUrl(db: string): boolean {
  return /^postgres(ql)?:\/\//i.test(db);
}

function say(line: string) {
  // stdout to a pipe is synchronous on Linux: the line has left when this returns.
  process.stdout.write(`${line}\n`);
}

const sleeper = new Int32Array(new SharedArrayBuffer(4));

/** Blocks the event loop (progress reporters are synchronous); the transaction stays open. */
function holdSync(ms: number) {
  if (ms > 0) Atomics.wait(sleeper, 0, 0, ms);
}

function hold(ms: number): Promise<void> {
  return new Promise(resolve => setTimeout(resolve, ms));
}

function argument(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

function stderrLogger(): LoggerService {
  const write = (level: string) => (message: string) => {
    process.stderr.write(`[child ${level}] ${message}\n`);
  };
  const logger: LoggerService = {
    error: write('error'),
    warn: write('warn'),
    info: () => undefined,
    debug: () => undefined,
    child: () => logger,
  };
  return logger;
}

/**
 * The built-in provider with markers around its calls. Progress inside a transaction pauses
 * (synchronously) for `holdMs`.
 */
function markedProvider(
  inner: KnexSnapshotProvider,
  holdMs: number,
): SnapshotProvider {
  const reporter =
    (
      kind: 'create' | 'restore',
      dataset: string,
      outer: ProgressReporter,
    ): ProgressReporter =>
    (percent, message) => {
      say(`PHASE ${kind}-progress ${dataset} ${Math.round(percent)}`);
      if (percent > 0 && percent < 100) holdSync(holdMs);
      outer(percent, message);
    };
  return {
    id: inner.id,
    supports: target => inner.supports(target),
    measure: target => inner.measure(target),
    delete: (snapshotId, target, figures) =>
      inner.delete(snapshotId, target, figures),
    async create(snapshotId, target, progress) {
      say(`PHASE create-start ${target.dataset}`);
      const figures = await inner.create(
        snapshotId,
        target,
        reporter('create', target.dataset, progress),
      );
      say(`PHASE created ${target.dataset}`);
      return figures;
    },
    async restore(snapshotId, target, figures, progress) {
      say(`PHASE restore-start ${target.dataset}`);
      const counts = await inner.restore(
        snapshotId,
        target,
        figures,
        reporter('restore', target.dataset, progress),
      );
      say(`PHASE restored ${target.dataset}`);
      return counts;
    },
  };
}

function connectionsFor(db: string): CutoverConnections {
  const appName = process.env.SWITCHYARD_FAULT_APP_NAME;
  const connection = isPostgresUrl(db)
    ? {
        connectionString: db,
        ...(appName ? { application_name: appName } : {}),
      }
    : db;
  return CutoverConnections.fromConfig(
    new ConfigReader({
      cutover: {
        connections: {
          [FAULT_CONNECTION]: {
            client: isPostgresUrl(db) ? 'pg' : 'better-sqlite3',
            connection,
          },
        },
      },
    }),
  );
}

async function runJob(
  task: Extract<FaultTask, { mode: 'job' }>,
  connections: CutoverConnections,
  provider: SnapshotProvider,
): Promise<unknown> {
  const logger = stderrLogger();
  const store = new DatabaseCutoverStore(connections.get(FAULT_CONNECTION));
  const service = new SnapshotService({
    store,
    clock: systemClock,
    audit: new AuditLog(undefined, systemClock),
    signals: new SignalPublisher(undefined, logger),
    logger,
    providers: () => [provider],
    settings: {
      retentionMs: 86_400_000,
      heartbeatMs: task.heartbeatMs,
      staleAfterMs: 60_000,
    },
  });
  // Only the heartbeat matters here; the sweep is the job of whichever backend starts next.
  const scheduler = {
    scheduleTask: async () => undefined,
  } as unknown as SchedulerService;
  await service.schedule(scheduler);
  const migration = await store.getMigration(task.migrationId, {
    includeArchived: true,
  });
  if (!migration) throw new Error(`No migration ${task.migrationId}`);
  const caller = {
    actor: 'user:default/olivia-owner',
    requestId: null,
    isUser: true,
    ownershipEntityRefs: ['user:default/olivia-owner'],
    credentials: {},
  } as unknown as Caller;
  const body = rollbackCreateSchema.parse({
    snapshotId: task.snapshotId,
    createBackup: task.createBackup,
    verifyAfter: true,
    reason: 'fault drill',
  });
  const accepted = await service.rollback(migration, body, caller);
  say(`PHASE job-accepted ${accepted.id}`);
  await service.drain();
  service.stop();
  const final = await service.getRollback(migration, accepted.id);
  return {
    rollbackId: final.id,
    status: final.status,
    results: final.results,
    errors: final.errors,
  };
}

async function run(task: FaultTask, db: string): Promise<unknown> {
  const connections = connectionsFor(db);
  try {
    const knex = connections.get(FAULT_CONNECTION);
    await knex.raw('select 1');
    const failDifferential =
      'forceFullReplace' in task && task.forceFullReplace;
    const inner = new KnexSnapshotProvider(connections, {
      logger: stderrLogger(),
      faultInjection: {
        afterDifferentialApply: async target => {
          say(`PHASE after-differential ${target.dataset}`);
          await hold(task.holdMs);
          if (failDifferential)
            throw new Error('differential path disabled by the drill');
        },
        beforeCommit: async target => {
          say(`PHASE before-commit ${target.dataset}`);
          await hold(task.holdMs);
        },
      },
    });
    const provider = markedProvider(inner, task.holdMs);
    say('PHASE ready');
    if (task.mode === 'job') {
      return await runJob(task, connections, provider);
    }
    const out: Record<string, unknown> = {};
    for (const target of task.targets) {
      if (task.mode === 'create') {
        out[target.dataset] = await provider.create(
          task.snapshotId,
          target,
          () => undefined,
        );
      } else {
        out[target.dataset] = await provider.restore(
          task.snapshotId,
          target,
          task.figures[target.dataset],
          () => undefined,
        );
      }
    }
    return out;
  } finally {
    await connections.destroy();
  }
}

async function main() {
  const db = argument('db') ?? process.env.SWITCHYARD_FAULT_DB;
  const taskJson = argument('task') ?? process.env.SWITCHYARD_FAULT_TASK;
  if (!db || !taskJson) {
    throw new Error(
      'Set SWITCHYARD_FAULT_DB (URL or SQLite file) and SWITCHYARD_FAULT_TASK (JSON)',
    );
  }
  const result = await run(JSON.parse(taskJson) as FaultTask, db);
  say('PHASE done');
  say(`RESULT ${JSON.stringify(result)}`);
}

if (require.main === module) {
  main().then(
    () => process.exit(0),
    error => {
      say(
        `ERROR ${
          error instanceof Error ? error.message : String(error)
        }`.replace(/\n/g, ' '),
      );
      process.exit(1);
    },
  );
}
