/**
 * Plans: `cutover apply` creates or updates a migration from a plan file, `cutover plan draft`
 * drafts a plan from the databases behind two connections.
 */
import { layOutPlan } from '@switchyard/plugin-cutover-common';
import { Command } from 'commander';
import fs from 'node:fs';
import YAML from 'yaml';
import { CliContext, parseMomentOption } from './context';

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}

/** Adds `apply` and `plan draft`. */
export function addPlanCommands(program: Command, ctx: CliContext) {
  const { output } = ctx;
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
          ? await readAll(ctx.stdin)
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
    .requiredOption(
      '--source <connection>',
      'the legacy side (a connection under cutover.connections)',
    )
    .requiredOption(
      '--destination <connection>',
      'the new side (a connection under cutover.connections)',
    )
    .requiredOption(
      '--owner <ref>',
      'who will own the migration, e.g. group:default/orders-team',
    )
    .option(
      '--schema <name>',
      'PostgreSQL schema read on both sides (default public)',
    )
    .option(
      '--approvers <ref>',
      'who approves the cutover, e.g. group:default/cutover-approvers',
    )
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
        for (const u of draft.unkeyed)
          output.warn(`left out ${u.table}: ${u.reason}`);
        for (const e of draft.excluded)
          output.warn(`left out ${e.side} table ${e.table}: ${e.reason}`);
        for (const n of draft.notes) output.warn(n);
        output.result(draft, () => [draft.yaml.trimEnd()]);
      },
    );
}
