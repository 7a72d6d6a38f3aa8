/*
 * Switchyard's actions for assistants, reached the way an assistant reaches them: through the MCP
 * actions backend's own HTTP endpoint (JSON-RPC over streamable HTTP), which lists and invokes them
 * through Backstage's actions service, which calls the cutover plugin's actions registry, whose
 * actions call the cutover API on behalf of the caller. Real plugins and HTTP all the way.
 */
import mcpActionsPlugin from '@backstage/plugin-mcp-actions-backend';
import cutoverActionsModule from '@switchyard/plugin-cutover-backend-module-actions';
import { as, startCutoverBackend, testPlan } from '../__testUtils__/backend';
import { cutoverTestDatabases } from '../__testUtils__/databases';

jest.setTimeout(60_000);

const databases = cutoverTestDatabases();

/** Reads a JSON-RPC answer from a streamable-HTTP reply (an SSE stream or plain JSON). */
function rpcResult(res: { text: string; headers: Record<string, string> }) {
  const text = res.text;
  const json = (res.headers['content-type'] ?? '').includes('text/event-stream')
    ? text
        .split('\n')
        .filter(line => line.startsWith('data: '))
        .map(line => JSON.parse(line.slice(6)))
        .pop()
    : JSON.parse(text);
  return json;
}

