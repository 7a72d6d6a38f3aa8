/**
 * The `cutover` command for migration jobs: apply plans, report progress and phases, print
 * status, and wait while a migration is paused; and for cutover runbooks: snapshots, rollbacks,
 * reconciliations and read-source switches.
 *
 * @packageDocumentation
 */
import { ResponseError } from '@backstage/errors';
import {
  CutoverApi,
  CutoverClient,
  layOutPlan,
  MetricSample,
  parseMoment,
  ALERT_SEVERITIES,
  ALERT_TYPES,
  PHASE_STATUSES,
  PhaseUpdate,
} from '@switchyard/plugin-cutover-common';
import { Command, Option } from 'commander';
import fs from 'node:fs';
import readline from 'node:readline';
import YAML from 'yaml';
import { count, progressBar } from './progressBar';
import { addRunbookCommands } from './runbook';
import { sampleFromFlags, sampleFromJsonLine, SampleFlags } from './samples';

/** Exit codes jobs can act on. @public */
export const EXIT = {
  ok: 0,
  error: 1,
  usage: 2,
  cancelled: 3,
  timeout: 4,
  drift: 5,
} as const;

const DEFAULT_URL = 'http://localhost:7007/api/cutover';
const BATCH = 1000;

interface Io {
  out: (line: string) => void;
  err: (line: string) => void;
  stdin: NodeJS.ReadableStream;
  env: NodeJS.ProcessEnv;
  sleep: (ms: number) => Promise<void>;
  client?: CutoverApi;
  /** The CLI's clock (milliseconds since the epoch); the system's when not given. */
  now?: () => number;
}

class ExitError extends Error {
  constructor(readonly code: number) {
    super(`exit ${code}`);
  }
}

function clientFor(cmd: Command, io: Io): CutoverApi {
  if (io.client) return io.client;
  const opts = cmd.optsWithGlobals() as { url?: string };
  const url = opts.url ?? io.env.CUTOVER_URL ?? DEFAULT_URL;
  const token = io.env.CUTOVER_TOKEN;
  return CutoverClient.fromBaseUrl(url, { token });
}

function parseDurationMs(text: string): number {
  const m = /^(\d+)(ms|s|m|h)?$/.exec(text.trim());
  if (!m) throw new Error(`"${text}" is not a duration such as 30s, 5m or 2h`);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[
    (m[2] ?? 's') as 'ms'
  ];
  return Number(m[1]) * unit;
}

