import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createCutoverAnnotateAction } from './annotate';

const CATALOG_INFO = `# The orders service, owned by the orders team.
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: orders-service
  annotations:
    backstage.io/techdocs-ref: dir:.   # docs live beside the code
spec:
  type: service
  owner: group:default/orders-team
---
apiVersion: backstage.io/v1alpha1
kind: API
metadata:
  name: orders-api
spec:
  type: openapi
`;

function workspace(files: Record<string, string>) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'annotate-'));
  for (const [name, text] of Object.entries(files))
    fs.writeFileSync(path.join(dir, name), text);
  return dir;
}

describe('cutover:annotate', () => {
  const action = createCutoverAnnotateAction();

  it("adds the migration to the component's annotation, keeping comments and the other documents", async () => {
    const dir = workspace({ 'catalog-info.yaml': CATALOG_INFO });
    const ctx = createMockActionContext({
      workspacePath: dir,
      input: { migrationId: 'orders-v2' } as any,
    });
    await action.handler(ctx as any);
    const written = fs.readFileSync(
      path.join(dir, 'catalog-info.yaml'),
      'utf8',
    );
    expect(written).toContain(
      '# The orders service, owned by the orders team.',
    );
    expect(written).toContain(
      'backstage.io/techdocs-ref: dir:. # docs live beside the code',
    );
    expect(written).toContain('switchyard.dev/migration: orders-v2');
    expect(written).toContain('name: orders-api');
    expect(ctx.output).toHaveBeenCalledWith('annotation', 'orders-v2');
    expect(ctx.output).toHaveBeenCalledWith('entityName', 'orders-service');

    // Applied again with another migration: appended once, never duplicated.
    await action.handler(
      createMockActionContext({
        workspacePath: dir,
        input: { migrationId: 'billing-ledger' } as any,
      }) as any,
    );
    await action.handler(
      createMockActionContext({
        workspacePath: dir,
        input: { migrationId: 'orders-v2' } as any,
      }) as any,
    );
    expect(
      fs.readFileSync(path.join(dir, 'catalog-info.yaml'), 'utf8'),
    ).toContain('switchyard.dev/migration: orders-v2, billing-ledger');
  });

  it('annotates a named entity, writes nothing in a dry run, and says what is missing', async () => {
    const dir = workspace({ 'catalog-info.yaml': CATALOG_INFO });
    // (The mock context does not carry isDryRun through its options.)
    const dry = {
      ...createMockActionContext({
        workspacePath: dir,
        input: { migrationId: 'orders-v2', entityName: 'orders-api' } as any,
      }),
      isDryRun: true,
    };
    await action.handler(dry as any);
    expect(dry.output).toHaveBeenCalledWith('entityName', 'orders-api');
    expect(fs.readFileSync(path.join(dir, 'catalog-info.yaml'), 'utf8')).toBe(
      CATALOG_INFO,
    );

    await expect(
      action.handler(
        createMockActionContext({
          workspacePath: dir,
          input: { migrationId: 'x', entityName: 'nope' } as any,
        }) as any,
      ),
    ).rejects.toThrow('catalog-info.yaml: no entity named "nope" to annotate');
    await expect(
      action.handler(
        createMockActionContext({
          workspacePath: dir,
          input: { migrationId: 'x', filePath: 'missing.yaml' } as any,
        }) as any,
      ),
    ).rejects.toThrow('missing.yaml: no such file in the workspace');
    await expect(
      action.handler(
        createMockActionContext({
          workspacePath: dir,
          input: { migrationId: 'x', filePath: '../outside.yaml' } as any,
        }) as any,
      ),
    ).rejects.toThrow(/outside/i);
  });
});
