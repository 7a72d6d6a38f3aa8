/**
 * Connection credentials never leave the plugin: no route, report, log line, audit event,
 * notification or signal contains the password (or the URL) of a connection configured under
 * `cutover.connections`; signals carry ids only.
 *
 * Runs on PostgreSQL, where connections have credentials. The server accepts user postgres with
 * any password (trust auth), so connections configured with a made-up sentinel password still
 * connect. The backend is started with those connections in its config (the built-in,
 * config-driven snapshot provider and reconciler, no providers injected through extension points),
 * does real work through the API (snapshots, verification, rollbacks, reconciliations, metrics,
 * alerts, reports), fails on purpose (unreachable server, missing database, missing table,
 * unsupported client), and everything that left the plugin is searched for the sentinels.
 */
import {
  coreServices,
  createServiceFactory,
  RootLoggerService,
} from '@backstage/backend-plugin-api';
import { JsonObject } from '@backstage/types';
import {
  SignalPayload,
  signalsServiceRef,
} from '@backstage/plugin-signals-node';
import ExcelJS from 'exceljs';
import { Knex } from 'knex';
import path from 'node:path';
import { PDFParse } from 'pdf-parse';
import {
  ACTOR_HEADERS,
  as,
  startCutoverBackend,
} from '../__testUtils__/backend';
import { cutoverTestDatabases } from '../__testUtils__/databases';
import {
  fillPath,
  Fixture,
  fixturePlan,
  Http,
  must,
  PARAM_KINDS,
  paramNames,
  ParamKind,
  routeKey,
  ROUTES,
  seedFixture,
  validReportSchedule,
  waitForJob,
} from '../__testUtils__/routeTable';

jest.setTimeout(240_000);

const databases = cutoverTestDatabases();
const supported = databases.eachSupportedId().map(([id]) => id);

// ----- the sentinels -----

/** Marks every made-up credential: no output of the plugin may contain it. */
const MARKER = 'S3NTINEL';
/** Password of the URL-form connections. */
const URL_PASSWORD = `${MARKER}-pw-4242`;
/** Password of the object-form connection. */
const OBJECT_PASSWORD = `${MARKER}-obj-pw-7777`;
/** Password of the connection to a database that does not exist. */
const NODB_PASSWORD = `${MARKER}-nodb-pw-5151`;
/** Password of the connection with a client the plugin does not support. */
const ORACLE_PASSWORD = `${MARKER}-ora-pw-6161`;

const HEADERS = ACTOR_HEADERS;

/** Kinds of cutover signal (CutoverSignalType in plugin-cutover-common). */
const SIGNAL_TYPES = [
  'migration',
  'progress',
  'quality',
  'alert',
  'checklist',
  'approval',
  'snapshot',
  'rollback',
  'timeline',
  'readsource',
  'reconciliation',
];

const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms));

// ----- capturing what leaves the plugin -----

/**
 * JSON of anything, as thorough as a JSON log formatter or more: errors with every own property
 * (message, stack, cause, code, address ...), Maps, Sets, Buffers, bigints; cycles cut.
 */
function dump(value: unknown): string {
  const ancestors = new Set<object>();
  const walk = (v: unknown, depth: number): unknown => {
    if (v === undefined) return '[undefined]';
    if (typeof v === 'bigint') return v.toString();
    if (typeof v === 'function') return `[function ${v.name}]`;
    if (typeof v === 'symbol') return v.toString();
    if (v === null || typeof v !== 'object') return v;
    if (ancestors.has(v)) return '[circular]';
    if (depth > 12) return '[too deep]';
    if (Buffer.isBuffer(v)) return v.toString('latin1');
    if (v instanceof Date)
      return Number.isNaN(v.getTime()) ? 'Invalid Date' : v.toISOString();
    ancestors.add(v);
    try {
      const record = v as Record<string, unknown>;
      if (v instanceof Error) {
        const out: Record<string, unknown> = {
          name: v.name,
          message: v.message,
          stack: v.stack,
        };
        for (const key of Object.getOwnPropertyNames(v))
          out[key] = walk(record[key], depth + 1);
        if ('cause' in v) out.cause = walk(v.cause, depth + 1);
        return out;
      }
      if (v instanceof Map)
        return [...v.entries()].map(([k, x]) => [
          walk(k, depth + 1),
          walk(x, depth + 1),
        ]);
      if (v instanceof Set) return [...v].map(x => walk(x, depth + 1));
      if (Array.isArray(v)) return v.map(x => walk(x, depth + 1));
      return Object.fromEntries(
        Object.keys(v).map(k => [k, walk(record[k], depth + 1)]),
      );
    } finally {
      ancestors.delete(v);
    }
  };
  return JSON.stringify(walk(value, 0));
}

