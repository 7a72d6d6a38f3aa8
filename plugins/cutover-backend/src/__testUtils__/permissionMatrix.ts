import {
  cutoverOperations,
  permissionLabel,
} from '@switchyard/plugin-cutover-common';
import { exampleJobRestrictions } from './exampleToken';
import {
  completeCustomers,
  Fixture,
  fixturePlan,
  Http,
  Method,
  must,
  ParamKind,
  routeKey,
  validReportSchedule,
  waitForJob,
} from './routeTable';

/*
 * Who may call what: every route of the router against every kind of caller, with the status
 * the request gets. permissionMatrix.test.ts sends every cell over HTTP to a backend with the
 * real permission backend and the test policy; scripts/permissions-table.ts prints the table for
 * the README (readmePermissions.test.ts keeps the two equal).
 */

/** The callers of the matrix, in column order. */
export const MATRIX_PRINCIPALS = [
  'anonymous',
  'reader',
  'owner',
  'approver',
  'approverOwner',
  'job',
  'jobExample',
  'otherTeam',
] as const;
export type MatrixPrincipal = (typeof MATRIX_PRINCIPALS)[number];

export const PRINCIPAL_LABELS: Record<MatrixPrincipal, string> = {
  anonymous: 'anonymous',
  reader: 'reader',
  owner: 'owner',
  approver: 'approver',
  approverOwner: "approver in the owner's team",
  job: 'platform token',
  jobExample: "example jobs' token",
  otherTeam: 'other team',
};

/** What a row's request may use: the seeded fixture, fresh migrations, a client. */
export interface MatrixContext {
  http: Http;
  fx: Fixture;
  /** Creates a migration from the fixture plan with a new id; returns the id. */
  fresh(): Promise<string>;
  /** A new slug, for migrations a request creates itself. */
  newId(): string;
}

/** One cell's request: a path relative to /api/cutover, and a body. */
export interface MatrixRequest {
  path: string;
  body?: unknown;
}

export interface MatrixRow {
  method: Method;
  path: string;
  /** The permission the route checks, as the README shows it (from the operation catalogue). */
  permission: string;
  /** The status each caller gets. */
  expected: Record<MatrixPrincipal, number>;
  /**
   * Builds a cell's request, setting up what it needs first (a fresh migration where the
   * request changes or consumes state, so every cell succeeds or fails on permissions alone).
   */
  request(ctx: MatrixContext): Promise<MatrixRequest>;
}

const SIGNED_IN: MatrixPrincipal[] = [
  'reader',
  'owner',
  'approver',
  'job',
  'otherTeam',
];
const OWNER_OR_JOB: MatrixPrincipal[] = ['owner', 'job'];
const APPROVER: MatrixPrincipal[] = ['approver'];

/** `status` for the allowed callers; 401 for anonymous callers and 403 for the others. */
function statuses(
  status: number,
  allowed: readonly MatrixPrincipal[],
): Record<MatrixPrincipal, number> {
  const of = (p: MatrixPrincipal) => {
    if (allowed.includes(p)) return status;
    if (p === 'anonymous') return 401;
    return 403;
  };
  return Object.fromEntries(MATRIX_PRINCIPALS.map(p => [p, of(p)])) as Record<
    MatrixPrincipal,
    number
  >;
}

const fixturePath =
  (suffix = '') =>
  async (ctx: MatrixContext): Promise<MatrixRequest> => ({
    path: `/migrations/${ctx.fx.migrationId}${suffix}`,
  });

/** A row as written below: its permission comes from the operation catalogue. */
type RowSpec = Omit<MatrixRow, 'permission'> & {
  derived?: Partial<Record<MatrixPrincipal, number>>;
};

/** A read of the fixture: every signed-in caller (and the job token) gets 200. */
const read = (suffix: string): RowSpec => ({
  method: 'GET',
  path: `/migrations/:id${suffix}`,
  expected: statuses(200, SIGNED_IN),
  request: fixturePath(suffix),
});

