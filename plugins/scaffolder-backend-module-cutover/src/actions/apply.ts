import { AuthService, DiscoveryService } from '@backstage/backend-plugin-api';
import { InputError, ResponseError } from '@backstage/errors';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { migrationPlanSchema } from '@switchyard/plugin-cutover-common';
import YAML from 'yaml';
import { cutoverClientOnBehalfOf } from '@switchyard/plugin-cutover-node';
import { explained } from './errors';

/** The path of an entity's tab in the portal, e.g. /catalog/default/component/orders-service/migration. */
export function entityTabPath(entityRef: string, tab: string): string {
  const match = /^([^:]+):(?:([^/]+)\/)?(.+)$/.exec(entityRef);
  if (!match) return '/catalog';
  const [, kind, namespace = 'default', name] = match;
  return `/catalog/${namespace}/${kind.toLowerCase()}/${name}/${tab}`;
}

/**
 * `cutover:plan:apply`: creates or updates a migration from a plan (an object, or its YAML), as the
 * person who runs the template: their permissions and the governance of connections, tables,
 * owners and approvers apply.
 * @public
 */
export function createCutoverPlanApplyAction(deps: {
  discovery: DiscoveryService;
  auth: AuthService;
}) {
  return createTemplateAction({
    id: 'cutover:plan:apply',
    description:
      'Creates or updates a Switchyard migration from a plan, as the user who runs the template',
    schema: {
      input: {
        plan: z =>
          z
            .union([z.string(), z.record(z.string(), z.unknown())])
            .describe(
              'The plan: an object, or its YAML (as cutover:plan:draft outputs it)',
            ),
      },
      output: {
        migrationId: z => z.string(),
        created: z => z.boolean(),
        entityRef: z =>
          z
            .string()
            .optional()
            .describe('The first entity the migration is annotated on'),
        migrationPath: z =>
          z
            .string()
            .describe("The migration's Migration tab in the portal (a path)"),
      },
    },
    async handler(ctx) {
      const raw =
        typeof ctx.input.plan === 'string'
          ? YAML.parse(ctx.input.plan)
          : ctx.input.plan;
      const parsed = migrationPlanSchema.safeParse(raw);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        throw new InputError(
          `plan: ${issue.path.join('.') || '(root)'}: ${issue.message}`,
        );
      }
      const plan = raw as typeof parsed.data;
      const client = cutoverClientOnBehalfOf(
        deps,
        await ctx.getInitiatorCredentials(),
      );
      let existed = true;
      try {
        await client.getMigration(plan.id);
      } catch (e) {
        if (!(e instanceof ResponseError && e.response.status === 404)) throw e;
        existed = false;
      }
      const migration = await explained(() => client.applyPlan(plan));
      const entityRef = migration.entityRefs[0];
      ctx.logger.info(
        `${existed ? 'Updated' : 'Created'} migration ${migration.id} (${
          migration.title
        })`,
      );
      ctx.output('migrationId', migration.id);
      ctx.output('created', !existed);
      if (entityRef) ctx.output('entityRef', entityRef);
      ctx.output(
        'migrationPath',
        entityRef ? entityTabPath(entityRef, 'migration') : '/catalog',
      );
    },
  });
}
