import * as fc from 'fast-check';
import type { Arbitrary } from 'fast-check';
import { Knex } from 'knex';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { ACTOR_HEADERS, startCutoverBackend } from '../__testUtils__/backend';
import { cutoverTestDatabases } from '../__testUtils__/databases';
import { createRouter, RouterOptions } from '../service/router';
import {
  Actor,
  BodyCase,
  boundaryBodies,
  fillPath,
  Fixture,
  fixtureModules,
  fixtureParams,
  Http,
  malformedBody,
  Method,
  pathParams,
  queryString,
  routeKey,
  ROUTES,
  RouteSpec,
  seedFixture,
} from '../__testUtils__/routeTable';

/*
 * Property-based bad input: every route gets random and malformed path parameters, query strings
 * and bodies from a principal allowed to call it. No answer may be a 5xx; every 4xx carries
 * `{ error: { name, message } }` with a message naming the problem; a refused request leaves
 * every cutover_* table (the audit trail included) exactly as it was.
 *
 * SWITCHYARD_FUZZ_RUNS is the number of cases (requests) over all databases, 2,000 by default;
 * SWITCHYARD_FUZZ_SEED fixes fast-check's seed; SWITCHYARD_FUZZ_SUMMARY names a file the
 * per-database totals are appended to (scripts/fuzz reads it); SWITCHYARD_FUZZ_LOG names a file
 * every exchange is appended to (route, status, error message), to see what the cases reach.
 */

const databases = cutoverTestDatabases();
const databaseIds = databases.eachSupportedId();
const TOTAL_RUNS = Number(process.env.SWITCHYARD_FUZZ_RUNS ?? 2000);
const SEED = process.env.SWITCHYARD_FUZZ_SEED
  ? Number(process.env.SWITCHYARD_FUZZ_SEED)
  : undefined;
const LOG = process.env.SWITCHYARD_FUZZ_LOG;

/**
 * Cases per database: first the boundary cases of every body route (deterministic), then random
 * ones shared out over the routes, body routes getting three times as many (they have more to
 * get wrong), at least two per route.
 */
const weight = (r: RouteSpec) => (r.body ? 3 : 1);
const totalWeight = ROUTES.reduce((sum, r) => sum + weight(r), 0);
const perDatabase = Math.ceil(TOTAL_RUNS / Math.max(1, databaseIds.length));
const randomRuns = (r: RouteSpec, boundaryTotal: number) =>
  Math.max(
    2,
    Math.round(
      (Math.max(0, perDatabase - boundaryTotal) * weight(r)) / totalWeight,
    ),
  );

jest.setTimeout(120_000);

const HEADERS = ACTOR_HEADERS;

const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms));

// ----- the database's fingerprint -----

interface Print {
  digest: string;
  tables: Map<string, string[]>;
}

async function cutoverTables(knex: Knex): Promise<string[]> {
  const names: string[] =
    knex.client.config.client === 'pg'
      ? (
          await knex.raw(
            `SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'`,
          )
        ).rows.map((r: { name: string }) => r.name)
      : (
          await knex('sqlite_master').where({ type: 'table' }).select('name')
        ).map((r: { name: string }) => r.name);
  // The portfolio's summaries are derived data that a debounced refresh after an earlier,
  // accepted request rewrites in the background (portfolio.test.ts checks them).
  return names
    .filter(
      n => n.startsWith('cutover_') && n !== 'cutover_migration_summaries',
    )
    .sort();
}

const cell = (v: unknown) =>
  Buffer.isBuffer(v)
    ? `buffer:${createHash('sha256').update(v).digest('hex')}`
    : v;

/**
 * A table's rows as the print takes them. A refused request leaves a record of its refusal in the
 * audit trail (outcome 'failure'), and nothing else: those records are not state a refusal may not
 * change. A started schedule run's outcome is settled by the schedules' minute task, in the
 * background like a job: what a request changes (its run: last_target_id, run_count,
 * last_run_at; name, enabled, ...) stays in the print.
 */