/** A request on a fresh migration, after `setup` (which may return ids for the path and body). */
function onFresh(
  method: Method,
  path: string,
  status: number,
  allowed: readonly MatrixPrincipal[],
  build: (ctx: MatrixContext, m: string, id: string) => Promise<MatrixRequest>,
  derived?: Partial<Record<MatrixPrincipal, number>>,
): RowSpec {
  return {
    method,
    path,
    derived,
    expected: statuses(status, allowed),
    request: async ctx => {
      const id = await ctx.fresh();
      return build(ctx, `/migrations/${id}`, id);
    },
  };
}

/** A read of one item of the fixture: `/migrations/:id/<collection>/:<param>`, its first `kind` id. */
function readItem(
  collection: string,
  param: string,
  kind: ParamKind,
  allowed: readonly MatrixPrincipal[] = SIGNED_IN,
): RowSpec {
  return {
    method: 'GET',
    path: `/migrations/:id/${collection}/:${param}`,
    expected: statuses(200, allowed),
    request: async ctx => ({
      path: `/migrations/${ctx.fx.migrationId}/${collection}/${ctx.fx.ids[kind][0]}`,
    }),
  };
}

/** `POST /alerts/:alertId/<action>` with `body`, on an alert raised on a fresh migration. */
const onAlert = (action: string, body: object): RowSpec =>
  onFresh(
    'POST',
    `/migrations/:id/alerts/:alertId/${action}`,
    200,
    OWNER_OR_JOB,
    async (ctx, m) => ({
      path: `${m}/alerts/${await raiseAlert(ctx, m)}/${action}`,
      body: { ...body },
    }),
  );

async function openApprovalRequest(ctx: MatrixContext, m: string) {
  await must(ctx.http, 'owner', 'POST', `${m}/approval-requests`, {
    comments: 'ready',
  });
}

async function raiseAlert(ctx: MatrixContext, m: string): Promise<string> {
  const alert = await must(ctx.http, 'job', 'POST', `${m}/alerts`, {
    alertType: 'WARNING',
    severity: 'LOW',
    title: 'Slow batch',
    dataset: 'orders',
  });
  return alert.id;
}

async function reportScheduled(ctx: MatrixContext, m: string) {
  const schedule = await must(
    ctx.http,
    'owner',
    'POST',
    `${m}/report-schedules`,
    validReportSchedule(),
  );
  return schedule.id as string;
}

async function takeSnapshot(ctx: MatrixContext, m: string): Promise<string> {
  const snapshot = await must(ctx.http, 'owner', 'POST', `${m}/snapshots`, {
    name: 'Baseline',
    datasets: ['customers'],
  });
  await waitForJob(ctx.http, `${m}/snapshots/${snapshot.id}`);
  return snapshot.id;
}

/** Freeze windows of the matrix are planned from a month after the run, on the hour. */
const FUTURE = Math.floor(Date.now() / 3_600_000) * 3_600_000 + 30 * 86_400_000;
let windowCount = 0;
async function planWindow(ctx: MatrixContext, m: string): Promise<string> {
  windowCount += 1;
  const start = FUTURE + windowCount * 86_400_000;
  const window = await must(ctx.http, 'owner', 'POST', `${m}/freeze-windows`, {
    name: 'Cutover weekend',
    datasets: ['customers'],
    startsAt: new Date(start).toISOString(),
    endsAt: new Date(start + 3_600_000).toISOString(),
  });
  return window.id;
}

/** Every route of the router, each caller's status. */
/**
 * The two principals every row derives: a member of both the owning team and the approvers gets
 * what an owner gets (and what an approver gets where approvers decide), and the example portal's
 * jobs' token gets what the unrestricted platform token gets where app-config.yaml grants the
 * row's permission (403 elsewhere). Rows state exceptions in `derived`.
 */
