// Long: buildProgram holds the global options and the migration job's commands (apply, plan,
// report, phase, alert, status) with their options and help texts, one table that `--help` reads;
// the runbook commands register from control.ts, runbook.ts, freeze.ts and readiness.ts.
/**
 * The `cutover` command for migration jobs: apply plans, report progress and phases, print
 * status, and wait while a migration is paused; and for cutover runbooks: pause, resume and
 * cancel, snapshots, rollbacks, reconciliations, freeze windows and read-source switches.
 *
 * @packageDocumentation
 */
import { ResponseError } from '@backstage/errors';
import {
  CutoverApi,
  CutoverClient,
  IngestResult,
  layOutPlan,
  MetricSample,
  ALERT_SEVERITIES,
  ALERT_TYPES,
  PHASE_STATUSES,
  Phase,
  PhaseUpdate,
} from '@switchyard/plugin-cutover-common';
import { Command, Option } from 'commander';
import fs from 'node:fs';
import readline from 'node:readline';
import YAML from 'yaml';
import { version } from '../package.json';
import { CliContext, parseMomentOption } from './context';
import { addControlCommands } from './control';
import { addFreezeCommands } from './freeze';
import {
  describeNetworkError,
  errorDocument,
  EXIT,
  ExitError,
  isNetworkError,
  Output,
} from './output';
import { count, progressBar } from './progressBar';
import { addReadinessCommand } from './readiness';
import { addRunbookCommands } from './runbook';
import { sampleFromFlags, sampleFromJsonLine, SampleFlags } from './samples';

export { EXIT } from './output';
export type { JsonErrorDocument } from './output';

const DEFAULT_URL = 'http://localhost:7007/api/cutover';
const DEFAULT_RETRIES = 5;
const BATCH = 1000;

/** What the CLI reads and writes; injectable so that tests run it without a process. @public */
export interface Io {
  out: (line: string) => void;
  err: (line: string) => void;
  stdin: NodeJS.ReadableStream;
  env: NodeJS.ProcessEnv;
  sleep: (ms: number) => Promise<void>;
  /** A client to use instead of one made from `--url` and `CUTOVER_TOKEN`. */
  client?: CutoverApi;
  /** The CLI's clock (milliseconds since the epoch); the system's when not given. */
  now?: () => number;
}

interface GlobalOptions {
  url?: string;
  json?: boolean;
  retries: string;
}

function clientFor(cmd: Command, io: Io, output: Output): CutoverApi {
  if (io.client) return io.client;
  const opts = cmd.optsWithGlobals() as GlobalOptions;
  const url = opts.url ?? io.env.CUTOVER_URL ?? DEFAULT_URL;
  const retries = Number(opts.retries);
  if (!Number.isInteger(retries) || retries < 0) {
    throw new Error(
      `--retries must be a whole number, 0 or more, got "${opts.retries}"`,
    );
  }
  return CutoverClient.fromBaseUrl(url, {
    token: io.env.CUTOVER_TOKEN,
    retry: retries
      ? {
          retries,
          onRetry: e =>
            output.warn(
              `cutover: ${e.method} ${e.url}: ${e.reason}; retry ${
                e.retry
              } of ${e.retries} in ${(e.delayMs / 1000).toFixed(1)} s`,
            ),
        }
      : undefined,
  });
}

