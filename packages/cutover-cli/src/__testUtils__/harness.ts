import { CutoverApi } from '@switchyard/plugin-cutover-common';
import { Readable } from 'node:stream';
import { run } from '../index';

/**
 * Runs the CLI in-process against `client`, collecting what it prints. Its clock starts at `now`
 * and moves only when the CLI sleeps, so that waiting and timeouts take no real time.
 */
export function harness(
  client: Partial<CutoverApi>,
  options: { stdin?: string; now?: number; env?: NodeJS.ProcessEnv } = {},
) {
  const out: string[] = [];
  const err: string[] = [];
  let clock = options.now ?? Date.parse('2030-06-01T12:00:00Z');
  const sleeps: number[] = [];
  return {
    out,
    err,
    sleeps,
    /** The one JSON document the command printed on stdout. */
    json: () => JSON.parse(out.join('\n')),
    run: (...args: string[]) =>
      run(['node', 'cutover', ...args], {
        out: l => out.push(l),
        err: l => err.push(l),
        stdin: Readable.from([options.stdin ?? '']),
        env: options.env ?? {},
        sleep: async ms => {
          sleeps.push(ms);
          clock += ms;
        },
        client: client as CutoverApi,
        now: () => clock,
      }),
  };
}