function derive(rows: RowSpec[]): MatrixRow[] {
  const granted = new Set(exampleJobRestrictions().permissionNames);
  return rows.map(({ derived, ...spec }) => {
    // The permission is the catalogue's, as the document and the README show it.
    const operation = cutoverOperations().find(
      op => op.method.toUpperCase() === spec.method && op.path === spec.path,
    );
    if (!operation) {
      throw new Error(`${routeKey(spec)}: no operation of the catalogue`);
    }
    const label = permissionLabel(operation.permission);
    const row: MatrixRow = {
      ...spec,
      permission: label === 'none' ? '-' : label,
    };
    const permissions = row.permission.match(/cutover\.[a-z]+\.[a-z]+/g) ?? [];
    const tokenMay =
      permissions.some(p => granted.has(p)) || row.permission === '-';
    const approverRow =
      row.expected.approver !== 403 && row.expected.owner === 403;
    return {
      ...row,
      expected: {
        ...row.expected,
        approverOwner: approverRow ? row.expected.approver : row.expected.owner,
        jobExample: tokenMay ? row.expected.job : 403,
        ...derived,
      },
    };
  });
}

/** A connection with an (empty) database, so that drafts in the matrix succeed or fail on permissions. */
export const MATRIX_DRAFT_CONNECTION = 'matrix-db';
/** The config the matrix's backend runs with. */
export const MATRIX_CONFIG = {
  cutover: {
    connections: {
      [MATRIX_DRAFT_CONNECTION]: {
        client: 'better-sqlite3',
        connection: ':memory:',
        owners: ['group:default/orders-team'],
      },
    },
  },
};