function buildProgram(io: Io): { program: Command; output: Output } {
  const program = new Command('cutover');
  const output = new Output(io, () =>
    Boolean((program.opts() as GlobalOptions).json),
  );
  const ctx: CliContext = {
    client: cmd => clientFor(cmd, io, output),
    output,
    sleep: io.sleep,
    now: io.now ?? Date.now,
  };

  program
    .description(
      'Report data migration progress to Switchyard and follow its control',
    )
    .option(
      '--url <url>',
      `cutover API base URL (env CUTOVER_URL, default ${DEFAULT_URL})`,
    )
    .option(
      '--json',
      'print exactly one JSON document on stdout (the result, or {"error": …}); prose goes to stderr',
    )
    .option(
      '--retries <n>',
      'retries of idempotent requests on network errors and 429/502/503/504, with backoff; 0 turns them off',
      String(DEFAULT_RETRIES),
    )
    .option('-V, --version', 'print the version of the cutover command')
    .addHelpText(
      'after',
      '\nAuthentication: the token in CUTOVER_TOKEN is sent as a bearer token.\n' +
        'Exit codes: 0 ok, 1 error, 2 usage, 3 migration cancelled, 4 timed out, 5 drift at or above --fail-on, 6 readiness GO_WITH_CAUTION, 7 readiness NO_GO.',
    )
    .exitOverride()
    .configureOutput({
      writeOut: s => io.out(s.trimEnd()),
      writeErr: s => io.err(s.trimEnd()),
    });
  program.on('option:version', () => {
    // --json may come after --version, where commander has not read it yet.
    const args = (program as unknown as { rawArgs: string[] }).rawArgs;
    if (program.opts().json || args.includes('--json')) {
      output.document({ version });
    } else {
      io.out(version);
    }
    throw new ExitError(EXIT.ok);
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
        plan = layOutPlan(
          plan,
          parseMomentOption('--start', opts.start, ctx.now()),
        );
      }
      const migration = await ctx.client(cmd).applyPlan(plan);
      output.result(migration, () => [
        `Applied plan "${migration.id}" (${migration.title}): ${migration.datasets.length} datasets, status ${migration.status}`,
      ]);
    });

  const plan = program
    .command('plan')
    .description('plans: draft one from the databases behind two connections');
  plan
    .command('draft')
    .description(
      'draft a plan from two configured connections (tables on both sides, keys, tiers from foreign keys, row counts); prints YAML to review and apply, never applies it',
    )
    .requiredOption('--source <connection>', 'the legacy side (a connection under cutover.connections)')
    .requiredOption('--destination <connection>', 'the new side (a connection under cutover.connections)')
    .requiredOption('--owner <ref>', 'who will own the migration, e.g. group:default/orders-team')
    .option('--schema <name>', 'PostgreSQL schema read on both sides (default public)')
    .option('--approvers <ref>', 'who approves the cutover, e.g. group:default/cutover-approvers')
    .option('--id <id>', 'the migration id (default <source>-to-<destination>)')
    .option('--title <title>', 'the migration title')
    .option('--entity <ref...>', 'catalog entities the migration belongs to')
    .action(
      async (
        opts: {
          source: string;
          destination: string;
          owner: string;
          schema?: string;
          approvers?: string;
          id?: string;
          title?: string;
          entity?: string[];
        },
        cmd: Command,
      ) => {
        const draft = await ctx.client(cmd).draftPlan({
          source: opts.source,
          destination: opts.destination,
          owner: opts.owner,
          schema: opts.schema,
          approvers: opts.approvers,
          id: opts.id,
          title: opts.title,
          entityRefs: opts.entity,
        });
        // The YAML is the result (so `> plan.yaml` keeps only it); what to decide goes to stderr.
        for (const u of draft.unkeyed) output.warn(`left out ${u.table}: ${u.reason}`);
        for (const e of draft.excluded) output.warn(`left out ${e.side} table ${e.table}: ${e.reason}`);
        for (const n of draft.notes) output.warn(n);
        output.result(draft, () => [draft.yaml.trimEnd()]);
      },
    );

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
    .option('--bytes <n>', 'bytes moved so far (absolute)')
    .option('--cpu-seconds <n>', 'CPU seconds used so far (absolute)')
    .option('--memory-peak <bytes>', "the job's peak memory")
    .option('--cost <amount>', 'cost so far, in the currency of cutover.cost.currency')
    .option(
      '--error-type <type=count>',
      'errors of one type so far (repeatable)',
      (value: string, previous: string[] = []) => [...previous, value],
    )
    .option(
      '--idempotency-key <key>',
      'key that makes a retried report apply once (and lets the CLI retry it)',
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
      const client = ctx.client(cmd);
      if (!opts.stdin) {
        const sample = sampleFromFlags(opts);
        const result = await client.reportMetrics(opts.migration, [sample], {
          idempotencyKey: opts.idempotencyKey,
        });
        output.result(result, () => [
          `Reported ${result.accepted} sample(s) for ${result.datasets.join(
            ', ',
          )}`,
          ...(result.paused
            ? [
                `${result.paused} sample(s) taken while the job was told to pause (marked paused)`,
              ]
            : []),
        ]);
        return;
      }
      let batch: MetricSample[] = [];
      const total: IngestResult & { batches: number } = {
        accepted: 0,
        duplicates: 0,
        datasets: [],
        batches: 0,
      };
      let lineNumber = 0;
      const flush = async () => {
        if (!batch.length) return;
        total.batches += 1;
        const key = opts.idempotencyKey
          ? `${opts.idempotencyKey}-${total.batches}`
          : undefined;
        const result = await client.reportMetrics(opts.migration, batch, {
          idempotencyKey: key,
        });
        total.accepted += result.accepted;
        total.duplicates += result.duplicates;
        total.datasets = [...new Set([...total.datasets, ...result.datasets])];
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
      output.result({ ...total, lines: lineNumber }, () => [
        `Reported ${
          total.accepted + total.duplicates
        } sample(s) from ${lineNumber} line(s)`,
      ]);
    },
  );

  program
    .command('phase')
    .description(
      'update a phase (start, complete, fail, skip, report its progress) or one of its sub-tasks; pause or resume it',
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
      'name (creates the phase, or with --subtask the sub-task, when it does not exist)',
    )
    .option(
      '--subtask <name>',
      'act on this sub-task of the phase instead (created when new); the phase rolls up',
    )
    .option('--pause', "pause the phase: its datasets' jobs are told PAUSE")
    .option('--resume', 'resume a paused phase')
    .option('--reason <text>', 'why (kept in the audit trail)')
    .action(async (phaseId: string, opts: any, cmd: Command) => {
      const client = ctx.client(cmd);
      const show = (phase: Phase) =>
        output.result(phase, () => [
          `Phase ${phase.id} (${phase.name}): ${
            phase.status
          } ${phase.progressPercent.toFixed(0)}%${
            phase.paused ? ' (paused)' : ''
          }`,
          ...phase.subTasks.map(
            t =>
              `  ${t.id} (${t.name}): ${t.status} ${t.progressPercent.toFixed(
                0,
              )}%`,
          ),
        ]);
      if (opts.pause || opts.resume) {
        if (opts.pause && opts.resume)
          throw new Error('give --pause or --resume, not both');
        show(
          opts.pause
            ? await client.pausePhase(opts.migration, phaseId, opts.reason)
            : await client.resumePhase(opts.migration, phaseId, opts.reason),
        );
        return;
      }
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
          'nothing to do: give --start, --complete, --fail, --skip, --progress, --status, --pause or --resume',
        );
      }
      if (opts.subtask !== undefined) {
        const name = String(opts.subtask);
        // A sub-task named in words gets a slug as its id: "Dump tables" is dump-tables.
        const id = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/.test(name)
          ? name
          : name
              .toLowerCase()
              .replace(/[^a-z0-9_.-]+/g, '-')
              .replace(/^[-.]+|-+$/g, '')
              .slice(0, 127);
        if (!id) throw new Error(`--subtask "${name}" has no letters or digits`);
        const timeline = await client.getTimeline(opts.migration);
        const phase = timeline.phases.find(p => p.id === phaseId);
        if (!phase)
          throw new Error(
            `no phase "${phaseId}" in migration ${opts.migration}`,
          );
        const { status, progressPercent } = update;
        if (!phase.subTasks.some(t => t.id === id)) {
          show(
            await client.createSubTask(opts.migration, phaseId, {
              id,
              name: opts.name ?? name,
              ...(status ? { status } : {}),
              ...(progressPercent !== undefined ? { progressPercent } : {}),
            }),
          );
        } else if (status === 'COMPLETED' && Object.keys(update).length === 1) {
          show(await client.completeSubTask(opts.migration, phaseId, id));
        } else {
          show(
            await client.updateSubTask(opts.migration, phaseId, id, {
              ...(opts.name ? { name: opts.name } : {}),
              ...(status ? { status } : {}),
              ...(progressPercent !== undefined ? { progressPercent } : {}),
            }),
          );
        }
        return;
      }
      show(await client.putPhase(opts.migration, phaseId, update));
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
    .option(
      '--idempotency-key <key>',
      'key that makes a retried alert raise once (and lets the CLI retry it)',
    )
    .action(async (opts: any, cmd: Command) => {
      const alert = await ctx.client(cmd).raiseAlert(opts.migration, {
        alertType: opts.type,
        severity: opts.severity,
        title: opts.title,
        ...(opts.message ? { message: opts.message } : {}),
        ...(opts.dataset ? { dataset: opts.dataset } : {}),
        ...(opts.record ? { recordId: opts.record } : {}),
        ...(opts.idempotencyKey ? { idempotencyKey: opts.idempotencyKey } : {}),
      });
      output.result(alert, () => [
        `Raised ${alert.severity} alert ${alert.id}: ${alert.title} (respond by ${alert.targetResolutionTime})`,
      ]);
    });

  program
    .command('status')
    .description('print the migration status with a progress bar per dataset')
    .requiredOption('-m, --migration <id>', 'migration id')
    .action(async (opts: { migration: string }, cmd: Command) => {
      const d = await ctx.client(cmd).getDashboard(opts.migration);
      output.result(d, () => {
        const eta =
          d.estimatedCompletion && d.overallProgress < 100
            ? `, ETA ${d.estimatedCompletion}`
            : '';
        const width = Math.max(8, ...d.datasets.map(x => x.name.length));
        return [
          `${d.title} (${d.migrationId})  ${d.status}, jobs told to ${d.controlState}`,
          `Overall ${progressBar(d.overallProgress)}  ${count(
            d.importedRecords,
          )} / ${count(d.totalRecords)} records, ${count(
            d.importRate,
          )}/min${eta}`,
          `Quality ${
            d.qualityScore === null ? '-' : d.qualityScore.toFixed(1)
          } (${d.qualityTrend})`,
          ...d.datasets.map(
            x =>
              `  ${x.name.padEnd(width)}  T${x.tier}  ${progressBar(
                x.overallProgress,
                24,
              )}  ${count(x.importedRecords)} / ${count(x.totalRecords)}  ${
                x.status
              }`,
          ),
          ...(d.blockers.length
            ? ['Blockers:', ...d.blockers.map(b => `  - ${b}`)]
            : []),
        ];
      });
    });

  addControlCommands(program, ctx);
  addRunbookCommands(program, ctx);
  addFreezeCommands(program, ctx);
  addReadinessCommand(program, ctx);

  return { program, output };
}

