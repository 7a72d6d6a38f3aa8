import { cutoverApprovalDecidePermission } from '@switchyard/plugin-cutover-common';
import { ACTOR_HEADERS, startCutoverBackend } from '../__testUtils__/backend';
import { cutoverTestDatabases } from '../__testUtils__/databases';
import {
  MATRIX_PRINCIPALS,
  MatrixContext,
  MatrixPrincipal,
  MATRIX_CONFIG,
  PERMISSION_MATRIX,
} from '../__testUtils__/permissionMatrix';
import {
  createMigration,
  fixtureModules,
  Http,
  routeKey,
  ROUTES,
  seedFixture,
  waitForJob,
} from '../__testUtils__/routeTable';

/*
 * Drives every cell of the permission matrix through HTTP against the cutover plugin with the
 * real permission backend and the test policy, and checks the status each caller gets.
 */

jest.setTimeout(120_000);

const databases = cutoverTestDatabases();

const HEADERS = ACTOR_HEADERS;

describe('the permission matrix', () => {
  it('has exactly one row for every route of the router', () => {
    const keys = PERMISSION_MATRIX.map(routeKey);
    expect(new Set(keys).size).toBe(keys.length);
    expect([...keys].sort()).toEqual(ROUTES.map(routeKey).sort());
  });

  it('never lets anonymous callers in except to /health, nor the job token decide approvals', () => {
    const anonymous = PERMISSION_MATRIX.filter(
      row => row.expected.anonymous !== 401,
    ).map(routeKey);
    expect(anonymous).toEqual(['GET /health']);
    const decisions = PERMISSION_MATRIX.filter(
      row => row.permission === cutoverApprovalDecidePermission.name,
    );
    expect(decisions.map(row => [routeKey(row), row.expected.job])).toEqual([
      ['POST /migrations/:id/approvals', 403],
      ['POST /migrations/:id/approvals/:approvalId/revoke', 403],
    ]);
  });
});

describe.each(databases.eachSupportedId())('permissions on %s', databaseId => {
  let ctx: MatrixContext;

  beforeAll(async () => {
    const knex = await databases.init(databaseId);
    const started = await startCutoverBackend({
      knex,
      config: MATRIX_CONFIG,
      extraFeatures: fixtureModules(knex),
    });
    const http: Http = async (who, method, path, body) => {
      const verb = method.toLowerCase() as
        | 'get'
        | 'post'
        | 'put'
        | 'patch'
        | 'delete';
      let req = started.api()[verb](`/api/cutover${path}`);
      const header = HEADERS[who];
      if (header) req = req.set('authorization', header);
      if (body !== undefined) req = req.send(body as object);
      const res = await req;
      return { status: res.status, body: res.body };
    };
    const fx = await seedFixture(http, {
      knex,
      triggerTask: id => started.scheduler.triggerTask(id),
    });
    let count = 0;
    ctx = {
      http,
      fx,
      newId: () => {
        count += 1;
        return `pm-${count}`;
      },
      fresh: () => createMigration(http, ctx.newId(), knex),
    };
  }, 120_000);

  it.each(PERMISSION_MATRIX.map(row => [routeKey(row), row] as const))(
    '%s',
    async (_key, row) => {
      const actual = {} as Record<MatrixPrincipal, number>;
      const unexpected: string[] = [];
      for (const principal of MATRIX_PRINCIPALS) {
        const req = await row.request(ctx);
        const res = await ctx.http(principal, row.method, req.path, req.body);
        actual[principal] = res.status;
        if (res.status !== row.expected[principal]) {
          unexpected.push(
            `${principal}: ${res.status} ${JSON.stringify(res.body).slice(
              0,
              300,
            )}`,
          );
        }
        // Let jobs a request started finish before the next request (and before the backend stops).
        if (res.status === 202 && res.body?.id)
          await waitForJob(ctx.http, `${req.path}/${res.body.id}`);
      }
      expect({ statuses: actual, unexpected }).toEqual({
        statuses: row.expected,
        unexpected: [],
      });
    },
  );
});