export const PERMISSION_MATRIX: MatrixRow[] = derive([
  {
    method: 'GET',
    path: '/health',
    expected: statuses(200, ['anonymous', ...SIGNED_IN]),
    request: async () => ({ path: '/health' }),
  },
  {
    method: 'GET',
    path: '/migrations',
    expected: statuses(200, SIGNED_IN),
    request: async () => ({ path: '/migrations' }),
  },
  {
    method: 'GET',
    path: '/portfolio',
    // Lists what the caller may read (never refuses a signed-in caller).
    expected: statuses(200, SIGNED_IN),
    request: async () => ({ path: '/portfolio?owner=all' }),
  },
  {
    method: 'POST',
    path: '/migrations',
    // People create migrations only for a team they belong to (the plan's owner is orders-team).
    expected: statuses(201, OWNER_OR_JOB),
    request: async ctx => ({
      path: '/migrations',
      body: fixturePlan(ctx.newId()),
    }),
  },
  {
    method: 'POST',
    path: '/plans/draft',
    // Drafting is judged as applying the plan would be: only the owner's members (and jobs) may.
    expected: statuses(200, OWNER_OR_JOB),
    request: async () => ({
      path: '/plans/draft',
      body: {
        source: MATRIX_DRAFT_CONNECTION,
        destination: MATRIX_DRAFT_CONNECTION,
        owner: 'group:default/orders-team',
      },
    }),
  },
  onFresh('PUT', '/migrations/:id', 200, OWNER_OR_JOB, async (_ctx, m, id) => {
    const { id: _id, ...plan } = fixturePlan(id);
    return {
      path: m,
      body: { ...plan, title: 'Orders database to PostgreSQL, replanned' },
    };
  }),
  read(''),
  onFresh('PATCH', '/migrations/:id', 200, OWNER_OR_JOB, async (_ctx, m) => ({
    path: m,
    body: { controlState: 'PAUSE', reason: 'maintenance window' },
  })),
  onFresh('DELETE', '/migrations/:id', 204, OWNER_OR_JOB, async (_ctx, m) => ({
    path: m,
  })),
  onFresh(
    'POST',
    '/migrations/:id/restore',
    200,
    OWNER_OR_JOB,
    async (ctx, m) => {
      await must(ctx.http, 'owner', 'DELETE', m);
      return { path: `${m}/restore`, body: { reason: 'archived by mistake' } };
    },
  ),
  read('/control'),
  onFresh(
    'POST',
    '/migrations/:id/metrics',
    200,
    OWNER_OR_JOB,
    async (_ctx, m) => ({
      path: `${m}/metrics`,
      body: {
        samples: [
          {
            dataset: 'customers',
            totalRecords: 40,
            importedRecords: 12,
            completeness: 97,
          },
        ],
      },
    }),
  ),
  read('/dashboard'),
  read('/trends'),
  read('/timeline'),
  onFresh(
    'PUT',
    '/migrations/:id/phases/:phaseId',
    200,
    OWNER_OR_JOB,
    async (_ctx, m) => ({
      path: `${m}/phases/extract`,
      body: { progressPercent: 25, status: 'IN_PROGRESS' },
    }),
  ),
  onFresh(
    'POST',
    '/migrations/:id/phases/:phaseId/subtasks',
    201,
    OWNER_OR_JOB,
    async (_ctx, m) => ({
      path: `${m}/phases/extract/subtasks`,
      body: { id: 'verify', name: 'Verify row counts' },
    }),
  ),
  onFresh(
    'PATCH',
    '/migrations/:id/phases/:phaseId/subtasks/:subTaskId',
    200,
    OWNER_OR_JOB,
    async (_ctx, m) => ({
      path: `${m}/phases/extract/subtasks/dump`,
      body: { progressPercent: 40 },
    }),
  ),
  onFresh(
    'POST',
    '/migrations/:id/phases/:phaseId/subtasks/:subTaskId/complete',
    200,
    OWNER_OR_JOB,
    async (_ctx, m) => ({
      path: `${m}/phases/extract/subtasks/dump/complete`,
      body: {},
    }),
  ),
  onFresh(
    'POST',
    '/migrations/:id/phases/:phaseId/pause',
    200,
    OWNER_OR_JOB,
    async (_ctx, m) => ({
      path: `${m}/phases/extract/pause`,
      body: { reason: 'source under load' },
    }),
  ),
  onFresh(
    'POST',
    '/migrations/:id/phases/:phaseId/resume',
    200,
    OWNER_OR_JOB,
    async (ctx, m) => {
      await must(ctx.http, 'owner', 'POST', `${m}/phases/extract/pause`, {});
      return { path: `${m}/phases/extract/resume`, body: {} };
    },
  ),
  onFresh(
    'PUT',
    '/migrations/:id/milestones/:milestoneId',
    200,
    OWNER_OR_JOB,
    async (_ctx, m) => ({
      path: `${m}/milestones/uat`,
      body: { completed: true },
    }),
  ),
  read('/checklist'),
  onFresh(
    'POST',
    '/migrations/:id/checklist',
    201,
    OWNER_OR_JOB,
    async (_ctx, m) => ({
      path: `${m}/checklist`,
      body: { category: 'Operations', title: 'On-call rota staffed' },
    }),
  ),
  onFresh(
    'PATCH',
    '/migrations/:id/checklist/:itemId',
    200,
    OWNER_OR_JOB,
    async (_ctx, m) => ({
      path: `${m}/checklist/SR002`,
      body: { status: 'PASS', notes: 'rollback plan reviewed' },
    }),
  ),
  read('/readiness'),
  onFresh(
    'POST',
    '/migrations/:id/approval-requests',
    201,
    OWNER_OR_JOB,
    async (_ctx, m) => ({
      path: `${m}/approval-requests`,
      body: { comments: 'Ready for the weekend' },
    }),
  ),
  read('/approvals'),
  onFresh(
    'POST',
    '/migrations/:id/approvals',
    201,
    APPROVER,
    async (ctx, m) => {
      await openApprovalRequest(ctx, m);
      return {
        path: `${m}/approvals`,
        body: { decision: 'REJECTED', comments: 'tier 1 not imported yet' },
      };
    },
  ),
  onFresh(
    'POST',
    '/migrations/:id/approvals/:approvalId/revoke',
    200,
    APPROVER,
    async (ctx, m) => {
      await openApprovalRequest(ctx, m);
      const decided = await must(
        ctx.http,
        'approver',
        'POST',
        `${m}/approvals`,
        { decision: 'REJECTED', comments: 'not yet' },
      );
      return {
        path: `${m}/approvals/${decided.id}/revoke`,
        body: { reason: 'blockers resolved' },
      };
    },
    // A rejection is revoked only by its author: another approver may not clear it.
    { approverOwner: 403 },
  ),
  read('/alerts'),
  onFresh(
    'POST',
    '/migrations/:id/alerts',
    201,
    OWNER_OR_JOB,
    async (_ctx, m) => ({
      path: `${m}/alerts`,
      body: { alertType: 'ERROR', severity: 'LOW', title: 'Row rejected' },
    }),
  ),
  onAlert('resolve', { resolution: 'retried' }),
  onFresh(
    'POST',
    '/migrations/:id/alerts/:alertId/reopen',
    200,
    OWNER_OR_JOB,
    async (ctx, m) => {
      const alertId = await raiseAlert(ctx, m);
      await must(ctx.http, 'owner', 'POST', `${m}/alerts/${alertId}/resolve`, {
        resolution: 'retried',
      });
      return {
        path: `${m}/alerts/${alertId}/reopen`,
        body: { reason: 'came back' },
      };
    },
  ),
  onAlert('assign', { assignedTo: 'user:default/oscar-owner' }),
  onAlert('notes', { text: 'looking into it' }),
  read('/reports/executive.pdf'),
  read('/reports/detailed.xlsx'),
  read('/reports/audit.csv'),
  read('/reports/stored'),
  readItem('reports/stored', 'reportId', 'report'),
  {
    method: 'GET',
    path: '/migrations/:id/report-schedules',
    expected: statuses(200, OWNER_OR_JOB),
    request: fixturePath('/report-schedules'),
  },
  onFresh(
    'POST',
    '/migrations/:id/report-schedules',
    201,
    OWNER_OR_JOB,
    async (_ctx, m) => ({
      path: `${m}/report-schedules`,
      body: validReportSchedule(),
    }),
  ),
  readItem('report-schedules', 'scheduleId', 'schedule', OWNER_OR_JOB),
  onFresh(
    'PATCH',
    '/migrations/:id/report-schedules/:scheduleId',
    200,
    OWNER_OR_JOB,
    async (ctx, m) => ({
      path: `${m}/report-schedules/${await reportScheduled(ctx, m)}`,
      body: { enabled: false },
    }),
  ),
  onFresh(
    'DELETE',
    '/migrations/:id/report-schedules/:scheduleId',
    204,
    OWNER_OR_JOB,
    async (ctx, m) => ({
      path: `${m}/report-schedules/${await reportScheduled(ctx, m)}`,
    }),
  ),
  ...(
    [
      ['snapshot', 'snapshotScheduleId', 'snapshotSchedule'],
      ['reconciliation', 'reconciliationScheduleId', 'reconciliationSchedule'],
    ] as const
  ).flatMap(([kind, param, fixtureKind]): RowSpec[] => {
    const valid = () => ({
      name: `Nightly ${kind}`,
      frequency: 'DAILY',
      time: '02:30',
      datasets: ['orders'],
    });
    const scheduled = async (ctx: MatrixContext, m: string) =>
      (await must(ctx.http, 'owner', 'POST', `${m}/${kind}-schedules`, valid()))
        .id as string;
    const one = `/migrations/:id/${kind}-schedules/:${param}`;
    return [
      read(`/${kind}-schedules`),
      onFresh(
        'POST',
        `/migrations/:id/${kind}-schedules`,
        201,
        OWNER_OR_JOB,
        async (_ctx, m) => ({ path: `${m}/${kind}-schedules`, body: valid() }),
      ),
      readItem(`${kind}-schedules`, param, fixtureKind),
      onFresh('PATCH', one, 200, OWNER_OR_JOB, async (ctx, m) => ({
        path: `${m}/${kind}-schedules/${await scheduled(ctx, m)}`,
        body: { enabled: false },
      })),
      onFresh('DELETE', one, 204, OWNER_OR_JOB, async (ctx, m) => ({
        path: `${m}/${kind}-schedules/${await scheduled(ctx, m)}`,
      })),
      onFresh('POST', `${one}/run`, 200, OWNER_OR_JOB, async (ctx, m) => ({
        path: `${m}/${kind}-schedules/${await scheduled(ctx, m)}/run`,
      })),
    ];
  }),
  read('/snapshots'),
  onFresh(
    'POST',
    '/migrations/:id/snapshots',
    202,
    OWNER_OR_JOB,
    async (_ctx, m) => ({
      path: `${m}/snapshots`,
      body: { name: 'Before tier 2', datasets: ['customers'] },
    }),
  ),
  readItem('snapshots', 'snapshotId', 'snapshot'),
  onFresh(
    'DELETE',
    '/migrations/:id/snapshots/:snapshotId',
    204,
    OWNER_OR_JOB,
    async (ctx, m) => ({
      path: `${m}/snapshots/${await takeSnapshot(ctx, m)}`,
    }),
  ),
  {
    method: 'POST',
    path: '/migrations/:id/snapshots/:snapshotId/verify',
    expected: statuses(200, OWNER_OR_JOB),
    request: async ctx => ({
      path: `/migrations/${ctx.fx.migrationId}/snapshots/${ctx.fx.ids.snapshot[0]}/verify`,
    }),
  },
  read('/rollbacks'),
  onFresh(
    'POST',
    '/migrations/:id/rollbacks',
    202,
    OWNER_OR_JOB,
    async (ctx, m) => ({
      path: `${m}/rollbacks`,
      body: {
        snapshotId: await takeSnapshot(ctx, m),
        createBackup: false,
        reason: 'rehearsal',
      },
    }),
  ),
  readItem('rollbacks', 'rollbackId', 'rollback'),
  read('/read-sources'),
  onFresh(
    'PUT',
    '/migrations/:id/datasets/:dataset/read-source',
    200,
    OWNER_OR_JOB,
    async (ctx, m, id) => {
      await completeCustomers(ctx.http, id);
      await must(
        ctx.http,
        'owner',
        'PUT',
        `${m}/datasets/customers/cutover-state`,
        { state: 'READY', reason: 'imported' },
      );
      return {
        path: `${m}/datasets/customers/read-source`,
        body: { source: 'DUAL', reason: 'start dual reads' },
      };
    },
  ),
  onFresh(
    'PUT',
    '/migrations/:id/datasets/:dataset/cutover-state',
    200,
    OWNER_OR_JOB,
    async (ctx, m, id) => {
      await completeCustomers(ctx.http, id);
      return {
        path: `${m}/datasets/customers/cutover-state`,
        body: { state: 'READY', reason: 'imported and checked' },
      };
    },
  ),
  read('/switch-history'),
  read('/freeze-windows'),
  onFresh(
    'POST',
    '/migrations/:id/freeze-windows',
    201,
    OWNER_OR_JOB,
    async (_ctx, m) => ({
      path: `${m}/freeze-windows`,
      body: {
        name: 'Cutover weekend',
        datasets: ['customers'],
        startsAt: new Date(FUTURE + 60 * 86_400_000).toISOString(),
        endsAt: new Date(FUTURE + 62 * 86_400_000).toISOString(),
      },
    }),
  ),
  onFresh(
    'POST',
    '/migrations/:id/freeze-windows/:windowId/activate',
    200,
    OWNER_OR_JOB,
    async (ctx, m) => ({
      path: `${m}/freeze-windows/${await planWindow(ctx, m)}/activate`,
      body: {},
    }),
  ),
  onFresh(
    'POST',
    '/migrations/:id/freeze-windows/:windowId/complete',
    200,
    OWNER_OR_JOB,
    async (ctx, m) => {
      const windowId = await planWindow(ctx, m);
      await must(
        ctx.http,
        'owner',
        'POST',
        `${m}/freeze-windows/${windowId}/activate`,
        {},
      );
      return { path: `${m}/freeze-windows/${windowId}/complete`, body: {} };
    },
  ),
  onFresh(
    'POST',
    '/migrations/:id/freeze-windows/:windowId/cancel',
    200,
    OWNER_OR_JOB,
    async (ctx, m) => ({
      path: `${m}/freeze-windows/${await planWindow(ctx, m)}/cancel`,
      body: { reason: 'moved to next month' },
    }),
  ),
  read('/reconciliations'),
  onFresh(
    'POST',
    '/migrations/:id/reconciliations',
    202,
    OWNER_OR_JOB,
    async (_ctx, m) => ({
      path: `${m}/reconciliations`,
      body: { datasets: ['orders'] },
    }),
  ),
  readItem('reconciliations', 'runId', 'run'),
  read('/audit'),
]);