/** Builds the command; `io` is injectable so tests run it without a process. @public */
export function createProgram(io: Io): Command {
  return buildProgram(io).program;
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}

/** Says what went wrong on stderr; returns the exit code. */
function explain(error: any, io: Io): number {
  if (error?.code?.startsWith?.('commander.')) {
    // Commander has printed the problem (or the help) already.
    return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
  }
  if (error instanceof ResponseError) {
    const status = error.response.status;
    io.err(`cutover: ${status} ${error.body?.error?.message ?? error.message}`);
    if (status === 401)
      io.err('Set CUTOVER_TOKEN to a token the portal accepts.');
    return EXIT.error;
  }
  if (isNetworkError(error)) {
    io.err(
      `cutover: cannot reach the cutover API: ${describeNetworkError(
        error,
      )}; check --url or CUTOVER_URL`,
    );
    return EXIT.error;
  }
  io.err(`cutover: ${error?.message ?? error}`);
  return EXIT.error;
}

/**
 * Runs the command; resolves to the exit code. Under `--json` a failure without a result prints
 * an error document ({@link JsonErrorDocument}) on stdout as well as the message on stderr.
 * @public
 */
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
  const { program, output } = buildProgram(full);
  try {
    await program.parseAsync(argv);
    return EXIT.ok;
  } catch (e) {
    if (e instanceof ExitError) return e.code;
    const code = explain(e, full);
    if (output.json && code !== EXIT.ok && !output.hasPrinted) {
      output.document(errorDocument(e, code));
    }
    return code;
  }
}

/** Entry point of the `cutover` binary. @public */
export function main(argv: string[]) {
  run(argv).then(code => {
    process.exitCode = code;
  });
}
