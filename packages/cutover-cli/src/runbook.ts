/**
 * Commands for cutover runbooks: take a snapshot, roll back, reconcile, and read or switch where
 * a dataset's reads come from. Long work starts a job on the backend (202) and, unless
 * `--no-wait`, the command follows it to its end and exits with a code a script can act on.
 */
import {
  DATASET_CUTOVER_STATES,
  DatasetCutoverState,
  DatasetSwitchEvent,
  JobStatus,
  READ_SOURCES,
  ReadSource,
  ReconciliationDatasetResult,
  ReconciliationRun,
} from '@switchyard/plugin-cutover-common';
import { Command, Option } from 'commander';
import { CliContext, exit, list, parseDurationMs } from './context';
import { EXIT } from './output';
import { count, progressBar } from './progressBar';
import { formatTable } from './table';

const LEVELS = ['WARNING', 'CRITICAL', 'ROLLBACK'] as const;
type Level = (typeof LEVELS)[number];
const LEVEL_RANK: Record<string, number> = {
  OK: 0,
  WARNING: 1,
  CRITICAL: 2,
  ROLLBACK: 3,
};

const finished = (status: JobStatus) =>
  status === 'SUCCEEDED' || status === 'FAILED';

/**
 * Polls `get` until the job finishes, printing its progress when it moves. When it does not
 * finish in time, prints the job as last seen (the document under `--json`) and exits 4.
 */
async function follow<T extends { status: JobStatus; progress: number }>(
  ctx: CliContext,
  what: string,
  get: () => Promise<T>,
  opts: { interval: string; timeout: string },
): Promise<T> {
  const interval = parseDurationMs(opts.interval);
  const deadline = ctx.now() + parseDurationMs(opts.timeout);
  let shown = -1;
  for (;;) {
    const job = await get();
    if (finished(job.status)) return job;
    const step = Math.floor(job.progress / 10);
    if (step !== shown) {
      ctx.output.info(
        `${what}: ${job.status} ${progressBar(job.progress, 20)}`,
      );
      shown = step;
    }
    if (ctx.now() + interval > deadline) {
      ctx.output.warn(
        `${what} has not finished after ${opts.timeout}; it goes on in the backend`,
      );
      ctx.output.result(job, () => []);
      return exit(EXIT.timeout);
    }
    await ctx.sleep(interval);
  }
}

function waitOptions(cmd: Command, timeout: string): Command {
  return cmd
    .option(
      '--no-wait',
      'start the job and return at once (prints it, with its id)',
    )
    .option('--interval <duration>', 'poll interval while waiting', '2s')
    .option(
      '--timeout <duration>',
      'give up waiting after this long (exit 4; the job goes on)',
      timeout,
    );
}

const pct = (ratio: number | null) =>
  ratio === null ? '-' : `${(ratio * 100).toFixed(3)}%`;
const num = (n: number | null) => (n === null ? '-' : count(n));

/** The per-dataset figures of a reconciliation run, as a table. */
export function reconciliationTable(run: ReconciliationRun): string[] {
  return formatTable(
    [
      'dataset',
      'source',
      'destination',
      'missing in dest',
      'missing in source',
      'mismatched',
      'drift',
      'level',
    ],
    run.datasets.map((d: ReconciliationDatasetResult) => [
      d.name,
      num(d.sourceCount),
      num(d.destinationCount),
      num(d.missingInDestination),
      num(d.missingInSource),
      num(d.mismatched),
      pct(d.driftRatio),
      d.status === 'FAILED'
        ? `FAILED: ${d.error ?? 'unknown error'}`
        : d.level ?? d.status,
    ]),
    new Set([1, 2, 3, 4, 5, 6]),
  );
}

const switched = (e: DatasetSwitchEvent, verb: string) =>
  `${e.dataset} ${verb} ${e.to}${
    e.rolloutPercent ? ` for ${e.rolloutPercent}% of callers` : ''
  } (was ${e.from}), ${
    verb === 'is' ? 'moved' : 'switched'
  } by ${e.actor}`;

