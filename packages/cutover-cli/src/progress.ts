/**
 * What a migration job reports as it runs: metric samples (`cutover report`), phases and their
 * sub-tasks (`cutover phase`), alerts (`cutover alert`), and the migration's progress
 * (`cutover status`).
 */
import {
  ALERT_SEVERITIES,
  ALERT_TYPES,
  IngestResult,
  MetricSample,
  Phase,
  PHASE_STATUSES,
  PhaseUpdate,
} from '@switchyard/plugin-cutover-common';
import { Command, Option } from 'commander';
import readline from 'node:readline';
import { CliContext } from './context';
import { count, progressBar } from './progressBar';
import { sampleFromFlags, sampleFromJsonLine, SampleFlags } from './samples';

/** Samples of `report --stdin` sent in one request. */
const BATCH = 1000;

/** The options of `cutover report`. */
interface ReportOptions extends SampleFlags {
  migration: string;
  stdin?: boolean;
  idempotencyKey?: string;
}

/** Adds `report`, `phase`, `alert` and `status`. */
export function addProgressCommands(program: Command, ctx: CliContext) {
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
    .option(
      '--cost <amount>',
      'cost so far, in the currency of cutover.cost.currency',
    )
    .option(
      '--error-type <type=count>',
      'errors of one type so far (repeatable)',
      (value: string, previous: string[] = []) => [...previous, value],
    )
    .option(
      '--idempotency-key <key>',
      'key that makes a retried report apply once (and lets the CLI retry it)',
    );
  report.action(async (opts: ReportOptions, cmd: Command) => {
    const client = ctx.client(cmd);
    if (!opts.stdin) {
      const sample = sampleFromFlags(opts);
      const result = await client.reportMetrics(opts.migration, [sample], {
        idempotencyKey: opts.idempotencyKey,
      });
      ctx.output.result(result, () => [
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
      input: ctx.stdin,
      crlfDelay: Infinity,
    });
    for await (const line of lines) {
      lineNumber += 1;
      if (!line.trim()) continue;
      batch.push(sampleFromJsonLine(line, lineNumber));
      if (batch.length >= BATCH) await flush();
    }
    await flush();
    ctx.output.result({ ...total, lines: lineNumber }, () => [
      `Reported ${
        total.accepted + total.duplicates
      } sample(s) from ${lineNumber} line(s)`,
    ]);
  });

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
        ctx.output.result(phase, () => [
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
        if (!id)
          throw new Error(`--subtask "${name}" has no letters or digits`);
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
      ctx.output.result(alert, () => [
        `Raised ${alert.severity} alert ${alert.id}: ${alert.title} (respond by ${alert.targetResolutionTime})`,
      ]);
    });

  program
    .command('status')
    .description('print the migration status with a progress bar per dataset')
    .requiredOption('-m, --migration <id>', 'migration id')
    .action(async (opts: { migration: string }, cmd: Command) => {
      const d = await ctx.client(cmd).getDashboard(opts.migration);
      ctx.output.result(d, () => {
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
}