async function tableRows(knex: Knex, name: string) {
  if (name === 'cutover_audit_events') {
    return knex(name).whereNot('outcome', 'failure').select('*');
  }
  const rows = await knex(name).select('*');
  if (name !== 'cutover_operation_schedules') return rows;
  return rows.map(
    ({
      last_status: _s,
      last_error: _e,
      consecutive_failures: _f,
      ...rest
    }: Record<string, unknown>) => rest,
  );
}

/** Every row of every cutover_* table, each as sorted-key JSON, sorted: equal prints mean equal data. */
async function fingerprint(knex: Knex): Promise<Print> {
  for (let attempt = 0; ; attempt++) {
    try {
      const names = await cutoverTables(knex);
      const rows = await Promise.all(names.map(name => tableRows(knex, name)));
      const tables = new Map<string, string[]>();
      const hash = createHash('sha256');
      names.forEach((name, i) => {
        const lines = rows[i]
          .map((row: Record<string, unknown>) =>
            JSON.stringify(
              Object.keys(row)
                .sort()
                .map(k => [k, cell(row[k])]),
            ),
          )
          .sort();
        tables.set(name, lines);
        hash.update(
          `${name}\u0000${lines.length}\u0000${lines.join('\n')}\u0000`,
        );
      });
      return { digest: hash.digest('hex'), tables };
    } catch (e) {
      // A snapshot copy dropped between listing and reading the tables: read again.
      if (attempt >= 3) throw e;
    }
  }
}

/** What differs between two prints, for failure messages. */
function describeChange(before: Print, after: Print): string {
  const names = [
    ...new Set([...before.tables.keys(), ...after.tables.keys()]),
  ].sort();
  const out: string[] = [];
  for (const name of names) {
    const a = new Set(before.tables.get(name) ?? []);
    const b = new Set(after.tables.get(name) ?? []);
    const removed = [...a].filter(x => !b.has(x));
    const added = [...b].filter(x => !a.has(x));
    if (removed.length || added.length) {
      out.push(
        `${name}: ${a.size} -> ${b.size} rows; removed ${
          removed.map(r => r.slice(0, 300)).join(' | ') || '-'
        }; added ${added.map(r => r.slice(0, 300)).join(' | ') || '-'}`,
      );
    }
  }
  return out.join('\n');
}

async function jobsRunning(knex: Knex): Promise<boolean> {
  for (const table of [
    'cutover_snapshots',
    'cutover_rollbacks',
    'cutover_reconciliation_runs',
  ]) {
    const busy = await knex(table)
      .whereIn('status', ['PENDING', 'RUNNING'])
      .first();
    if (busy) return true;
  }
  return false;
}

/** After an accepted job (202): waits for it to finish and for the data to stop moving. */
async function settle(knex: Knex): Promise<Print> {
  const deadline = Date.now() + 60_000;
  let last = await fingerprint(knex);
  for (;;) {
    await sleep(30);
    const busy = await jobsRunning(knex);
    const next = await fingerprint(knex);
    if (!busy && next.digest === last.digest) return next;
    if (Date.now() > deadline)
      throw new Error(
        'the database kept changing for a minute after a request',
      );
    last = next;
  }
}

// ----- the checks -----

/** A 400's message must say what was wrong, not just that something was. */
const GENERIC =
  /^(bad request|invalid (request|input|query|path|body)|error|validation (error|failed)|unknown error)[.:!]?$/i;
const namesProblem = (message: string) =>
  !GENERIC.test(message.trim()) &&
  (/[\w\]]: \S/.test(message) ||
    /JSON|body|param|query|path|header|charset|encoding|content/i.test(
      message,
    ));

interface Stats {
  cases: number;
  byStatus: Map<number, number>;
  changedOnRefusal: number;
}

interface Case {
  as: Actor;
  params: Record<string, string>;
  query: string;
  body?: BodyCase;
}