/** Builds the command; `io` is injectable so tests run it without a process. @public */
export function createProgram(io: Io): Command {
  const program = new Command('cutover')
    .description(
      'Report data migration progress to Switchyard and follow its control',
    )
    .option(
      '--url <url>',
      `cutover API base URL (env CUTOVER_URL, default ${DEFAULT_URL})`,
    )
    .addHelpText(
      'after',
      '\nAuthentication: the token in CUTOVER_TOKEN is sent as a bearer token.\n' +
        'Exit codes: 0 ok, 1 error, 2 usage, 3 migration cancelled, 4 timed out, 5 drift at or above --fail-on.',
    )
    .exitOverride()
    .configureOutput({
      writeOut: s => io.out(s.trimEnd()),
      writeErr: s => io.err(s.trimEnd()),
    });

  program
    .command('apply')
    .description(
      'create or update a migration from a YAML or JSON plan (idempotent)',
    )
    .requiredOption(
      '-f, --file <plan>',
      'plan file (YAML or JSON); - for stdin',
    )
    .option(
      '--start <when>',
      'lay the plan out from this moment: every date in it moves by the same amount (ISO time, now, now-1d, now+2h)',
    )
    .action(async (opts: { file: string; start?: string }, cmd: Command) => {
      const text =
        opts.file === '-'
          ? await readAll(io.stdin)
          : fs.readFileSync(opts.file, 'utf8');
      let plan = YAML.parse(text);
      if (!plan || typeof plan !== 'object' || !plan.id) {
        throw new Error(
          `${opts.file}: a plan needs at least an id (see examples/migrations)`,
        );
      }
      if (opts.start !== undefined) {
        const start = parseMoment(opts.start, (io.now ?? Date.now)());
        if (start === undefined) {
          throw new Error(
            `--start: "${opts.start}" is not a moment such as now, now-1d or 2026-12-01T08:00:00Z`,
          );
        }
        plan = layOutPlan(plan, start);
      }
      const migration = await clientFor(cmd, io).applyPlan(plan);
      io.out(
        `Applied plan "${migration.id}" (${migration.title}): ${migration.datasets.length} datasets, status ${migration.status}`,
      );
    });

  const report = program
    .command('report')
    .description(
      'report metric samples: one from flags, or JSON lines on stdin (--stdin)',
    )
    .requiredOption('-m, --migration <id>', 'migration id')
    .option(
      '--stdin',
      'read samples as JSON lines from stdin, sent in batches of 1000',
    )
    .option('-d, --dataset <name>', 'dataset of the sample')
    .option('--at <time>', 'ISO time of the sample (default: now)')
    .option('--total <n>', 'total records')
    .option('--imported <n>', 'records imported so far (absolute)')
    .option('--failed <n>', 'records failed so far (absolute)')
    .option('--skipped <n>', 'records skipped so far (absolute)')
    .option('--completeness <0-100>')
    .option('--validity <0-100>')
    .option('--consistency <0-100>')
    .option('--accuracy <0-100>')
    .option('--critical <n>', 'critical validation errors')
    .option('--high <n>')
    .option('--medium <n>')
    .option('--low <n>')
    .option(
      '--idempotency-key <key>',
      'key that makes a retried report apply once',
    );
  report.action(
    async (
      opts: SampleFlags & {
        migration: string;
        stdin?: boolean;
        idempotencyKey?: string;
      },
      cmd: Command,
    ) => {
      const client = clientFor(cmd, io);
      if (!opts.stdin) {
        const sample = sampleFromFlags(opts);
        const result = await client.reportMetrics(opts.migration, [sample], {
          idempotencyKey: opts.idempotencyKey,
        });
        io.out(
          `Reported ${result.accepted} sample(s) for ${result.datasets.join(
            ', ',
          )}`,
        );
        return;
      }
      let batch: MetricSample[] = [];
      let sent = 0;
      let lineNumber = 0;
      let batchNumber = 0;
      const flush = async () => {
        if (!batch.length) return;
        batchNumber += 1;
        const key = opts.idempotencyKey
          ? `${opts.idempotencyKey}-${batchNumber}`
          : undefined;
        const result = await client.reportMetrics(opts.migration, batch, {
          idempotencyKey: key,
        });
        sent += result.accepted + result.duplicates;
        batch = [];
      };
      const lines = readline.createInterface({
        input: io.stdin,
        crlfDelay: Infinity,
      });
      for await (const line of lines) {
        lineNumber += 1;
        if (!line.trim()) continue;
        batch.push(sampleFromJsonLine(line, lineNumber));
        if (batch.length >= BATCH) await flush();
      }
      await flush();
      io.out(`Reported ${sent} sample(s) from ${lineNumber} line(s)`);
    },
  );

  program
    .command('phase')
    .description(
      'update a phase: start, complete, fail, skip, or report its progress',
    )
    .requiredOption('-m, --migration <id>', 'migration id')
    .argument('<phaseId>', 'phase id from the plan')
    .option('--start', 'mark IN_PROGRESS')
    .option('--complete', 'mark COMPLETED')
    .option('--fail [message]', 'mark FAILED, with an optional error message')
    .option('--skip', 'mark SKIPPED')
    .option('--progress <percent>', 'progress 0-100')
    .addOption(
      new Option('--status <status>', 'set any status').choices([
        ...PHASE_STATUSES,
      ]),
    )
    .option(
      '--name <name>',
      'name (creates the phase when it is not in the plan)',
    )
    .action(async (phaseId: string, opts: any, cmd: Command) => {
      const update: PhaseUpdate = {};
      if (opts.start) update.status = 'IN_PROGRESS';
      if (opts.complete) update.status = 'COMPLETED';
      if (opts.skip) update.status = 'SKIPPED';
      if (opts.fail) {
        update.status = 'FAILED';
        if (typeof opts.fail === 'string') update.errors = [opts.fail];
      }
      if (opts.status) update.status = opts.status;
      if (opts.name) update.name = opts.name;
      if (opts.progress !== undefined) {
        const p = Number(opts.progress);
        if (!Number.isFinite(p) || p < 0 || p > 100)
          throw new Error('--progress must be 0-100');
        update.progressPercent = p;
      }
      if (!Object.keys(update).length) {
        throw new Error(
          'nothing to do: give --start, --complete, --fail, --skip, --progress or --status',
        );
      }
      const phase = await clientFor(cmd, io).putPhase(
        opts.migration,
        phaseId,
        update,
      );
      io.out(
        `Phase ${phase.id} (${phase.name}): ${
          phase.status
        } ${phase.progressPercent.toFixed(0)}%`,
      );
    });

  program
    .command('alert')
    .description(
      'raise an alert on the migration (jobs: failures, anomalies, warnings)',
    )
    .requiredOption('-m, --migration <id>', 'migration id')
    .requiredOption('-t, --title <title>', 'short title')
    .addOption(
      new Option('-s, --severity <severity>', 'severity')
        .choices([...ALERT_SEVERITIES])
        .default('MEDIUM'),
    )
    .addOption(
      new Option('--type <type>', 'alert type')
        .choices([...ALERT_TYPES])
        .default('ERROR'),
    )
    .option('--message <text>', 'details')
    .option('-d, --dataset <name>', 'dataset it concerns')
    .option('--record <id>', 'record id it concerns')
    .action(async (opts: any, cmd: Command) => {
      const alert = await clientFor(cmd, io).raiseAlert(opts.migration, {
        alertType: opts.type,
        severity: opts.severity,
        title: opts.title,
        ...(opts.message ? { message: opts.message } : {}),
        ...(opts.dataset ? { dataset: opts.dataset } : {}),
        ...(opts.record ? { recordId: opts.record } : {}),
      });
      io.out(
        `Raised ${alert.severity} alert ${alert.id}: ${alert.title} (respond by ${alert.targetResolutionTime})`,
      );
    });

  program
    .command('status')
    .description('print the migration status with a progress bar per dataset')
    .requiredOption('-m, --migration <id>', 'migration id')
    .option('--json', 'print the dashboard as JSON')
    .action(
      async (opts: { migration: string; json?: boolean }, cmd: Command) => {
        const d = await clientFor(cmd, io).getDashboard(opts.migration);
        if (opts.json) {
          io.out(JSON.stringify(d, null, 2));
          return;
        }
        io.out(
          `${d.title} (${d.migrationId})  ${d.status}, jobs told to ${d.controlState}`,
        );
        const eta =
          d.estimatedCompletion && d.overallProgress < 100
            ? `, ETA ${d.estimatedCompletion}`
            : '';
        io.out(
          `Overall ${progressBar(d.overallProgress)}  ${count(
            d.importedRecords,
          )} / ${count(d.totalRecords)} records, ${count(
            d.importRate,
          )}/min${eta}`,
        );
        io.out(
          `Quality ${
            d.qualityScore === null ? '-' : d.qualityScore.toFixed(1)
          } (${d.qualityTrend})`,
        );
        const width = Math.max(8, ...d.datasets.map(x => x.name.length));
        for (const x of d.datasets) {
          io.out(
            `  ${x.name.padEnd(width)}  T${x.tier}  ${progressBar(
              x.overallProgress,
              24,
            )}  ${count(x.importedRecords)} / ${count(x.totalRecords)}  ${
              x.status
            }`,
          );
        }
        if (d.blockers.length) {
          io.out('Blockers:');
          for (const b of d.blockers) io.out(`  - ${b}`);
        }
      },
    );

  program
    .command('wait-until-running')
    .description(
      'wait while the migration is paused; exit 3 if it is cancelled',
    )
    .requiredOption('-m, --migration <id>', 'migration id')
    .option('--interval <duration>', 'poll interval', '5s')
    .option('--timeout <duration>', 'give up after this long (exit 4)', '24h')
    .action(
      async (
        opts: { migration: string; interval: string; timeout: string },
        cmd: Command,
      ) => {
        const client = clientFor(cmd, io);
        const interval = parseDurationMs(opts.interval);
        const deadline = Date.now() + parseDurationMs(opts.timeout);
        let announced = false;
        for (;;) {
          const { controlState } = await client.getControl(opts.migration);
          if (controlState === 'RUN') {
            if (announced) io.out(`Migration ${opts.migration} resumed`);
            return;
          }
          if (controlState === 'CANCEL') {
            io.err(`Migration ${opts.migration} was cancelled`);
            throw new ExitError(EXIT.cancelled);
          }
          if (!announced) {
            io.out(`Migration ${opts.migration} is paused; waiting…`);
            announced = true;
          }
          if (Date.now() + interval > deadline) {
            io.err(`Still paused after ${opts.timeout}`);
            throw new ExitError(EXIT.timeout);
          }
          await io.sleep(interval);
        }
      },
    );

  addRunbookCommands(program, {
    client: cmd => clientFor(cmd, io),
    out: io.out,
    err: io.err,
    sleep: io.sleep,
    parseDuration: parseDurationMs,
    exit: code => {
      throw new ExitError(code);
    },
    codes: { error: EXIT.error, timeout: EXIT.timeout, drift: EXIT.drift },
  });

  return program;
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}

