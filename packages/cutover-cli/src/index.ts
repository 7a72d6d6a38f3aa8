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
import { CutoverApi, CutoverClient } from '@switchyard/plugin-cutover-common';
import { Command } from 'commander';
import { version } from '../package.json';
import { CliContext } from './context';
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
import { addPlanCommands } from './plans';
import { addProgressCommands } from './progress';
import { addReadinessCommand } from './readiness';
import { addRunbookCommands } from './runbook';

export { EXIT } from './output';
export type { JsonErrorDocument } from './output';

const DEFAULT_URL = 'http://localhost:7007/api/cutover';
const DEFAULT_RETRIES = 5;

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
    stdin: io.stdin,
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

  addPlanCommands(program, ctx);
  addProgressCommands(program, ctx);
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
