import { CutoverApi, parseMoment } from '@switchyard/plugin-cutover-common';
import { Command } from 'commander';
import { ExitError, Output } from './output';

/** What every command needs from the program that hosts it. */
export interface CliContext {
  /** The client, set up from `--url`, `CUTOVER_URL`, `CUTOVER_TOKEN` and `--retries`. */
  client(cmd: Command): CutoverApi;
  output: Output;
  sleep(ms: number): Promise<void>;
  /** The CLI's clock, in milliseconds since the epoch. */
  now(): number;
  /** Where `apply -f -` and `report --stdin` read from. */
  stdin: NodeJS.ReadableStream;
}

/** Ends the command with an exit code (what it had to say is printed). */
export function exit(code: number): never {
  throw new ExitError(code);
}

/** `30s`, `5m`, `2h`, `500ms`, or a number of seconds, in milliseconds. */
export function parseDurationMs(text: string): number {
  const m = /^(\d+)(ms|s|m|h)?$/.exec(text.trim());
  if (!m) throw new Error(`"${text}" is not a duration such as 30s, 5m or 2h`);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[
    (m[2] ?? 's') as 'ms'
  ];
  return Number(m[1]) * unit;
}

/** A moment option (`now`, `now+2h`, an ISO time) in milliseconds, or an error naming the flag. */
export function parseMomentOption(
  flag: string,
  text: string,
  now: number,
): number {
  const at = parseMoment(text, now);
  if (at === undefined) {
    throw new Error(
      `${flag}: "${text}" is not a moment such as now, now-1d, now+2h or 2026-12-01T08:00:00Z`,
    );
  }
  return at;
}

/** `a, b,c` -> `['a', 'b', 'c']`. */
export const list = (text: string) =>
  text
    .split(',')
    .map(s => s.trim())
    .filter(Boolean);

/** A UTC time for tables: `2026-12-10 08:00`. */
export function shortTime(iso: string | null | undefined): string {
  if (!iso) return '-';
  return new Date(iso).toISOString().slice(0, 16).replace('T', ' ');
}