/** Runs the command with process I/O; resolves to the exit code. @public */
export async function run(
  argv: string[],
  io: Partial<Io> = {},
): Promise<number> {
  const full: Io = {
    out: line => process.stdout.write(`${line}\n`),
    err: line => process.stderr.write(`${line}\n`),
    stdin: process.stdin,
    env: process.env,
    sleep: ms => new Promise(r => setTimeout(r, ms)),
    ...io,
  };
  const program = createProgram(full);
  try {
    await program.parseAsync(argv);
    return EXIT.ok;
  } catch (e) {
    if (e instanceof ExitError) return e.code;
    const error = e as any;
    if (error?.code?.startsWith?.('commander.')) {
      return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    if (error instanceof ResponseError) {
      const status = error.response.status;
      full.err(
        `cutover: ${status} ${error.body?.error?.message ?? error.message}`,
      );
      if (status === 401)
        full.err('Set CUTOVER_TOKEN to a token the portal accepts.');
      return EXIT.error;
    }
    if (
      error?.cause?.code === 'ECONNREFUSED' ||
      /fetch failed/.test(error?.message ?? '')
    ) {
      full.err(
        `cutover: cannot reach the cutover API (${error.message}); check --url or CUTOVER_URL`,
      );
      return EXIT.error;
    }
    full.err(`cutover: ${error?.message ?? error}`);
    return EXIT.error;
  }
}

/** Entry point of the `cutover` binary. @public */
export function main(argv: string[]) {
  run(argv).then(code => {
    process.exitCode = code;
  });
}
