/**
 * `cutover readiness`: the one cutover verdict (recommendation, score, risk, every blocker with its
 * cause, and per dataset the cutover gate), with an exit code by recommendation so that a CI
 * pipeline can gate on it.
 */
import type {
  Blocker,
  Readiness,
  Recommendation,
} from '@switchyard/plugin-cutover-common';
import { Command } from 'commander';
import { CliContext, exit } from './context';
import { EXIT } from './output';
import { formatTable } from './table';

/** The exit code of each recommendation. */
export const READINESS_EXIT: Record<Recommendation, number> = {
  GO: EXIT.ok,
  GO_WITH_CAUTION: EXIT.goWithCaution,
  NO_GO: EXIT.noGo,
};

const blockerLine = (b: Blocker) =>
  `${b.severity.padEnd(8)}  ${b.source}${b.dataset ? ` ${b.dataset}` : ''}: ${
    b.message
  }${b.fixIn ? ` (fix: ${b.fixIn.replace('#', ' tab, ')})` : ''}`;

/** The verdict as lines of text. */
export function readinessLines(id: string, r: Readiness): string[] {
  const lines = [
    `${id}: ${r.recommendation} (score ${r.score}, risk ${r.riskLevel}, approval ${r.approval.status})`,
  ];
  if (r.blockers.length) {
    lines.push('', `Blockers (${r.blockers.length}):`);
    lines.push(...r.blockers.map(b => `  ${blockerLine(b)}`));
  }
  if (r.warnings.length) {
    lines.push('', 'Warnings:', ...r.warnings.map(w => `  ${w}`));
  }
  lines.push(
    '',
    `Cutover gate: ${r.cutoverGate.open ? 'open' : 'closed'}${
      r.cutoverGate.approval.length
        ? ` (approval: ${r.cutoverGate.approval
            .map(b => b.message)
            .join('; ')})`
        : ''
    }`,
  );
  lines.push(
    ...formatTable(
      ['DATASET', 'STATE', 'READS', 'DRIFT', 'GATE'],
      r.cutoverGate.datasets.map(d => [
        d.dataset,
        d.cutoverState,
        d.rollout
          ? `${d.readSource} (${d.rollout.source} ${d.rollout.percent}%)`
          : d.readSource,
        d.driftLevel ?? '-',
        d.open
          ? 'open'
          : `${d.blockers.length} blocker(s): ${d.blockers
              .filter(b => b.source !== 'APPROVAL')
              .map(b => b.source)
              .filter((s, i, all) => all.indexOf(s) === i)
              .concat(
                d.blockers.some(b => b.source === 'APPROVAL')
                  ? ['APPROVAL']
                  : [],
              )
              .join(', ')}`,
      ]),
    ).map(l => `  ${l}`),
  );
  return lines;
}

export function addReadinessCommand(program: Command, ctx: CliContext) {
  program
    .command('readiness')
    .description(
      'print the cutover verdict: recommendation, score, risk, blockers and the per-dataset cutover gate; exit 0 GO, 6 GO_WITH_CAUTION, 7 NO_GO',
    )
    .requiredOption('-m, --migration <id>', 'migration id')
    .action(async (opts: { migration: string }, cmd: Command) => {
      const readiness = await ctx.client(cmd).getReadiness(opts.migration);
      ctx.output.result(readiness, () =>
        readinessLines(opts.migration, readiness),
      );
      const code = READINESS_EXIT[readiness.recommendation];
      if (code !== EXIT.ok) exit(code);
    });
}
