import Ajv2020, { ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import {
  ACTOR_HEADERS,
  as,
  startCutoverBackend,
} from '../__testUtils__/backend';
import { cutoverTestDatabases } from '../__testUtils__/databases';
import {
  MATRIX_CONFIG,
  MATRIX_PRINCIPALS,
  MatrixContext,
  PERMISSION_MATRIX,
} from '../__testUtils__/permissionMatrix';
import {
  Actor,
  createMigration,
  Fixture,
  fixtureModules,
  fixtureParams,
  fixturePlan,
  fillPath,
  Http,
  Method,
  routeKey,
  ROUTES,
  seedFixture,
  waitForJob,
} from '../__testUtils__/routeTable';
import { createRouter, RouterOptions } from '../service/router';
import {
  caseInsensitivePattern,
  Json,
  OPENAPI_COMMAND,
  OPENAPI_FILE,
  openApiPath,
  openApiYaml,
  YamlOptions,
} from './openapi';

/*
 * The OpenAPI document (openapi.yaml) against its generator, the router and real answers: it is
 * the generator's output; it lists exactly the routes the router registers, with the permissions
 * the permission matrix checks over HTTP; and what the backend answers (success and refusals,
 * JSON bodies, statuses and content types) is what it documents. Response schemas are checked
 * strictly: an object may carry no field the document doesn't name.
 */

jest.setTimeout(180_000);

const databases = cutoverTestDatabases();

const YAML_PATH = path.resolve(__dirname, '../..', OPENAPI_FILE);
const HOW = `regenerate it from the repository root with \`${OPENAPI_COMMAND}\``;
const stringify = (value: unknown, options: YamlOptions) =>
  YAML.stringify(value, options);

const committedText = fs.existsSync(YAML_PATH)
  ? fs.readFileSync(YAML_PATH, 'utf8')
  : '';
const doc = (YAML.parse(committedText) ?? {
  paths: {},
  components: {},
}) as Json;

const HEADERS = ACTOR_HEADERS;

// ----- the document's operations -----

const METHODS = ['get', 'post', 'put', 'patch', 'delete'];

interface Operation {
  method: Method;
  /** OpenAPI path template: /migrations/{id}. */
  template: string;
  /** Express path template: /migrations/:id. */
  expressPath: string;
  pattern: RegExp;
  params: number;
  operation: Json;
}

const OPERATIONS: Operation[] = Object.entries(
  doc.paths as Record<string, Json>,
).flatMap(([template, item]) =>
  Object.entries(item)
    .filter(([method]) => METHODS.includes(method))
    .map(([method, operation]) => ({
      method: method.toUpperCase() as Method,
      template,
      expressPath: template.replace(/\{([A-Za-z]+)\}/g, ':$1'),
      pattern: new RegExp(
        `^${template
          .replace(/\./g, '\\.')
          .replace(/\{[A-Za-z]+\}/g, '[^/]+')}$`,
      ),
      params: (template.match(/\{/g) ?? []).length,
      operation: operation as Json,
    })),
);

/** The operation a request goes to (a literal segment wins over a parameter). */
function operationOf(method: Method, url: string): Operation | undefined {
  const pathname = url.split('?')[0];
  return OPERATIONS.filter(
    op => op.method === method && op.pattern.test(pathname),
  ).sort((a, b) => a.params - b.params)[0];
}

/** Follows a `$ref` into the document. */
function deref(value: unknown): Json | undefined {
  const json = value as Json | undefined;
  if (!json || typeof json.$ref !== 'string') return json;
  const target = json.$ref
    .slice(2)
    .split('/')
    .reduce<unknown>(
      (acc, key) =>
        (acc as Json | undefined)?.[
          key.replace(/~1/g, '/').replace(/~0/g, '~')
        ],
      doc,
    );
  return deref(target);
}

// ----- validation -----

/**
 * A copy of a schema in which objects with listed properties allow no others, so validation
 * shows fields the backend sends that the document doesn't name. (The document itself allows
 * them: shapes may grow.)
 */
function strict(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(strict);
  if (!value || typeof value !== 'object') return value;
  const out = Object.fromEntries(
    Object.entries(value).map(([k, v]) => [k, strict(v)]),
  ) as Json;
  if (
    out.type === 'object' &&
    out.properties &&
    out.additionalProperties === undefined
  ) {
    out.additionalProperties = false;
  }
  return out;
}

/** Local references made absolute, against the components added to ajv under `openapi.yaml`. */
function rebase(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(rebase);
  if (!value || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [
      k,
      k === '$ref' && typeof v === 'string' && v.startsWith('#/')
        ? `openapi.yaml${v}`
        : rebase(v),
    ]),
  );
}

const ajv = new Ajv2020({ allErrors: true, strict: false });
addFormats(ajv);
ajv.addSchema({
  $id: 'openapi.yaml',
  components: strict(doc.components),
} as object);
const validators = new Map<string, ValidateFunction>();
function validatorFor(schema: unknown): ValidateFunction {
  const key = JSON.stringify(schema);
  let validate = validators.get(key);
  if (!validate) {
    validate = ajv.compile(rebase(strict(schema)) as object);
    validators.set(key, validate);
  }
  return validate;
}

/** Validation errors, naming the fields the document doesn't list. */
const errorsOf = (validate: ValidateFunction, what: string) =>
  (validate.errors ?? [])
    .slice(0, 8)
    .map(e => {
      const extra =
        e.keyword === 'additionalProperties'
          ? `: ${
              (e.params as { additionalProperty: string }).additionalProperty
            }`
          : '';
      return `${what}${e.instancePath} ${e.message}${extra}`;
    })
    .join('; ');

/** One request and its answer. */
interface Exchange {
  who: Actor;
  method: Method;
  /** Relative to /api/cutover. */
  url: string;
  status: number;
  contentType: string;
  body: unknown;
  requestBody?: unknown;
}

const short = (value: unknown, n = 300) => {
  const text = JSON.stringify(value) ?? 'undefined';
  return text.length > n ? `${text.slice(0, n)}...` : text;
};

/** Where an exchange departs from the document: the status, the content type, the bodies. */
function problemsOf(x: Exchange): string[] {
  const what = `${x.method} ${x.url} as ${x.who} -> ${x.status}`;
  const op = operationOf(x.method, x.url);
  if (!op) return [`${what}: the document has no operation for it`];
  const responses = op.operation.responses as Json;
  const response = deref(responses[String(x.status)]);
  if (!response) {
    return [
      `${what}: status not documented for ${op.method} ${
        op.template
      } (${Object.keys(responses).join(', ')}); body ${short(x.body)}`,
    ];
  }
  const problems: string[] = [];
  const content = response.content as Record<string, Json> | undefined;
  if (!content) {
    if (x.contentType)
      problems.push(
        `${what}: documented without a body, answered ${x.contentType}`,
      );
  } else {
    const base = (type: string) => type.split(';')[0].trim().toLowerCase();
    const media = Object.keys(content).find(
      type => base(type) === base(x.contentType),
    );
    if (!media) {
      problems.push(
        `${what}: content type ${
          x.contentType || 'none'
        } is not among ${Object.keys(content).join(', ')}`,
      );
    } else if (base(media) === 'application/json') {
      const validate = validatorFor(content[media].schema);
      if (!validate(x.body))
        problems.push(
          `${what}: ${errorsOf(validate, 'body')}; body ${short(x.body, 600)}`,
        );
    }
  }
  const requestBody = deref(op.operation.requestBody);
  if (x.status < 300 && requestBody && x.requestBody !== undefined) {
    const schema = (requestBody.content as Record<string, Json>)[
      'application/json'
    ].schema;
    const validate = validatorFor(schema);
    if (!validate(x.requestBody)) {
      problems.push(
        `${what}: the request body it accepted is invalid by the document: ${errorsOf(
          validate,
          'request',
        )}`,
      );
    }
  }
  return problems;
}

// ----- the document itself -----

describe('the OpenAPI document', () => {
  it('is the one the generator makes', () => {
    // The diff shows what changed; the hint says how to fix it.
    expect({ document: committedText, hint: HOW }).toEqual({
      document: openApiYaml(stringify),
      hint: HOW,
    });
  });

  it('documents every route the router registers, and nothing else', async () => {
    const router = await createRouter({} as RouterOptions);
    const registered = (
      router.stack as Array<{
        route?: { path: string; methods: Record<string, boolean> };
      }>
    )
      .filter(layer => layer.route)
      .flatMap(layer =>
        Object.keys(layer.route!.methods)
          .filter(m => m !== '_all')
          .map(m =>
            routeKey({ method: m.toUpperCase(), path: layer.route!.path }),
          ),
      );
    const documented = OPERATIONS.map(op =>
      routeKey({ method: op.method, path: op.expressPath }),
    );
    expect(new Set(documented).size).toBe(documented.length);
    expect({
      undocumented: registered.filter(r => !documented.includes(r)),
      notInTheRouter: documented.filter(r => !registered.includes(r)),
    }).toEqual({ undocumented: [], notInTheRouter: [] });
    expect(OPERATIONS.map(op => openApiPath(op.expressPath))).toEqual(
      OPERATIONS.map(op => op.template),
    );
  });

  it('declares the path parameters of every path, and unique operation ids', () => {
    const problems: string[] = [];
    for (const op of OPERATIONS) {
      const declared = (
        (op.operation.parameters as unknown[] | undefined) ?? []
      )
        .map(deref)
        .filter(p => p?.in === 'path')
        .map(p => p!.name);
      const placeholders = [...op.template.matchAll(/\{([A-Za-z]+)\}/g)].map(
        m => m[1],
      );
      if (JSON.stringify(declared) !== JSON.stringify(placeholders)) {
        problems.push(
          `${op.method} ${op.template}: declares ${
            declared.join(', ') || 'none'
          }`,
        );
      }
    }
    expect(problems).toEqual([]);
    const ids = OPERATIONS.map(op => op.operation.operationId);
    expect(ids.filter((id, i) => ids.indexOf(id) !== i)).toEqual([]);
  });

  it('names the permission each route checks, and the statuses the permission matrix gets', () => {
    const mismatches: string[] = [];
    for (const row of PERMISSION_MATRIX) {
      const op = OPERATIONS.find(
        o => o.method === row.method && o.expressPath === row.path,
      );
      if (!op) {
        mismatches.push(`${routeKey(row)}: not documented`);
        continue;
      }
      const permission = row.permission === '-' ? 'none' : row.permission;
      if (op.operation['x-permission'] !== permission) {
        mismatches.push(
          `${routeKey(row)}: x-permission ${
            op.operation['x-permission']
          }, the matrix checks ${permission}`,
        );
      }
      const documented = Object.keys(op.operation.responses as Json);
      for (const status of new Set(Object.values(row.expected))) {
        if (!documented.includes(String(status)))
          mismatches.push(
            `${routeKey(row)}: answers ${status}, not documented`,
          );
      }
    }
    expect(mismatches).toEqual([]);
  });

  it('documents every error status with the error body, and binary downloads with their content types', () => {
    const problems: string[] = [];
    for (const op of OPERATIONS) {
      for (const [status, value] of Object.entries(
        op.operation.responses as Json,
      )) {
        const response = deref(value)!;
        if (Number(status) >= 400) {
          const schema = (
            response.content as Record<string, Json> | undefined
          )?.['application/json']?.schema as Json | undefined;
          if (schema?.$ref !== '#/components/schemas/Error')
            problems.push(
              `${op.method} ${op.template} ${status}: not the error body`,
            );
        }
      }
    }
    expect(problems).toEqual([]);
    const media = (file: string) =>
      Object.keys(
        deref(
          (doc.paths as any)[`/migrations/{id}/reports/${file}`].get.responses[
            '200'
          ],
        )!.content as Json,
      );
    expect([
      media('executive.pdf'),
      media('detailed.xlsx'),
      media('audit.csv'),
    ]).toEqual([
      ['application/pdf'],
      ['application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'],
      ['text/csv; charset=utf-8'],
    ]);
    expect(doc.servers).toEqual([
      expect.objectContaining({ url: '/api/cutover' }),
    ]);
    expect(committedText).not.toMatch(/[a-z][a-z0-9+.-]*:\/\//i);
  });

  it('takes the valid bodies of the hardening route table', () => {
    const fx: Fixture = {
      migrationId: 'orders-v2',
      spareMigrationId: 'orders-spare',
      ids: {
        migration: ['orders-v2'],
        phase: ['extract'],
        subTask: ['dump'],
        milestone: ['uat'],
        checklistItem: ['SR002'],
        approval: [randomUUID()],
        alert: [randomUUID()],
        report: [randomUUID()],
        schedule: [randomUUID()],
        snapshot: [randomUUID()],
        rollback: [randomUUID()],
        dataset: ['customers'],
        window: [randomUUID()],
        run: [randomUUID()],
        snapshotSchedule: [randomUUID()],
        reconciliationSchedule: [randomUUID()],
      },
    };
    const problems: string[] = [];
    for (const route of ROUTES.filter(r => r.body)) {
      const op = OPERATIONS.find(
        o => o.method === route.method && o.expressPath === route.path,
      )!;
      const requestBody = deref(op.operation.requestBody);
      if (!requestBody) {
        problems.push(`${routeKey(route)}: no request body documented`);
        continue;
      }
      const validate = validatorFor(
        (requestBody.content as Record<string, Json>)['application/json']
          .schema,
      );
      if (!validate(route.body!(fx)))
        problems.push(`${routeKey(route)}: ${errorsOf(validate, 'body')}`);
    }
    expect(problems).toEqual([]);
  });

  it('spells out case-insensitive patterns', () => {
    const entityRef = /^[a-z0-9_-]+:([a-z0-9_.-]+\/)?[A-Za-z0-9_.-]+$/i;
    const spelled = new RegExp(caseInsensitivePattern(entityRef.source), 'u');
    expect(spelled.source).toBe(
      '^[A-Za-z0-9_-]+:([A-Za-z0-9_.-]+\\/)?[A-Za-z0-9_.-]+$',
    );
    for (const sample of [
      'group:default/orders-team',
      'Group:Default/Orders',
      'USER:x',
      'user:default/',
      'no ref',
      'a:b/c/d',
    ]) {
      expect([sample, spelled.test(sample)]).toEqual([
        sample,
        entityRef.test(sample),
      ]);
    }
    expect(caseInsensitivePattern('^ab[c-e]\\d[^x]$')).toBe(
      '^[aA][bB][C-Ec-e]\\d[^Xx]$',
    );
  });
});

// ----- real answers -----

describe.each(databases.eachSupportedId())(
  'answers of the backend on %s',
  databaseId => {
    let api: Awaited<ReturnType<typeof startCutoverBackend>>['api'];
    let http: Http;
    let fx: Fixture;
    let ctx: MatrixContext;
    const exchanges: Exchange[] = [];
    let seeding: Exchange[] = [];

    beforeAll(async () => {
      const knex = await databases.init(databaseId);
      const started = await startCutoverBackend({
        knex,
        config: MATRIX_CONFIG,
        extraFeatures: fixtureModules(knex),
      });
      api = started.api;
      http = async (who, method, url, body) => {
        const verb = method.toLowerCase() as Lowercase<Method>;
        let req = api()[verb](`/api/cutover${url}`);
        const header = HEADERS[who];
        if (header) req = req.set('authorization', header);
        if (body !== undefined) req = req.send(body as object);
        const res = await req;
        exchanges.push({
          who,
          method,
          url,
          status: res.status,
          contentType: String(res.headers['content-type'] ?? ''),
          body: res.body,
          requestBody: body,
        });
        return { status: res.status, body: res.body };
      };
      fx = await seedFixture(http, {
        knex,
        triggerTask: id => started.scheduler.triggerTask(id),
      });
      seeding = exchanges.splice(0);
      let count = 0;
      ctx = {
        http,
        fx,
        newId: () => {
          count += 1;
          return `oa-${count}`;
        },
        fresh: () => createMigration(http, ctx.newId(), knex),
      };
    }, 180_000);

    /** Sends a request, checks its status, returns where the exchange departs from the document. */
    async function send(
      who: Actor,
      method: Method,
      url: string,
      status: number,
      body?: unknown,
    ) {
      const { status: actual } = await http(who, method, url, body);
      const x = exchanges[exchanges.length - 1];
      const problems = problemsOf(x);
      if (actual !== status)
        problems.unshift(
          `${method} ${url} as ${who}: expected ${status}, got ${actual} ${short(
            x.body,
          )}`,
        );
      return { problems, body: x.body as any };
    }

    it('answered the requests that seeded the fixture as documented', () => {
      expect(seeding.length).toBeGreaterThan(20);
      expect(seeding.flatMap(problemsOf)).toEqual([]);
    });

    it('answers GET /migrations/:id, /dashboard, /readiness, POST /snapshots (202) and GET /reconciliations as documented', async () => {
      const m = `/migrations/${fx.migrationId}`;
      const problems: string[] = [];
      const migration = await send('reader', 'GET', m, 200);
      const dashboard = await send('reader', 'GET', `${m}/dashboard`, 200);
      const readiness = await send('reader', 'GET', `${m}/readiness`, 200);
      const snapshot = await send('owner', 'POST', `${m}/snapshots`, 202, {
        name: 'OpenAPI check',
        datasets: ['customers'],
      });
      const reconciliations = await send(
        'reader',
        'GET',
        `${m}/reconciliations`,
        200,
      );
      problems.push(
        ...[migration, dashboard, readiness, snapshot, reconciliations].flatMap(
          r => r.problems,
        ),
      );
      expect(problems).toEqual([]);
      expect(
        migration.body.datasets.map((d: { name: string }) => d.name),
      ).toEqual(['customers', 'orders']);
      expect(dashboard.body.datasets).toHaveLength(2);
      expect(['PENDING', 'RUNNING']).toContain(snapshot.body.status);
      expect(reconciliations.body.items.length).toBeGreaterThan(0);
      const done = await waitForJob(http, `${m}/snapshots/${snapshot.body.id}`);
      expect(done.status).toBe('SUCCEEDED');
      expect(problemsOf(exchanges[exchanges.length - 1])).toEqual([]);
    });

    it('answers every GET route as documented', async () => {
      const problems: string[] = [];
      for (const op of OPERATIONS.filter(o => o.method === 'GET')) {
        const route = ROUTES.find(
          r => r.method === 'GET' && r.path === op.expressPath,
        )!;
        const url = fillPath(route.path, fixtureParams(route, fx));
        problems.push(...(await send('owner', 'GET', url, 200)).problems);
      }
      expect(problems).toEqual([]);
    });

    it('answers every route, to a caller it permits, as documented', async () => {
      const problems: string[] = [];
      for (const row of PERMISSION_MATRIX) {
        const who = MATRIX_PRINCIPALS.find(p => row.expected[p] < 300)!;
        const start = exchanges.length;
        // The row's set-up requests (a fresh migration, what the request needs) are checked too.
        const req = await row.request(ctx);
        const res = await http(who, row.method, req.path, req.body);
        if (res.status !== row.expected[who]) {
          problems.push(
            `${row.method} ${req.path} as ${who}: expected ${
              row.expected[who]
            }, got ${res.status} ${short(res.body)}`,
          );
        }
        if (res.status === 202 && res.body?.id)
          await waitForJob(http, `${req.path}/${res.body.id}`);
        problems.push(...exchanges.slice(start).flatMap(problemsOf));
      }
      expect(problems).toEqual([]);
    });

    it('answers refusals with documented statuses and the error body', async () => {
      const m = `/migrations/${fx.migrationId}`;
      const cases: Array<[Actor, Method, string, number, string, unknown?]> = [
        ['anonymous', 'GET', `${m}/dashboard`, 401, 'AuthenticationError'],
        [
          'reader',
          'POST',
          `${m}/snapshots`,
          403,
          'NotAllowedError',
          { name: 'Not mine' },
        ],
        ['owner', 'GET', '/migrations/no-such-migration', 404, 'NotFoundError'],
        [
          'owner',
          'GET',
          `${m}/snapshots/${randomUUID()}`,
          404,
          'NotFoundError',
        ],
        ['owner', 'GET', '/migrations/Not_A_Slug', 400, 'InputError'],
        ['owner', 'POST', `${m}/snapshots`, 400, 'InputError', { name: '' }],
        ['owner', 'GET', `${m}/trends?range=1y`, 400, 'InputError'],
        [
          'owner',
          'POST',
          '/migrations',
          409,
          'ConflictError',
          fixturePlan(fx.migrationId),
        ],
        ['owner', 'POST', `${m}/approval-requests`, 409, 'ConflictError', {}],
      ];
      const problems: string[] = [];
      for (const [who, method, url, status, name, body] of cases) {
        const result = await send(who, method, url, status, body);
        problems.push(...result.problems);
        if (result.body?.error?.name !== name)
          problems.push(
            `${method} ${url}: error ${short(result.body)}, expected ${name}`,
          );
      }
      // A body that is not JSON.
      const res = await api()
        .post(`/api/cutover${m}/metrics`)
        .set('authorization', as.job)
        .set('content-type', 'text/plain')
        .send('samples');
      const x: Exchange = {
        who: 'job',
        method: 'POST',
        url: `${m}/metrics`,
        status: res.status,
        contentType: String(res.headers['content-type'] ?? ''),
        body: res.body,
      };
      problems.push(...problemsOf(x));
      if (res.status !== 415 && res.status !== 400)
        problems.push(`a text/plain body: ${res.status} ${short(res.body)}`);
      expect(problems).toEqual([]);
    });
  },
);