/** The README's permissions table: route, permission, ✓ (2xx) or ✗ (401/403) per caller. */
export function permissionsMarkdown(): string {
  const header = `| route | permission | ${MATRIX_PRINCIPALS.map(
    p => PRINCIPAL_LABELS[p],
  ).join(' | ')} |`;
  const rule = `|---|---|${MATRIX_PRINCIPALS.map(() => ':-:').join('|')}|`;
  const rows = PERMISSION_MATRIX.map(row => {
    const cells = MATRIX_PRINCIPALS.map(p =>
      row.expected[p] < 300 ? '✓' : '✗',
    );
    const permission =
      row.permission === '-'
        ? 'none'
        : row.permission.replace(
            /cutover\.[a-z]+\.[a-z]+/g,
            name => `\`${name}\``,
          );
    return `| \`${routeKey(row)}\` | ${permission} | ${cells.join(' | ')} |`;
  });
  return [
    'Generated from `plugins/cutover-backend/src/__testUtils__/permissionMatrix.ts` by',
    '`node -r @backstage/cli/config/nodeTransform.cjs scripts/permissions-table.ts`; `permissionMatrix.test.ts` sends every',
    'cell over HTTP, on SQLite and PostgreSQL, to the plugin with the real permission backend and the test policy of',
    '`src/__testUtils__/backend.ts` (the example policy, except that there only owners record checklist results). ✓: allowed',
    '(2xx); ✗: refused (401 for anonymous callers, 403 for the others, 409 where a rule refuses what the permission allows).',
    "*reader*: signed in, neither owner nor approver; *approver in the owner's team*: a member of both the approvers and the",
    'owning team; *other team*: a user owning other migrations; *platform token*: a service principal without access',
    "restrictions; *example jobs' token*: the example app-config's `CUTOVER_TOKEN` with its access restrictions, read from",
    '`app-config.yaml`. Paths are relative to `/api/cutover`. The table shows permissions only: rules (governance, approvals,',
    'quotas) are in the threat table above and in `src/tests/attacks.test.ts`.',
    '',
    header,
    rule,
    ...rows,
  ].join('\n');
}

/** The markers around the generated table in the README's Permissions section. */
export const README_MARKERS = {
  start: '<!-- permissions-matrix:start -->',
  end: '<!-- permissions-matrix:end -->',
};

/** What the README holds between the markers (trimmed), or undefined without them. */
export function readmePermissionsBlock(readme: string): string | undefined {
  const start = readme.indexOf(README_MARKERS.start);
  const end = readme.indexOf(README_MARKERS.end);
  if (start < 0 || end < start) return undefined;
  return readme.slice(start + README_MARKERS.start.length, end).trim();
}

/** The README with the generated table between the markers. */
export function withPermissionsTable(readme: string): string {
  const start = readme.indexOf(README_MARKERS.start);
  const end = readme.indexOf(README_MARKERS.end);
  if (start < 0 || end < start) {
    throw new Error(
      `README.md has no ${README_MARKERS.start} ... ${README_MARKERS.end} block`,
    );
  }
  return `${readme.slice(
    0,
    start + README_MARKERS.start.length,
  )}\n${permissionsMarkdown()}\n${readme.slice(end)}`;
}