function caseFor(route: RouteSpec, fx: Fixture): Arbitrary<Case> {
  const withBody =
    route.method === 'POST' ||
    route.method === 'PUT' ||
    route.method === 'PATCH';
  const malformed = malformedBody(fc, route, fx);
  const valid = route.body
    ? fc.constant<BodyCase>({
        label: 'the valid body',
        contentType: 'application/json',
        text: JSON.stringify(route.body(fx)),
      })
    : undefined;
  const body: Arbitrary<BodyCase | undefined> = withBody
    ? fc.oneof(
        { weight: 9, arbitrary: malformed },
        { weight: valid ? 1 : 0, arbitrary: valid ?? malformed },
      )
    : fc.oneof(
        { weight: 4, arbitrary: fc.constant(undefined) },
        { weight: 1, arbitrary: malformed },
      );
  return fc.record({
    as: fc.constantFrom(...route.fuzzAs),
    params: pathParams(fc, route, fx),
    query: queryString(fc, route),
    body,
  });
}

const short = (s: string, n = 400) =>
  s.length > n ? `${s.slice(0, n)}... (${s.length} chars)` : s;

describe('the hardening route table', () => {
  it('lists every route of the router, and nothing else', async () => {
    const router = await createRouter({} as RouterOptions);
    const actual = (
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
    expect([...actual].sort()).toEqual(ROUTES.map(routeKey).sort());
  });
});

describe.each(databaseIds)('bad input on %s', databaseId => {
  let knex: Knex;
  let http: Http;
  let api: Awaited<ReturnType<typeof startCutoverBackend>>['api'];
  let fx: Fixture;
  let current: Print | undefined;
  let boundary: Map<RouteSpec, Case[]>;
  let boundaryTotal = 0;
  const stats: Stats = { cases: 0, byStatus: new Map(), changedOnRefusal: 0 };

  beforeAll(async () => {
    knex = await databases.init(databaseId);
    const started = await startCutoverBackend({
      knex,
      extraFeatures: fixtureModules(knex),
    });
    api = started.api;
    http = async (who, method, path, body) => {
      const verb = method.toLowerCase() as
        | 'get'
        | 'post'
        | 'put'
        | 'patch'
        | 'delete';
      let req = api()[verb](`/api/cutover${path}`);
      const header = HEADERS[who];
      if (header) req = req.set('authorization', header);
      if (body !== undefined) req = req.send(body as object);
      const res = await req;
      return { status: res.status, body: res.body };
    };
    fx = await seedFixture(http, {
      knex,
      triggerTask: id => started.scheduler.triggerTask(id),
    });
    boundary = new Map(
      ROUTES.map(route => [
        route,
        boundaryBodies(route, fx).map(body => ({
          as: route.fuzzAs[0],
          params: fixtureParams(route, fx),
          query: '',
          body,
        })),
      ]),
    );
    boundaryTotal = [...boundary.values()].reduce(
      (sum, cases) => sum + cases.length,
      0,
    );
  }, 120_000);

  afterAll(() => {
    const count = (from: number, to: number) =>
      [...stats.byStatus]
        .filter(([s]) => s >= from && s < to)
        .reduce((sum, [, n]) => sum + n, 0);
    const codes = [...stats.byStatus]
      .sort(([a], [b]) => a - b)
      .map(([s, n]) => `${s}: ${n}`)
      .join(', ');
    const line =
      `[fuzz] ${databaseId}: ${stats.cases} cases over ${ROUTES.length} routes; ` +
      `2xx ${count(200, 300)}, 4xx ${count(400, 500)}, 5xx ${count(
        500,
        600,
      )}, ` +
      `data changed by a refused request ${stats.changedOnRefusal} (${codes})`;
    // eslint-disable-next-line no-console
    console.log(line);
    const summary = process.env.SWITCHYARD_FUZZ_SUMMARY;
    if (summary) {
      fs.appendFileSync(
        summary,
        `${JSON.stringify({
          database: databaseId,
          cases: stats.cases,
          '2xx': count(200, 300),
          '4xx': count(400, 500),
          '5xx': count(500, 600),
          changedOnRefusal: stats.changedOnRefusal,
        })}\n`,
      );
    }
  });

  async function send(route: RouteSpec, c: Case) {
    const url = `/api/cutover${fillPath(route.path, c.params)}${c.query}`;
    const verb = route.method.toLowerCase() as Lowercase<Method>;
    let req = api()
      [verb](url)
      .set('authorization', HEADERS[c.as]!)
      .set('x-request-id', 'fuzz');
    if (c.body) {
      const text = c.body.padTo
        ? c.body.text.replace('"x"', `"${'x'.repeat(c.body.padTo)}"`)
        : c.body.text;
      req = req.set('content-type', c.body.contentType).send(text);
    }
    const res = await req;
    const what = () =>
      `${route.method} ${short(url, 300)} as ${c.as}${
        c.body
          ? ` with ${c.body.label} (${c.body.contentType}): ${short(
              c.body.text,
              300,
            )}`
          : ''
      }\n  -> ${res.status} ${short(JSON.stringify(res.body ?? null), 600)}`;
    return { res, what };
  }

  async function check(route: RouteSpec, c: Case) {
    const before = current ?? (await fingerprint(knex));
    current = undefined;
    const { res, what } = await send(route, c);
    stats.cases += 1;
    stats.byStatus.set(res.status, (stats.byStatus.get(res.status) ?? 0) + 1);
    if (LOG) {
      const message = String(res.body?.error?.message ?? '').slice(0, 200);
      fs.appendFileSync(
        LOG,
        `${databaseId}\t${routeKey(route)}\t${res.status}\t${JSON.stringify(
          message,
        )}\n`,
      );
    }
    if (res.status >= 500) {
      throw new Error(`server error: ${what()}`);
    }
    if (res.status >= 400) {
      const error = res.body?.error;
      if (
        !error ||
        typeof error.name !== 'string' ||
        !error.name ||
        typeof error.message !== 'string' ||
        !error.message.trim()
      ) {
        throw new Error(
          `a ${res.status} without { error: { name, message } }: ${what()}`,
        );
      }
      if (res.status === 400 && !namesProblem(error.message)) {
        throw new Error(
          `a 400 whose message does not name the problem: ${what()}`,
        );
      }
      const pathNames = [...route.path.matchAll(/:(\w+)/g)].map(m => m[1]);
      if (
        res.status === 400 &&
        /^Invalid path/.test(error.message) &&
        !pathNames.some(n => error.message.includes(`${n}:`))
      ) {
        throw new Error(
          `a 400 for a path parameter that does not say which: ${what()}`,
        );
      }
      const after = await fingerprint(knex);
      if (after.digest !== before.digest) {
        stats.changedOnRefusal += 1;
        throw new Error(
          `a refused request changed stored data: ${what()}\n${describeChange(
            before,
            after,
          )}`,
        );
      }
      current = after;
    } else {
      // 202, or a schedule run now (200 with the schedule): a job runs on in the background;
      // wait for it to finish.
      current =
        res.status === 202 || route.path.endsWith('/run')
          ? await settle(knex)
          : await fingerprint(knex);
    }
  }

  it.each(ROUTES.map(r => [routeKey(r), r] as const))(
    '%s: no 5xx, errors that name the problem, nothing stored on refusal',
    async (_key, route) => {
      const examples = boundary.get(route)!.map(c => [c] as [Case]);
      await expect(
        fc.assert(
          fc.asyncProperty(caseFor(route, fx), c => check(route, c)),
          {
            examples,
            numRuns: examples.length + randomRuns(route, boundaryTotal),
            seed: SEED,
            endOnFailure: !!process.env.CI,
          },
        ),
      ).resolves.toBeUndefined();
    },
    Math.max(300_000, TOTAL_RUNS * 100),
  );
});