/** Adds `snapshot`, `rollback`, `reconcile`, `state` and `read-source` to the program. */
export function addRunbookCommands(program: Command, ctx: CliContext) {
  const { output } = ctx;

  waitOptions(
    program
      .command('snapshot')
      .description(
        "take a snapshot of the migration's datasets on the destination (waits until it is taken)",
      )
      .requiredOption('-m, --migration <id>', 'migration id')
      .requiredOption('-n, --name <name>', 'name, e.g. "before tier 2 cutover"')
      .option('--description <text>', 'what it is for')
      .option(
        '-d, --datasets <names>',
        'comma-separated datasets (default: all)',
      )
      .option(
        '--retention-days <days>',
        'days to keep it (default: the configured retention)',
      ),
    '1h',
  ).action(async (opts: any, cmd: Command) => {
    const client = ctx.client(cmd);
    let retentionDays: number | undefined;
    if (opts.retentionDays !== undefined) {
      retentionDays = Number(opts.retentionDays);
      if (!Number.isInteger(retentionDays) || retentionDays < 1)
        throw new Error(
          '--retention-days must be a whole number of days, 1 or more',
        );
    }
    const started = await client.createSnapshot(opts.migration, {
      name: opts.name,
      ...(opts.description ? { description: opts.description } : {}),
      ...(opts.datasets ? { datasets: list(opts.datasets) } : {}),
      ...(retentionDays ? { retentionDays } : {}),
    });
    const startedLine = `Snapshot ${started.id} (${
      started.name
    }) started for ${started.datasets.join(', ')}`;
    if (!opts.wait) {
      output.result(started, () => [startedLine]);
      return;
    }
    output.info(startedLine);
    const s = await follow(
      ctx,
      `Snapshot ${started.id}`,
      () => client.getSnapshot(opts.migration, started.id),
      opts,
    );
    if (s.status === 'FAILED') {
      output.warn(`Snapshot ${s.id} failed: ${s.error ?? 'unknown error'}`);
      output.result(s, () => []);
      exit(EXIT.error);
    }
    const records = Object.values(s.recordCounts).reduce((a, b) => a + b, 0);
    output.result(s, () => [
      `Snapshot ${s.id} taken: ${s.datasets.length} dataset(s), ${count(
        records,
      )} records${s.expiresAt ? `, kept until ${s.expiresAt}` : ''}`,
    ]);
  });

  waitOptions(
    program
      .command('rollback')
      .description(
        'restore datasets from a snapshot (waits until done; exit 1 if it fails or does not verify)',
      )
      .requiredOption('-m, --migration <id>', 'migration id')
      .requiredOption('-s, --snapshot <id>', 'snapshot to restore')
      .option(
        '-d, --datasets <names>',
        'comma-separated datasets (default: all of the snapshot)',
      )
      .option('--no-backup', 'do not take a backup snapshot first')
      .option(
        '--no-verify',
        'do not verify counts and checksums after the restore',
      )
      .option('--reason <text>', 'why (kept in the audit trail)'),
    '2h',
  ).action(async (opts: any, cmd: Command) => {
    const client = ctx.client(cmd);
    const started = await client.executeRollback(opts.migration, {
      snapshotId: opts.snapshot,
      createBackup: opts.backup,
      verifyAfter: opts.verify,
      ...(opts.datasets ? { datasets: list(opts.datasets) } : {}),
      ...(opts.reason ? { reason: opts.reason } : {}),
    });
    const startedLine = `Rollback ${started.id} from snapshot ${
      started.snapshotId
    } started for ${started.datasets.join(', ')}`;
    if (!opts.wait) {
      output.result(started, () => [startedLine]);
      return;
    }
    output.info(startedLine);
    const r = await follow(
      ctx,
      `Rollback ${started.id}`,
      () => client.getRollback(opts.migration, started.id),
      opts,
    );
    const datasetLines = r.results.map(d => {
      let verification = '';
      if (d.verified !== null)
        verification = d.verified ? ', verified' : ', NOT verified';
      return `  ${d.dataset}: ${d.status}, ${count(
        d.recordsRestored,
      )} restored, ${count(d.recordsDeleted)} deleted${verification}`;
    });
    if (r.status === 'FAILED' || r.verified === false) {
      output.result(r, () => datasetLines);
      for (const e of r.errors)
        output.warn(`  ${e.dataset ?? 'rollback'}: ${e.message}`);
      output.warn(
        `Rollback ${r.id} ${
          r.status === 'FAILED' ? 'failed' : 'did not verify'
        }`,
      );
      exit(EXIT.error);
    }
    output.result(r, () => [
      ...datasetLines,
      `Rollback ${r.id} done in ${((r.durationMs ?? 0) / 1000).toFixed(1)} s${
        r.backupSnapshotId ? ` (backup snapshot ${r.backupSnapshotId})` : ''
      }`,
    ]);
  });

  waitOptions(
    program
      .command('reconcile')
      .description(
        'compare source and destination by key and print drift per dataset',
      )
      .requiredOption('-m, --migration <id>', 'migration id')
      .option(
        '-d, --datasets <names>',
        'comma-separated datasets (default: all with both tables)',
      )
      .addOption(
        new Option(
          '--fail-on <level>',
          'exit 5 when a dataset reaches this drift level',
        ).choices([...LEVELS]),
      ),
    '1h',
  ).action(async (opts: any, cmd: Command) => {
    const client = ctx.client(cmd);
    const started = await client.startReconciliation(
      opts.migration,
      opts.datasets ? { datasets: list(opts.datasets) } : {},
    );
    const startedLine = `Reconciliation ${started.id} started`;
    if (!opts.wait) {
      output.result(started, () => [startedLine]);
      return;
    }
    output.info(startedLine);
    const run = await follow(
      ctx,
      `Reconciliation ${started.id}`,
      () => client.getReconciliation(opts.migration, started.id),
      opts,
    );
    output.result(run, () => [
      ...reconciliationTable(run),
      ...run.datasets.flatMap(d =>
        (d.notes ?? []).map(note => `${d.name}: ${note}`),
      ),
    ]);
    if (run.status === 'FAILED') {
      output.warn(
        `Reconciliation ${run.id} failed: ${run.error ?? 'unknown error'}`,
      );
      exit(EXIT.error);
    }
    const failedDatasets = run.datasets.filter(d => d.status === 'FAILED');
    if (failedDatasets.length) {
      output.warn(
        `Could not compare ${failedDatasets.map(d => d.name).join(', ')}`,
      );
      exit(EXIT.error);
    }
    const failOn = opts.failOn as Level | undefined;
    if (failOn) {
      const over = run.datasets.filter(
        d => LEVEL_RANK[d.level ?? 'OK'] >= LEVEL_RANK[failOn],
      );
      if (over.length) {
        output.warn(
          `Drift at or above ${failOn} on ${over
            .map(d => `${d.name} (${pct(d.driftRatio)})`)
            .join(', ')}`,
        );
        exit(EXIT.drift);
      }
    }
  });

  program
    .command('state')
    .description(
      'move a dataset through its cutover states: PENDING, READY, CUTOVER, COMPLETED, ROLLED_BACK',
    )
    .requiredOption('-m, --migration <id>', 'migration id')
    .requiredOption('-d, --dataset <name>', 'dataset')
    .addOption(
      new Option('--to <state>', 'the state to move to')
        .choices([...DATASET_CUTOVER_STATES])
        .makeOptionMandatory(),
    )
    .requiredOption('--reason <text>', 'why (kept in the switch history)')
    .action(
      async (
        opts: {
          migration: string;
          dataset: string;
          to: DatasetCutoverState;
          reason: string;
        },
        cmd: Command,
      ) => {
        const event = await ctx
          .client(cmd)
          .setCutoverState(opts.migration, opts.dataset, {
            state: opts.to,
            reason: opts.reason,
          });
        output.result(event, () => [switched(event, 'is')]);
      },
    );

  program
    .command('read-source')
    .description(
      "print where each dataset's reads come from, or switch one (--to, with --reason)",
    )
    .requiredOption('-m, --migration <id>', 'migration id')
    .option('-d, --dataset <name>', 'dataset to switch')
    .addOption(
      new Option('--to <source>', 'read from').choices([...READ_SOURCES]),
    )
    .option(
      '--reason <text>',
      'why (required to switch; kept in the switch history)',
    )
    .option(
      '--percent <1-99>',
      'gradual rollout: give --to to this share of targeting keys only (the others keep the current source)',
    )
    .action(
      async (
        opts: {
          migration: string;
          dataset?: string;
          to?: ReadSource;
          reason?: string;
          percent?: string;
        },
        cmd: Command,
      ) => {
        const client = ctx.client(cmd);
        if (!opts.to) {
          if (opts.dataset || opts.reason || opts.percent)
            throw new Error('to switch, give --dataset, --to and --reason');
          const sources = await client.getReadSources(opts.migration);
          output.result(sources, () => {
            const width = Math.max(
              8,
              ...Object.keys(sources.datasets).map(n => n.length),
            );
            return Object.entries(sources.datasets).map(([name, source]) => {
              const rollout = sources.rollouts?.[name];
              return `${name.padEnd(width)}  ${source}${
                rollout
                  ? `  (${rollout.source} for ${rollout.percent}% of callers)`
                  : ''
              }`;
            });
          });
          return;
        }
        if (!opts.dataset || !opts.reason)
          throw new Error('--to needs --dataset and --reason');
        let rolloutPercent: number | undefined;
        if (opts.percent !== undefined) {
          rolloutPercent = Number(opts.percent);
          if (!Number.isInteger(rolloutPercent) || rolloutPercent < 1 || rolloutPercent > 99)
            throw new Error(
              `--percent must be a whole number from 1 to 99, got "${opts.percent}"`,
            );
        }
        const event = await client.switchReadSource(
          opts.migration,
          opts.dataset,
          {
            source: opts.to,
            reason: opts.reason,
            ...(rolloutPercent !== undefined ? { rolloutPercent } : {}),
          },
        );
        output.result(event, () => [switched(event, 'reads from')]);
      },
    );
}
