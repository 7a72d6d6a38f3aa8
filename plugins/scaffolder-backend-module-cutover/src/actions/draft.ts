import { AuthService, DiscoveryService } from '@backstage/backend-plugin-api';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { cutoverClientOnBehalfOf } from '@switchyard/plugin-cutover-node';
import { explained } from './errors';

/**
 * `cutover:plan:draft`: drafts a plan from the databases behind two configured connections, as the
 * person who runs the template (the connections must be their team's to use). Outputs the plan and
 * its YAML for review; it never applies anything (`cutover:plan:apply` does, with the reviewed plan).
 * @public
 */
export function createCutoverPlanDraftAction(deps: {
  discovery: DiscoveryService;
  auth: AuthService;
}) {
  return createTemplateAction({
    id: 'cutover:plan:draft',
    description:
      'Drafts a Switchyard migration plan from two configured database connections (tables, keys, tiers, row counts), as the user who runs the template',
    schema: {
      input: {
        source: z =>
          z
            .string()
            .describe(
              'The legacy side: a connection under cutover.connections',
            ),
        destination: z =>
          z
            .string()
            .describe('The new side: a connection under cutover.connections'),
        owner: z =>
          z
            .string()
            .describe(
              'Who will own the migration (a group the user belongs to)',
            ),
        approvers: z =>
          z.string().optional().describe('Who approves the cutover'),
        schema: z =>
          z
            .string()
            .optional()
            .describe('PostgreSQL schema read on both sides (default public)'),
        id: z =>
          z
            .string()
            .optional()
            .describe('The migration id (default <source>-to-<destination>)'),
        title: z => z.string().optional(),
        entityRefs: z =>
          z
            .array(z.string())
            .optional()
            .describe('Catalog entities the migration belongs to'),
      },
      output: {
        plan: z =>
          z
            .record(z.string(), z.unknown())
            .describe('The drafted plan, for cutover:plan:apply'),
        yaml: z =>
          z
            .string()
            .describe(
              'The plan as YAML, with comments where a person must decide',
            ),
        datasetCount: z => z.number(),
        review: z =>
          z
            .string()
            .describe(
              'Markdown for the template output: what the draft left out and why',
            ),
      },
    },
    async handler(ctx) {
      const client = cutoverClientOnBehalfOf(
        deps,
        await ctx.getInitiatorCredentials(),
      );
      const draft = await explained(() =>
        client.draftPlan({
          source: ctx.input.source,
          destination: ctx.input.destination,
          owner: ctx.input.owner,
          approvers: ctx.input.approvers || undefined,
          schema: ctx.input.schema || undefined,
          id: ctx.input.id || undefined,
          title: ctx.input.title || undefined,
          entityRefs: ctx.input.entityRefs,
        }),
      );
      const datasets = draft.plan.datasets ?? [];
      ctx.logger.info(
        `Drafted ${datasets.length} datasets from ${ctx.input.source} -> ${ctx.input.destination}; ${draft.unkeyed.length} without a key, ${draft.excluded.length} not exposed`,
      );
      const lines = [
        `**${datasets.length} datasets** drafted from \`${ctx.input.source}\` to \`${ctx.input.destination}\`, in tiers by foreign keys.`,
        ...(draft.unkeyed.length
          ? [
              '',
              '**Left out, no key to reconcile by:**',
              ...draft.unkeyed.map(u => `- \`${u.table}\`: ${u.reason}`),
            ]
          : []),
        ...(draft.excluded.length
          ? [
              '',
              '**Not exposed by the connections:**',
              ...draft.excluded.map(
                e => `- ${e.side} \`${e.table}\`: ${e.reason}`,
              ),
            ]
          : []),
        ...(draft.onlyInSource.length
          ? [
              '',
              `**Only in the source:** ${draft.onlyInSource
                .map(t => `\`${t}\``)
                .join(', ')}`,
            ]
          : []),
        ...(draft.onlyInDestination.length
          ? [
              '',
              `**Only in the destination:** ${draft.onlyInDestination
                .map(t => `\`${t}\``)
                .join(', ')}`,
            ]
          : []),
        ...(draft.notes.length
          ? ['', '**Notes:**', ...draft.notes.map(note => `- ${note}`)]
          : []),
        '',
        '```yaml',
        draft.yaml.trimEnd(),
        '```',
      ];
      ctx.output('plan', draft.plan as Record<string, unknown>);
      ctx.output('yaml', draft.yaml);
      ctx.output('datasetCount', datasets.length);
      ctx.output('review', lines.join('\n'));
    },
  });
}
