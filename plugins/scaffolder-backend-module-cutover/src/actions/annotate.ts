import { resolveSafeChildPath } from '@backstage/backend-plugin-api';
import { InputError } from '@backstage/errors';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { CUTOVER_MIGRATION_ANNOTATION } from '@switchyard/plugin-cutover-common';
import fs from 'node:fs/promises';
import YAML from 'yaml';

/**
 * `cutover:annotate`: adds a migration to the `switchyard.dev/migration` annotation of a component
 * in a catalog-info file of the workspace (kept if it is there, appended to the list otherwise),
 * keeping the file's comments and layout.
 * @public
 */
export function createCutoverAnnotateAction() {
  return createTemplateAction({
    id: 'cutover:annotate',
    description:
      'Adds a migration to the switchyard.dev/migration annotation of a component in a catalog-info file of the workspace',
    supportsDryRun: true,
    schema: {
      input: {
        migrationId: z =>
          z
            .string()
            .regex(/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/)
            .describe('The migration id'),
        filePath: z =>
          z
            .string()
            .default('catalog-info.yaml')
            .describe('The catalog-info file, relative to the workspace'),
        entityName: z =>
          z
            .string()
            .optional()
            .describe(
              'Which entity of the file to annotate (metadata.name); the first Component by default',
            ),
      },
      output: {
        annotation: z => z.string().describe('The annotation value written'),
        entityName: z => z.string().describe('The entity annotated'),
      },
    },
    async handler(ctx) {
      const { migrationId, entityName } = ctx.input;
      const filePath = ctx.input.filePath ?? 'catalog-info.yaml';
      const file = resolveSafeChildPath(ctx.workspacePath, filePath);
      const text = await fs.readFile(file, 'utf8').catch(() => {
        throw new InputError(`${filePath}: no such file in the workspace`);
      });
      const docs = YAML.parseAllDocuments(text);
      const doc = docs.find(d => {
        const js = d.toJS() as {
          kind?: string;
          metadata?: { name?: string };
        } | null;
        return (
          js &&
          (entityName
            ? js.metadata?.name === entityName
            : js.kind === 'Component')
        );
      });
      if (!doc) {
        throw new InputError(
          `${filePath}: ${
            entityName ? `no entity named "${entityName}"` : 'no Component'
          } to annotate`,
        );
      }
      const current = doc.getIn([
        'metadata',
        'annotations',
        CUTOVER_MIGRATION_ANNOTATION,
      ]);
      const ids =
        typeof current === 'string'
          ? current
              .split(',')
              .map(s => s.trim())
              .filter(Boolean)
          : [];
      if (!ids.includes(migrationId)) ids.push(migrationId);
      const value = ids.join(', ');
      doc.setIn(
        ['metadata', 'annotations', CUTOVER_MIGRATION_ANNOTATION],
        value,
      );
      const name = String(doc.getIn(['metadata', 'name']) ?? '');
      if (!ctx.isDryRun) {
        await fs.writeFile(file, docs.map(d => d.toString()).join(''), 'utf8');
      }
      ctx.logger.info(
        `Annotated ${name} with ${CUTOVER_MIGRATION_ANNOTATION}: ${value}`,
      );
      ctx.output('annotation', value);
      ctx.output('entityName', name);
    },
  });
}
