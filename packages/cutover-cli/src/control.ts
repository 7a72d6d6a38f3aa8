/**
 * Control of a migration's jobs: `pause`, `resume` and `cancel` set the control state jobs poll;
 * `wait-until-running` is how a job honours it.
 */
import { ControlState, Migration } from '@switchyard/plugin-cutover-common';
import { Command } from 'commander';
import { CliContext, exit, parseDurationMs } from './context';
import { EXIT } from './output';

const COMMANDS: Array<{
  name: string;
  controlState: ControlState;
  description: string;
  done: string;
}> = [
  {
    name: 'pause',
    controlState: 'PAUSE',
    description: "tell the migration's jobs to pause (they wait until resumed)",
    done: 'paused',
  },
  {
    name: 'resume',
    controlState: 'RUN',
    description: "tell the migration's jobs to carry on",
    done: 'resumed',
  },
  {
    name: 'cancel',
    controlState: 'CANCEL',
    description:
      "tell the migration's jobs to stop for good (a cancelled migration cannot be resumed)",
    done: 'cancelled',
  },
];

/** Adds `pause`, `resume`, `cancel` and `wait-until-running` to the program. */
export function addControlCommands(program: Command, ctx: CliContext) {
  const { output } = ctx;

  for (const c of COMMANDS) {
    program
      .command(c.name)
      .description(c.description)
      .requiredOption('-m, --migration <id>', 'migration id')
      .option('--reason <text>', 'why (kept in the audit trail)')
      .action(
        async (opts: { migration: string; reason?: string }, cmd: Command) => {
          const migration: Migration = await ctx
            .client(cmd)
            .updateMigration(opts.migration, {
              controlState: c.controlState,
              ...(opts.reason ? { reason: opts.reason } : {}),
            });
          output.result(migration, () => [
            `Migration ${migration.id} ${c.done}: status ${migration.status}, jobs told to ${migration.controlState}`,
          ]);
        },
      );
  }

  program
    .command('wait-until-running')
    .description(
      'wait while the migration is paused; exit 3 if it is cancelled',
    )
    .requiredOption('-m, --migration <id>', 'migration id')
    .option(
      '-d, --dataset <name>',
      "the dataset this job moves: also wait while a phase moving it is paused",
    )
    .option('--interval <duration>', 'poll interval', '5s')
    .option('--timeout <duration>', 'give up after this long (exit 4)', '24h')
    .action(
      async (
        opts: {
          migration: string;
          dataset?: string;
          interval: string;
          timeout: string;
        },
        cmd: Command,
      ) => {
        const client = ctx.client(cmd);
        const interval = parseDurationMs(opts.interval);
        const deadline = ctx.now() + parseDurationMs(opts.timeout);
        let announced = false;
        for (;;) {
          const control = await client.getControl(
            opts.migration,
            opts.dataset ? { dataset: opts.dataset } : undefined,
          );
          if (control.controlState === 'RUN') {
            const resumed = announced
              ? [`Migration ${opts.migration} resumed`]
              : [];
            output.result(control, () => resumed);
            return;
          }
          if (control.controlState === 'CANCEL') {
            output.warn(`Migration ${opts.migration} was cancelled`);
            output.result(control, () => []);
            exit(EXIT.cancelled);
          }
          if (!announced) {
            const phases =
              opts.dataset && control.pausedPhases?.length
                ? ` (phase ${control.pausedPhases.join(', ')})`
                : '';
            output.info(
              `Migration ${opts.migration}${
                opts.dataset ? ` dataset ${opts.dataset}` : ''
              } is paused${phases}; waiting…`,
            );
            announced = true;
          }
          if (ctx.now() + interval > deadline) {
            output.warn(`Still paused after ${opts.timeout}`);
            output.result(control, () => []);
            exit(EXIT.timeout);
          }
          await ctx.sleep(interval);
        }
      },
    );
}