interface LogLine {
  level: string;
  message: string;
  /** The merged meta of the logger and its parents. */
  context: JsonObject;
  /** The meta (or error) passed with the message. */
  meta: unknown;
}

/** A root logger that records every line, with the meta its children merged in. */
class RecordingLogger implements RootLoggerService {
  constructor(
    private readonly lines: LogLine[],
    private readonly context: JsonObject = {},
  ) {}
  error(message: string, meta?: Error | JsonObject) {
    this.record('error', message, meta);
  }
  warn(message: string, meta?: Error | JsonObject) {
    this.record('warn', message, meta);
  }
  info(message: string, meta?: Error | JsonObject) {
    this.record('info', message, meta);
  }
  debug(message: string, meta?: Error | JsonObject) {
    this.record('debug', message, meta);
  }
  child(meta: JsonObject): RecordingLogger {
    return new RecordingLogger(this.lines, { ...this.context, ...meta });
  }
  private record(level: string, message: string, meta: unknown) {
    this.lines.push({ level, message, context: this.context, meta });
  }
}

/** One text the plugin produced, and where it came from. */
interface Output {
  where: string;
  text: string;
}

/** Places where a sentinel turns up, with some context around it. */
function leaksIn(
  outputs: Output[],
  needles: { label: string; value: string }[],
): string[] {
  const found: string[] = [];
  for (const { where, text } of outputs) {
    for (const needle of needles) {
      const at = text.indexOf(needle.value);
      if (at < 0) continue;
      const excerpt = text
        .slice(Math.max(0, at - 160), at + needle.value.length + 160)
        .replace(/\s+/g, ' ');
      found.push(
        `${where}: contains ${needle.label} at offset ${at}: ...${excerpt}...`,
      );
      break; // the first (most specific) needle found is enough for one place
    }
  }
  return found;
}

/** Fails naming every place, in every group of outputs, where a credential turns up. */
function expectNoLeaks(
  groups: Record<string, Output[]>,
  needles: { label: string; value: string }[],
) {
  const report: string[] = [];
  for (const [kind, outputs] of Object.entries(groups)) {
    const found = leaksIn(outputs, needles);
    if (found.length) {
      report.push(
        `A connection credential leaked into ${found.length} ${kind} (of ${outputs.length} searched):`,
        ...found,
      );
    }
  }
  if (report.length) throw new Error(report.join('\n'));
}

/** Response bodies as raw bytes, whatever their content type. */
const binary = (r: any, cb: (err: Error | null, body: Buffer) => void) => {
  const chunks: Buffer[] = [];
  r.on('data', (c: Buffer) => chunks.push(c));
  r.on('end', () => cb(null, Buffer.concat(chunks)));
};

async function pdfText(pdf: Buffer): Promise<string> {
  const parser = new PDFParse({ data: new Uint8Array(pdf) });
  try {
    const text = await parser.getText();
    const info = await parser.getInfo();
    return `${text.text}\n${dump(info.info)}`;
  } finally {
    await parser.destroy();
  }
}