describe.each(databases.eachSupportedId())(
  'actions for assistants (MCP) on %s',
  databaseId => {
    async function setup(config: Record<string, unknown> = {}) {
      const knex = await databases.init(databaseId);
      const started = await startCutoverBackend({
        knex,
        extraFeatures: [mcpActionsPlugin, cutoverActionsModule],
        config: {
          backend: { actions: { pluginSources: ['cutover'] } },
          ...config,
        },
      });
      let nextId = 1;
      const mcp = async (
        who: string,
        method: string,
        params: Record<string, unknown> = {},
      ) => {
        const res = await started
          .api()
          .post('/api/mcp-actions/v1')
          .set('Authorization', who)
          .set('Accept', 'application/json, text/event-stream')
          .set('Content-Type', 'application/json')
          .buffer(true)
          .parse((response, callback) => {
            let data = '';
            response.setEncoding('utf8');
            response.on('data', chunk => {
              data += chunk;
            });
            response.on('end', () => callback(null, data));
          })
          .send({ jsonrpc: '2.0', id: nextId++, method, params });
        return {
          status: res.status,
          body: rpcResult({ text: res.body as string, headers: res.headers }),
        };
      };
      const call = async (
        who: string,
        name: string,
        args: Record<string, unknown>,
      ) => {
        const { body } = await mcp(who, 'tools/call', {
          name: `cutover.${name}`,
          arguments: args,
        });
        const content = body.result?.content?.[0]?.text;
        return {
          isError: Boolean(body.result?.isError) || Boolean(body.error),
          text: content ?? body.error?.message ?? '',
          json: () => JSON.parse(content),
        };
      };
      return { ...started, mcp, call };
    }

    it('lists the read actions, and no write action unless config turns them on', async () => {
      const { mcp } = await setup();
      const { status, body } = await mcp(as.reader, 'tools/list');
      expect(status).toBe(200);
      const names = body.result.tools
        .map((t: { name: string }) => t.name)
        .sort();
      expect(names).toEqual([
        'cutover.get-latest-reconciliation',
        'cutover.get-migration-status',
        'cutover.get-readiness',
        'cutover.list-migrations',
      ]);
      const status_ = body.result.tools.find(
        (t: { name: string }) => t.name === 'cutover.get-migration-status',
      );
      expect(status_.inputSchema.required).toEqual(['migrationId']);
      expect(status_.annotations).toMatchObject({ readOnlyHint: true });
    });

    it("answers with what the caller's tabs show: migrations, status and ETA, the verdict, the latest reconciliation", async () => {
      const { api, call } = await setup();
      await api()
        .post('/api/cutover/migrations')
        .set('Authorization', as.owner)
        .send(testPlan())
        .expect(201);
      await api()
        .post('/api/cutover/migrations/orders-v2/metrics')
        .set('Authorization', as.job)
        .send({
          samples: [
            { dataset: 'customers', importedRecords: 400, totalRecords: 1000 },
          ],
        })
        .expect(200);

      const list = await call(as.reader, 'list-migrations', {
        owner: 'group:default/orders-team',
      });
      expect(list.isError).toBe(false);
      expect(list.json()).toMatchObject({
        totalCount: 1,
        migrations: [
          {
            id: 'orders-v2',
            owner: 'group:default/orders-team',
            status: expect.any(String),
          },
        ],
      });

      const dashboard = (
        await api()
          .get('/api/cutover/migrations/orders-v2/dashboard')
          .set('Authorization', as.reader)
      ).body;
      const status = await call(as.reader, 'get-migration-status', {
        migrationId: 'orders-v2',
      });
      expect(status.json()).toMatchObject({
        id: 'orders-v2',
        overallProgress: dashboard.overallProgress,
        importedRecords: 400,
        estimatedCompletion: dashboard.estimatedCompletion,
        plannedEnd: dashboard.plannedEnd,
      });
      expect(
        status
          .json()
          .datasets.find((d: { name: string }) => d.name === 'customers'),
      ).toMatchObject({
        cutoverState: 'PENDING',
        readSource: 'LEGACY',
      });

      const readiness = (
        await api()
          .get('/api/cutover/migrations/orders-v2/readiness')
          .set('Authorization', as.reader)
      ).body;
      const verdict = await call(as.reader, 'get-readiness', {
        migrationId: 'orders-v2',
      });
      expect(verdict.json()).toMatchObject({
        recommendation: readiness.recommendation,
        score: readiness.score,
        riskLevel: readiness.riskLevel,
        blockers: readiness.blockers.map((b: any) => ({
          severity: b.severity,
          source: b.source,
          message: b.message,
        })),
        approval: { status: readiness.approval.status },
      });

      const never = await call(as.reader, 'get-latest-reconciliation', {
        migrationId: 'orders-v2',
      });
      expect(never.json()).toEqual({ run: null });

      const missing = await call(as.reader, 'get-migration-status', {
        migrationId: 'no-such-migration',
      });
      expect(missing.isError).toBe(true);
      expect(missing.text).toMatch(/no-such-migration|not found/i);
    });

    it('writes only with the config switch, as the caller, refused for those the plugin refuses', async () => {
      const { api, call, mcp } = await setup({
        cutover: { actions: { allowWrites: true } },
      });
      await api()
        .post('/api/cutover/migrations')
        .set('Authorization', as.owner)
        .send(testPlan())
        .expect(201);
      const tools = (await mcp(as.owner, 'tools/list')).body.result.tools.map(
        (t: { name: string }) => t.name,
      );
      expect(tools).toContain('cutover.set-migration-control');

      const refused = await call(as.reader, 'set-migration-control', {
        migrationId: 'orders-v2',
        controlState: 'PAUSE',
      });
      expect(refused.isError).toBe(true);
      const unchanged = await api()
        .get('/api/cutover/migrations/orders-v2')
        .set('Authorization', as.reader);
      expect(unchanged.body.controlState).toBe('RUN');

      const paused = await call(as.owner, 'set-migration-control', {
        migrationId: 'orders-v2',
        controlState: 'PAUSE',
      });
      expect(paused.isError).toBe(false);
      expect(paused.json()).toMatchObject({
        id: 'orders-v2',
        controlState: 'PAUSE',
      });
      const audit = await api()
        .get('/api/cutover/migrations/orders-v2/audit')
        .set('Authorization', as.owner);
      const change = audit.body.items.find((e: any) =>
        JSON.stringify(e).includes('PAUSE'),
      );
      expect(change?.actor).toBe('user:default/olivia-owner');
    });
  },
);