/** Every cell of every sheet, with the sheet names and the workbook's properties. */
async function workbookText(xlsx: Buffer): Promise<string> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(xlsx as any);
  const lines = [
    dump({
      creator: wb.creator,
      lastModifiedBy: wb.lastModifiedBy,
      title: wb.title,
      subject: wb.subject,
      keywords: wb.keywords,
      description: wb.description,
      company: wb.company,
      manager: wb.manager,
      category: wb.category,
    }),
  ];
  for (const ws of wb.worksheets) {
    lines.push(`# ${ws.name}`);
    ws.eachRow({ includeEmpty: false }, row => {
      row.eachCell({ includeEmpty: false }, cell => {
        lines.push(`${ws.name}!${cell.address}: ${dump(cell.value)}`);
      });
    });
  }
  return lines.join('\n');
}

const crossEngine = supported.includes('POSTGRES_15')
  ? describe
  : describe.skip;

crossEngine('connection credentials on POSTGRES_15', () => {
  const logLines: LogLine[] = [];
  const signals: { payload: SignalPayload; text: string }[] = [];
  /** Every HTTP exchange of the test, error answers included. */
  const responses: Output[] = [];
  /** Bodies of the GET routes, decoded (PDF text, workbook cells). */
  const documents: Output[] = [];
  const databaseRows: Output[] = [];
  const consoleLines: Output[] = [];
  const fetchedRoutes = new Map<string, number[]>();
  const nonOk: string[] = [];
  const migrationIds: string[] = [];
  const jobs: Record<string, any> = {};
  let urls: Record<string, string>;
  let needles: { label: string; value: string }[];
  let notifications: Awaited<
    ReturnType<typeof startCutoverBackend>
  >['notifications'];
  let pdfSample = '';
  let workbookSample = '';

  beforeAll(() => {
    // pdf.js loads its worker with a dynamic import(), which Jest's VM cannot run (as in executivePdf.test.ts).
    const worker = path.join(
      path.dirname(require.resolve('pdf-parse')),
      'pdf.worker.mjs',
    );
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    (globalThis as { pdfjsWorker?: unknown }).pdfjsWorker = require(worker);
  });

  /** Console output too (knex and pg print there): recorded, and still printed. */
  const spies = (['log', 'info', 'warn', 'error', 'debug'] as const).map(
    level => [level, jest.spyOn(console, level)] as const,
  );
  afterAll(() => spies.forEach(([, spy]) => spy.mockRestore()));

  beforeAll(async () => {
    const knex: Knex = await databases.init('POSTGRES_15');
    const own = knex.client.config.connection as {
      host?: string;
      port?: string | number;
      database: string;
    };
    const host = own.host ?? '127.0.0.1';
    const port = Number(own.port ?? 5432);
    urls = {
      dest: `postgresql://postgres:${URL_PASSWORD}@${host}:${port}/${own.database}`,
      broken: `postgresql://postgres:${URL_PASSWORD}@127.0.0.1:1/nope`,
      nodb: `postgresql://postgres:${NODB_PASSWORD}@${host}:${port}/switchyard_no_such_database`,
    };
    needles = [
      ...Object.entries(urls).map(([name, value]) => ({
        label: `the URL of connection '${name}'`,
        value,
      })),
      { label: 'the URL password', value: URL_PASSWORD },
      {
        label: "the object-form password (connection 'src')",
        value: OBJECT_PASSWORD,
      },
      { label: "the password of connection 'nodb'", value: NODB_PASSWORD },
      {
        label: "the password of connection 'legacy-oracle'",
        value: ORACLE_PASSWORD,
      },
      { label: `the sentinel marker '${MARKER}'`, value: MARKER },
    ];

    const recordingRootLogger = createServiceFactory({
      service: coreServices.rootLogger,
      deps: {},
      factory: () => new RecordingLogger(logLines),
    });
    const recordingSignals = createServiceFactory({
      service: signalsServiceRef,
      deps: {},
      factory: () => ({
        async publish(payload: SignalPayload) {
          signals.push({ payload, text: dump(payload) });
        },
      }),
    });
    const OWNERS = ['group:default/orders-team'];
    const started = await startCutoverBackend({
      knex,
      config: {
        cutover: {
          connections: {
            dest: { client: 'pg', connection: urls.dest, owners: OWNERS },
            src: {
              client: 'pg',
              connection: {
                host,
                port,
                user: 'postgres',
                password: OBJECT_PASSWORD,
                database: own.database,
              },
              owners: OWNERS,
            },
            broken: { client: 'pg', connection: urls.broken, owners: OWNERS },
            nodb: { client: 'pg', connection: urls.nodb, owners: OWNERS },
            'legacy-oracle': {
              client: 'oracledb',
              connection: {
                user: 'scott',
                password: ORACLE_PASSWORD,
                connectString: 'legacy.example.com:1521/ORCL',
              },
              owners: OWNERS,
            },
          },
        },
      },
      extraFeatures: [recordingRootLogger, recordingSignals],
    });
    const { api, scheduler, backend } = started;
    notifications = started.notifications;

    const http: Http = async (who, method, p, body) => {
      let req = api()[
        method.toLowerCase() as 'get' | 'post' | 'put' | 'patch' | 'delete'
      ](`/api/cutover${p}`);
      const header = HEADERS[who];
      if (header) req = req.set('authorization', header);
      if (body !== undefined) req = req.send(body as object);
      const res = await req;
      responses.push({
        where: `response to ${method} ${p} as ${who} (${res.status})`,
        text: res.text ?? dump(res.body),
      });
      return { status: res.status, body: res.body };
    };
    const start = async (
      m: string,
      kind: 'snapshots' | 'rollbacks' | 'reconciliations',
      body: object,
    ) => {
      const res = await http('owner', 'POST', `/migrations/${m}/${kind}`, body);
      if (res.status !== 202) return res;
      return {
        status: res.status,
        body: await waitForJob(
          http,
          `/migrations/${m}/${kind}/${res.body.id}`,
          60_000,
        ),
      };
    };

    // 1. The realistic migration: plan, samples, checklist, alerts, a delivered report, a snapshot and a
    //    rollback, a freeze window, a reconciliation, approvals (all on `src` and `dest`).
    const fixture: Fixture = await seedFixture(http, {
      knex,
      triggerTask: id => scheduler.triggerTask(id),
    });
    const m = fixture.migrationId;
    migrationIds.push(m, fixture.spareMigrationId);
    jobs.fixtureSnapshot = await waitForJob(
      http,
      `/migrations/${m}/snapshots/${fixture.ids.snapshot[0]}`,
    );
    jobs.fixtureRollback = await waitForJob(
      http,
      `/migrations/${m}/rollbacks/${fixture.ids.rollback[0]}`,
    );
    jobs.fixtureRun = await waitForJob(
      http,
      `/migrations/${m}/reconciliations/${fixture.ids.run[0]}`,
    );
    // Verify, damage, verify again, take another snapshot and roll back one dataset of it.
    await must(
      http,
      'owner',
      'POST',
      `/migrations/${m}/snapshots/${fixture.ids.snapshot[0]}/verify`,
      {},
    );
    const before = await start(m, 'snapshots', {
      name: 'Before tier 2',
      description: 'second baseline',
      retentionDays: 3,
    });
    jobs.secondSnapshot = before.body;
    await knex('hardening_dest_customers')
      .where({ id: 3 })
      .update({ name: 'Changed by a bad batch' });
    await knex('hardening_dest_orders').where({ region: 'us', id: 1 }).delete();
    jobs.dirtyVerification = await must(
      http,
      'owner',
      'POST',
      `/migrations/${m}/snapshots/${before.body.id}/verify`,
      {},
    );
    jobs.partialRollback = (
      await start(m, 'rollbacks', {
        snapshotId: before.body.id,
        datasets: ['customers'],
        createBackup: true,
        verifyAfter: true,
        reason: 'bad batch',
      })
    ).body;
    jobs.secondRun = (
      await start(m, 'reconciliations', { datasets: ['orders'] })
    ).body;
    await must(http, 'job', 'POST', `/migrations/${m}/metrics`, {
      samples: [
        {
          dataset: 'customers',
          totalRecords: 40,
          importedRecords: 40,
          completeness: 99,
          validity: 99,
          consistency: 99,
          accuracy: 99,
        },
        {
          dataset: 'orders',
          totalRecords: 60,
          importedRecords: 45,
          failedRecords: 3,
          completeness: 60,
          validity: 55,
          consistency: 58,
          accuracy: 61,
          errors: { critical: 2, high: 1, medium: 0, low: 0 },
        },
      ],
    });
    await must(http, 'job', 'POST', `/migrations/${m}/alerts`, {
      alertType: 'ERROR',
      severity: 'CRITICAL',
      title: 'Loader stopped',
      message: 'the orders loader exited',
      dataset: 'orders',
    });
    // Stored reports in every format.
    for (const [reportType, format] of [
      ['EXECUTIVE', 'PDF'],
      ['DETAILED', 'XLSX'],
    ]) {
      const schedule = await must(
        http,
        'owner',
        'POST',
        `/migrations/${m}/report-schedules`,
        {
          ...validReportSchedule(),
          name: `${reportType} for the steering group`,
          reportType,
          format,
        },
      );
      await knex('cutover_report_schedules')
        .where({ id: schedule.id })
        .update({ next_run_at: Date.now() - 1000 });
    }
    await scheduler.triggerTask('cutover-report-dispatcher');

    // 2. Failures that carry error messages.
    const failing = async (
      id: string,
      connection: string,
      datasets?: object[],
    ) => {
      const { id: _id, ...plan } = fixturePlan(id);
      await must(http, 'job', 'PUT', `/migrations/${id}`, {
        ...plan,
        source: { connection },
        destination: { connection },
        // Other datasets: the phases name none of them.
        ...(datasets
          ? {
              datasets,
              phases: plan.phases.map(({ datasets: _d, ...p }) => p),
            }
          : {}),
      });
      migrationIds.push(id);
      jobs[`${id} snapshot`] = (
        await start(id, 'snapshots', { name: 'Doomed' })
      ).body;
      jobs[`${id} reconciliation`] = (
        await start(id, 'reconciliations', {})
      ).body;
    };
    await failing('orders-broken', 'broken'); // nothing listens on the port
    await failing('orders-nodb', 'nodb'); // the server is there, the database is not
    await failing('orders-oracle', 'legacy-oracle'); // a client the plugin does not support
    // Tables that do not exist, and one that disappears between a snapshot and its rollback.
    for (const table of ['secrets_temp_src', 'secrets_temp_dest']) {
      await knex.schema.dropTableIfExists(table);
      await knex.schema.createTable(table, t => {
        t.integer('id').primary();
        t.string('name', 50);
      });
      await knex(table).insert(
        Array.from({ length: 5 }, (_, i) => ({
          id: i + 1,
          name: `row ${i + 1}`,
        })),
      );
    }
    const missing = 'orders-missing';
    await failing(missing, 'dest', [
      {
        name: 'ghost',
        tier: 1,
        category: 'master',
        sourceTable: 'secrets_ghost_src',
        destinationTable: 'secrets_ghost_dest',
        keyColumns: ['id'],
        totalRecords: 10,
      },
      {
        name: 'temp',
        tier: 2,
        category: 'master',
        sourceTable: 'secrets_temp_src',
        destinationTable: 'secrets_temp_dest',
        keyColumns: ['id'],
        totalRecords: 5,
      },
    ]);
    const temp = (
      await start(missing, 'snapshots', {
        name: 'Temp only',
        datasets: ['temp'],
      })
    ).body;
    jobs.tempSnapshot = temp;
    await knex.schema.dropTable('secrets_temp_dest');
    await http(
      'owner',
      'POST',
      `/migrations/${missing}/snapshots/${temp.id}/verify`,
      {},
    );
    jobs.failedRollback = (
      await start(missing, 'rollbacks', {
        snapshotId: temp.id,
        datasets: ['temp'],
        createBackup: false,
        reason: 'table gone',
      })
    ).body;

    // 3. The scheduled tasks, once each.
    for (const task of [
      'cutover-alerts',
      'cutover-reconcile',
      'cutover-snapshot-sweep',
      'cutover-downsample-samples',
      'cutover-report-dispatcher',
    ]) {
      await scheduler.triggerTask(task);
    }
    await sleep(800); // signals are coalesced for 250 ms

    // Schedules of snapshots and reconciliations, so their routes by id are fetched too.
    for (const kind of ['snapshot-schedules', 'reconciliation-schedules']) {
      const created = await api()
        .post(`/api/cutover/migrations/${migrationIds[0]}/${kind}`)
        .set('authorization', as.owner)
        .send({ name: `Nightly ${kind}`, frequency: 'DAILY', time: '02:30' });
      if (created.status !== 201)
        throw new Error(`creating ${kind}: ${created.status} ${created.text}`);
    }

    // 4. Every GET route, for every migration and every id it has.
    const get = async (p: string, route: string) => {
      const res = await api()
        .get(`/api/cutover${p}`)
        .set('authorization', as.owner)
        .buffer(true)
        .parse(binary);
      const type = String(res.headers['content-type'] ?? '');
      const raw = res.body as Buffer;
      fetchedRoutes.set(route, [
        ...(fetchedRoutes.get(route) ?? []),
        res.status,
      ]);
      if (res.status !== 200)
        nonOk.push(
          `GET ${p}: ${res.status} ${raw.toString('utf8').slice(0, 300)}`,
        );
      if (type.includes('application/pdf')) {
        documents.push({
          where: `GET ${p} (raw ${type})`,
          text: raw.toString('latin1'),
        });
        const text = await pdfText(raw);
        if (!pdfSample) pdfSample = text;
        documents.push({ where: `GET ${p} (PDF text and info)`, text });
      } else if (type.includes('spreadsheetml')) {
        documents.push({
          where: `GET ${p} (raw ${type})`,
          text: raw.toString('latin1'),
        });
        const text = await workbookText(raw);
        if (!workbookSample) workbookSample = text;
        documents.push({ where: `GET ${p} (workbook cells)`, text });
      } else {
        documents.push({
          where: `GET ${p} (${type})`,
          text: raw.toString('utf8'),
        });
      }
      return type.includes('json') && raw.length
        ? JSON.parse(raw.toString('utf8'))
        : undefined;
    };
    const fetched = new Set<string>();
    /** GETs a route's pages, following nextCursor; returns the items of all pages. */
    const getAll = async (p: string, route: string) => {
      fetched.add(p);
      const items: any[] = [];
      let cursor: string | undefined;
      for (let page = 0; page < 100; page++) {
        const body = await get(
          cursor
            ? `${p}${p.includes('?') ? '&' : '?'}cursor=${encodeURIComponent(
                cursor,
              )}`
            : p,
          route,
        );
        if (Array.isArray(body?.items)) items.push(...body.items);
        cursor =
          typeof body?.nextCursor === 'string' ? body.nextCursor : undefined;
        if (!cursor) break;
      }
      return items;
    };
    const ids = async (
      id: string,
    ): Promise<Partial<Record<ParamKind, string[]>>> => {
      const list = async (suffix: string) =>
        (
          await getAll(
            `/migrations/${id}/${suffix}`,
            `GET /migrations/:id/${suffix}`,
          )
        ).map(x => String(x.id));
      return {
        migration: [id],
        snapshot: await list('snapshots'),
        rollback: await list('rollbacks'),
        run: await list('reconciliations'),
        report: await list('reports/stored'),
        schedule: await list('report-schedules'),
        snapshotSchedule: await list('snapshot-schedules'),
        reconciliationSchedule: await list('reconciliation-schedules'),
      };
    };
    const idsByMigration = new Map<
      string,
      Partial<Record<ParamKind, string[]>>
    >();
    for (const id of migrationIds) idsByMigration.set(id, await ids(id));
    for (const route of ROUTES.filter(r => r.method === 'GET')) {
      const names = paramNames(route.path);
      if (!names.length) {
        await getAll(route.path, routeKey(route));
        continue;
      }
      for (const [, known] of idsByMigration) {
        let combos: Record<string, string>[] = [{}];
        for (const name of names) {
          const values = known[PARAM_KINDS[name]] ?? [];
          combos = combos.flatMap(c =>
            values.map(v => ({ ...c, [name]: encodeURIComponent(v) })),
          );
        }
        for (const values of combos) {
          const p = fillPath(route.path, values);
          if (!fetched.has(p)) await getAll(p, routeKey(route));
        }
      }
    }

    // 5. What is stored, and what is logged on the way down.
    await backend.stop();
    const tables: string[] = (
      await knex.raw(
        `SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema() AND table_name LIKE 'cutover%'`,
      )
    ).rows.map((r: { name: string }) => r.name);
    for (const table of tables) {
      for (const [i, row] of (await knex(table).select('*')).entries()) {
        databaseRows.push({
          where: `table ${table} row ${i + 1}`,
          text: dump(row),
        });
      }
    }
    for (const [level, spy] of spies) {
      spy.mock.calls.forEach((args, i) =>
        consoleLines.push({
          where: `console.${level} call ${i + 1}`,
          text: dump(args),
        }),
      );
    }
  });

  it('did the work through the configured connections, and the failures carry error messages', () => {
    // The built-in provider and reconciler reached the database through the sentinel-bearing config.
    expect(jobs.fixtureSnapshot).toMatchObject({
      status: 'SUCCEEDED',
      provider: 'knex',
    });
    expect(jobs.fixtureRollback).toMatchObject({
      status: 'SUCCEEDED',
      verified: true,
    });
    expect(jobs.secondSnapshot).toMatchObject({
      status: 'SUCCEEDED',
      provider: 'knex',
    });
    expect(jobs.dirtyVerification.matches).toBe(false);
    expect(jobs.partialRollback).toMatchObject({
      status: 'SUCCEEDED',
      datasets: ['customers'],
      verified: true,
    });
    expect(jobs.fixtureRun.status).toBe('SUCCEEDED');
    expect(jobs.secondRun).toMatchObject({ status: 'SUCCEEDED' });
    expect(jobs.tempSnapshot).toMatchObject({ status: 'SUCCEEDED' });
    // Failures, each with an error text (which is what could carry a credential).
    for (const id of ['orders-broken', 'orders-nodb', 'orders-missing']) {
      expect(jobs[`${id} snapshot`]).toMatchObject({
        status: 'FAILED',
        error: expect.stringMatching(/\S/),
      });
      expect(jobs[`${id} reconciliation`]).toMatchObject({
        status: 'FAILED',
        error: expect.stringMatching(/\S/),
      });
    }
    expect(jobs['orders-missing snapshot'].error).toMatch(/does not exist/);
    expect(jobs['orders-nodb snapshot'].error).toMatch(/does not exist/);
    expect(jobs.failedRollback.status).toBe('FAILED');
    expect(jobs.failedRollback.errors.length).toBeGreaterThan(0);
    // The unsupported client is refused when asked, naming the connection only.
    expect(jobs['orders-oracle snapshot'].error.message).toMatch(
      /legacy-oracle/,
    );
    // The failures were logged.
    expect(
      logLines.some(l => /Snapshot .* of orders-broken failed/.test(l.message)),
    ).toBe(true);
  });

  it('fetched every GET route of the router, each answering 200', () => {
    const missing = ROUTES.filter(r => r.method === 'GET')
      .map(routeKey)
      .filter(k => !fetchedRoutes.has(k));
    expect(missing).toEqual([]);
    expect(nonOk).toEqual([]);
    expect(pdfSample).toContain('Orders database to PostgreSQL');
    expect(workbookSample).toMatch(
      /Snapshots!A\d+: "(Baseline|Before tier 2)"/,
    );
  });

  it('no HTTP answer (JSON, audit trail, CSV, executive PDF, detailed workbook, stored reports) contains a credential', () => {
    expect(documents.length).toBeGreaterThan(100);
    expectNoLeaks(
      {
        'GET route bodies': documents,
        'HTTP answers (error answers included)': responses,
      },
      needles,
    );
  });

  it('no log line or audit event contains a credential', () => {
    const audit = logLines.filter(l => l.context.isAuditEvent);
    expect(audit.length).toBeGreaterThan(10);
    expect(
      logLines.filter(l => l.level === 'warn' || l.level === 'error').length,
    ).toBeGreaterThan(0);
    const outputs = logLines.map((l, i) => ({
      where: `${l.context.isAuditEvent ? 'audit event' : 'log line'} #${
        i + 1
      } (${l.level}, ${dump(l.context)}) "${l.message.slice(0, 80)}"`,
      text: dump({
        level: l.level,
        message: l.message,
        context: l.context,
        meta: l.meta,
      }),
    }));
    expectNoLeaks(
      { 'log lines': outputs, 'console calls': consoleLines },
      needles,
    );
  });

  it('no notification contains a credential', () => {
    expect(notifications.length).toBeGreaterThan(0);
    const outputs = notifications.map((n, i) => ({
      where: `notification #${i + 1} "${n.payload.title}"`,
      text: dump(n),
    }));
    expectNoLeaks({ notifications: outputs }, needles);
  });

  it('signals carry ids only', () => {
    expect(signals.length).toBeGreaterThan(0);
    const problems: string[] = [];
    signals.forEach(({ payload }, i) => {
      const where = `signal #${i + 1} ${dump(payload)}`;
      const message = payload.message as Record<string, unknown>;
      if (dump(payload.recipients) !== dump({ type: 'broadcast' }))
        problems.push(`${where}: recipients are not a broadcast`);
      if (Object.keys(payload).sort().join() !== 'channel,message,recipients')
        problems.push(`${where}: unexpected payload keys`);
      // The portfolio's channel: which migrations changed, and when. Ids only, too.
      if (payload.channel === 'cutover-portfolio') {
        const ids = message.migrationIds;
        if (Object.keys(message).sort().join() !== 'at,migrationIds')
          problems.push(`${where}: message keys are not migrationIds, at`);
        if (
          !Array.isArray(ids) ||
          ids.some(id => !migrationIds.includes(String(id)))
        )
          problems.push(`${where}: migrationIds are not migrations' ids`);
        if (
          typeof message.at !== 'string' ||
          new Date(message.at).toISOString() !== message.at
        )
          problems.push(`${where}: at is not an ISO timestamp`);
        return;
      }
      if (Object.keys(message).sort().join() !== 'at,migrationId,type,types')
        problems.push(
          `${where}: message keys are not migrationId, type, types, at`,
        );
      if (!migrationIds.includes(String(message.migrationId)))
        problems.push(`${where}: migrationId is not a migration's id`);
      if (payload.channel !== `cutover:${message.migrationId}`)
        problems.push(`${where}: channel is not cutover:<migrationId>`);
      if (!SIGNAL_TYPES.includes(String(message.type)))
        problems.push(`${where}: type is not a signal type`);
      const types = message.types;
      if (
        !Array.isArray(types) ||
        !types.length ||
        types[0] !== message.type ||
        types.some(t => !SIGNAL_TYPES.includes(String(t)))
      ) {
        problems.push(
          `${where}: types is not a list of signal types starting with type`,
        );
      }
      if (
        typeof message.at !== 'string' ||
        Number.isNaN(Date.parse(message.at)) ||
        new Date(message.at).toISOString() !== message.at
      )
        problems.push(`${where}: at is not an ISO timestamp`);
    });
    expect(problems).toEqual([]);
    const seen = new Set(
      signals.flatMap(s => (s.payload.message as { types: string[] }).types),
    );
    expect([...seen]).toEqual(
      expect.arrayContaining([
        'snapshot',
        'rollback',
        'reconciliation',
        'alert',
      ]),
    );
    expectNoLeaks(
      {
        signals: signals.map((s, i) => ({
          where: `signal #${i + 1}`,
          text: s.text,
        })),
      },
      needles,
    );
  });

  it('nothing the plugin stored contains a credential', () => {
    expect(databaseRows.length).toBeGreaterThan(0);
    expectNoLeaks({ 'stored rows (cutover_* tables)': databaseRows }, needles);
  });
});
