import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import {
  coreServices,
  createBackendModule,
  createServiceFactory,
  SchedulerService,
} from '@backstage/backend-plugin-api';
import {
  AuthenticationError,
  NotAllowedError,
  NotFoundError,
} from '@backstage/errors';
import {
  AuthorizeResult,
  isPermission,
  PolicyDecision,
} from '@backstage/plugin-permission-common';
import {
  PolicyQuery,
  PolicyQueryUser,
} from '@backstage/plugin-permission-node';
import { policyExtensionPoint } from '@backstage/plugin-permission-node/alpha';
import {
  cutoverApprovalDecidePermission,
  cutoverMigrationCreatePermission,
  cutoverMigrationReadPermission,
  cutoverReportReadPermission,
  MigrationPlan,
} from '@switchyard/plugin-cutover-common';
import { Knex } from 'knex';
import request from 'supertest';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import type { Entity } from '@backstage/catalog-model';
import {
  createCutoverMigrationConditionalDecision,
  cutoverMigrationConditions,
} from '../alpha';
import permissionBackend from '@backstage/plugin-permission-backend';
import { notificationService } from '@backstage/plugin-notifications-node';
import {
  CutoverClock,
  cutoverClockServiceRef,
} from '@switchyard/plugin-cutover-node';
import { cutoverPlugin } from '../plugin';
import type { Actor } from './routeTable';
import { closeWhenTheTestEnds } from './databases';
import { exampleJobRestrictions } from './exampleToken';

export { exampleJobRestrictions };

/** Group membership of the test users, as sign-in would resolve it from the catalog. */
export const TEST_MEMBERSHIP: Record<string, string[]> = {
  'user:default/olivia-owner': ['group:default/orders-team'],
  'user:default/oscar-owner': ['group:default/orders-team'],
  'user:default/alice-approver': ['group:default/cutover-approvers'],
  'user:default/arnold-approver': ['group:default/cutover-approvers'],
  'user:default/rita-reader': ['group:default/readers'],
  'user:default/bob-billing': ['group:default/billing-team'],
  /** A contractor of the billing team whose policy lets them read only their team's migrations. */
  'user:default/carl-contractor': ['group:default/billing-team'],
  /** An approver who also belongs to the owning team: separation of duties must hold. */
  'user:default/amy-approver-owner': [
    'group:default/cutover-approvers',
    'group:default/orders-team',
  ],
};

const EXAMPLE_JOB_SUBJECT = 'external:cutover-jobs-example';

/** Groups of the tests' catalog, with their parents. */
const TEST_GROUPS: Record<string, string | undefined> = {
  'orders-team': 'engineering',
  'billing-team': 'engineering',
  engineering: undefined,
  'cutover-approvers': undefined,
  readers: undefined,
  'incident-managers': undefined,
};

/**
 * The tests' catalog: the users above with their memberships, and the groups, with the relations
 * the catalog would compute (memberOf / hasMember, childOf / parentOf).
 */
export function testCatalogEntities(
  extra: Record<string, string[]> = {},
): Entity[] {
  const membership = { ...TEST_MEMBERSHIP, ...extra };
  const users: Entity[] = Object.entries(membership).map(([ref, groups]) => ({
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'User',
    metadata: { name: ref.split('/')[1], namespace: 'default' },
    spec: {
      memberOf: groups,
      profile: { email: `${ref.split('/')[1]}@example.com` },
    },
    relations: groups.map(g => ({ type: 'memberOf', targetRef: g })),
  }));
  const groups: Entity[] = Object.entries(TEST_GROUPS).map(([name, parent]) => {
    const ref = `group:default/${name}`;
    const members = Object.entries(membership)
      .filter(([, gs]) => gs.includes(ref))
      .map(([u]) => u);
    const children = Object.entries(TEST_GROUPS)
      .filter(([, p]) => p === name)
      .map(([c]) => `group:default/${c}`);
    return {
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Group',
      metadata: { name, namespace: 'default' },
      spec: {
        type: 'team',
        children: children.map(c => c.split('/')[1]),
        ...(parent ? { parent } : {}),
      },
      relations: [
        ...members.map(m => ({ type: 'hasMember', targetRef: m })),
        ...(parent
          ? [{ type: 'childOf', targetRef: `group:default/${parent}` }]
          : []),
        ...children.map(c => ({ type: 'parentOf', targetRef: c })),
      ],
    };
  });
  return [...users, ...groups];
}

/**
 * Connections the tests' plans name (`src`, `dst`, `dest`), declared as the example portal declares
 * its own: owned by the orders and billing teams. Tests that configure connections of their own
 * (with a client and credentials) declare their owners themselves.
 */
export const TEST_CONNECTION_DECLARATIONS = {
  src: {
    owners: ['group:default/orders-team', 'group:default/billing-team'],
    readOnly: true,
  },
  dst: { owners: ['group:default/orders-team', 'group:default/billing-team'] },
  dest: { owners: ['group:default/orders-team', 'group:default/billing-team'] },
};

/** Authorization headers of the principals tests act as. */
export const as = {
  owner: mockCredentials.user.header('user:default/olivia-owner'),
  owner2: mockCredentials.user.header('user:default/oscar-owner'),
  approver: mockCredentials.user.header('user:default/alice-approver'),
  approver2: mockCredentials.user.header('user:default/arnold-approver'),
  reader: mockCredentials.user.header('user:default/rita-reader'),
  otherTeam: mockCredentials.user.header('user:default/bob-billing'),
  approverOwner: mockCredentials.user.header('user:default/amy-approver-owner'),
  /** A job: a service principal without access restrictions (a platform's own automation). */
  job: mockCredentials.service.header({
    onBehalfOf: mockCredentials.service('external:cutover-jobs'),
    targetPluginId: 'cutover',
  }),
  /** The example portal's jobs' token: restricted to what app-config.yaml allows it. */
  jobExample: mockCredentials.service.header({
    onBehalfOf: mockCredentials.service(EXAMPLE_JOB_SUBJECT),
    targetPluginId: 'cutover',
  }),
};

/** The bearer header of each actor of the hardening route table (none for anonymous). */
export const ACTOR_HEADERS: Record<Actor, string | undefined> = {
  anonymous: undefined,
  reader: as.reader,
  owner: as.owner,
  owner2: as.owner2,
  approver: as.approver,
  approver2: as.approver2,
  job: as.job,
  jobExample: as.jobExample,
  approverOwner: as.approverOwner,
  otherTeam: as.otherTeam,
};

/** The example portal's rules, as a policy: readers read, owners change, approvers decide. */
const testPolicy = createBackendModule({
  pluginId: 'permission',
  moduleId: 'cutover-test-policy',
  register(reg) {
    reg.registerInit({
      deps: { policy: policyExtensionPoint },
      async init({ policy }) {
        policy.setPolicy({
          async handle(
            req: PolicyQuery,
            user?: PolicyQueryUser,
          ): Promise<PolicyDecision> {
            const p = req.permission;
            if (!user) return { result: AuthorizeResult.DENY };
            const claims = user.info.ownershipEntityRefs;
            if (
              user.info.userEntityRef === 'user:default/carl-contractor' &&
              isPermission(p, cutoverMigrationReadPermission)
            ) {
              return createCutoverMigrationConditionalDecision(
                p,
                cutoverMigrationConditions.isMigrationOwner({ claims }),
              );
            }
            if (
              isPermission(p, cutoverMigrationReadPermission) ||
              isPermission(p, cutoverReportReadPermission) ||
              isPermission(p, cutoverMigrationCreatePermission)
            ) {
              return { result: AuthorizeResult.ALLOW };
            }
            if (isPermission(p, cutoverApprovalDecidePermission)) {
              return createCutoverMigrationConditionalDecision(
                p,
                cutoverMigrationConditions.isMigrationApprover({ claims }),
              );
            }
            if ('resourceType' in p) {
              return createCutoverMigrationConditionalDecision(
                p as typeof cutoverApprovalDecidePermission,
                cutoverMigrationConditions.isMigrationOwner({ claims }),
              );
            }
            return { result: AuthorizeResult.DENY };
          },
        });
      },
    });
  },
});

const userInfoWithGroups = createServiceFactory({
  service: coreServices.userInfo,
  deps: {},
  factory: () => ({
    async getUserInfo(credentials) {
      const principal = credentials.principal as {
        type: string;
        userEntityRef?: string;
      };
      if (principal.type !== 'user' || !principal.userEntityRef) {
        throw new NotFoundError('not a user');
      }
      return {
        userEntityRef: principal.userEntityRef,
        ownershipEntityRefs: [
          principal.userEntityRef,
          ...(TEST_MEMBERSHIP[principal.userEntityRef] ?? []),
        ],
      };
    },
  }),
});

/**
 * Backstage's mock auth, except that a user's on-behalf-of token carries the calling plugin as
 * actor, as the real auth service does; the permission backend needs that to answer conditional
 * decisions for users.
 */
const authWithActors = createServiceFactory({
  service: coreServices.auth,
  deps: { plugin: coreServices.pluginMetadata },
  factory({ plugin }) {
    const inner = mockServices.auth({ pluginId: plugin.getId() });
    return {
      getNoneCredentials: () => inner.getNoneCredentials(),
      getOwnServiceCredentials: () => inner.getOwnServiceCredentials(),
      isPrincipal: inner.isPrincipal.bind(inner) as typeof inner.isPrincipal,
      getPluginRequestToken: o => inner.getPluginRequestToken(o),
      getLimitedUserToken: c => inner.getLimitedUserToken(c),
      listPublicServiceKeys: () => inner.listPublicServiceKeys(),
      async authenticate(token, options) {
        const credentials = await inner.authenticate(token, options);
        const prefix = 'mock-service-token:';
        const principal = credentials.principal as {
          type: string;
          userEntityRef?: string;
          subject?: string;
        };
        // The example portal's jobs' token carries its app-config access restrictions.
        if (
          principal.type === 'service' &&
          principal.subject === EXAMPLE_JOB_SUBJECT
        ) {
          return mockCredentials.service(
            EXAMPLE_JOB_SUBJECT,
            exampleJobRestrictions(),
          ) as any;
        }
        if (token.startsWith(prefix) && principal.type === 'user') {
          return mockCredentials.user(principal.userEntityRef, {
            actor: { subject: 'plugin:cutover' },
          }) as any;
        }
        return credentials;
      },
    };
  },
});

/** Reads bearer tokens with the auth service above (the mock httpAuth has its own, actor-less one). */
const httpAuthWithActors = createServiceFactory({
  service: coreServices.httpAuth,
  deps: { auth: coreServices.auth },
  factory({ auth }) {
    return {
      async credentials(req: any, options?: { allow?: string[] }) {
        const header = req.headers.authorization;
        const token =
          typeof header === 'string'
            ? header.match(/^Bearer[ ]+(\S+)$/i)?.[1]
            : undefined;
        const credentials = token
          ? await auth.authenticate(token)
          : await auth.getNoneCredentials();
        const type = (credentials.principal as { type: string }).type;
        if (options?.allow && !options.allow.includes(type)) {
          if (type === 'none')
            throw new AuthenticationError('Missing credentials');
          throw new NotAllowedError(
            `This endpoint does not allow '${type}' credentials`,
          );
        }
        return credentials as any;
      },
      async issueUserCookie() {
        return { expiresAt: new Date(Date.now() + 3600_000) };
      },
    };
  },
});

/** Notifications sent during a test, as the notifications plugin would receive them. */
export interface SentNotification {
  recipients: { type: string; entityRef?: string | string[] };
  payload: {
    title: string;
    description?: string;
    link?: string;
    severity?: string;
    topic?: string;
  };
}

/** Records notifications instead of delivering them (the notifications backend isn't under test). */
function recordingNotifications(sent: SentNotification[]) {
  return createServiceFactory({
    service: notificationService,
    deps: {},
    factory: () => ({
      async send(options: any) {
        sent.push(JSON.parse(JSON.stringify(options)));
      },
    }),
  });
}

/** Hands the test the cutover plugin's scheduler, to trigger its tasks. */
function schedulerProbe(holder: { scheduler?: SchedulerService }) {
  return createBackendModule({
    pluginId: 'cutover',
    moduleId: 'test-scheduler-probe',
    register(reg) {
      reg.registerInit({
        deps: { scheduler: coreServices.scheduler },
        async init({ scheduler }) {
          holder.scheduler = scheduler;
        },
      });
    },
  });
}

/**
 * The clock of a test backend. It follows the system clock until a test sets or advances it, so
 * that what a test computes from "now" and what the backend computes agree.
 */
export class TestClock implements CutoverClock {
  private offsetMs = 0;
  private pinnedAt?: number;

  now(): number {
    return this.pinnedAt ?? Date.now() + this.offsetMs;
  }

  /** Moves time forward (or back, with a negative amount); a pinned clock stays pinned. */
  advance(ms: number): this {
    if (this.pinnedAt !== undefined) this.pinnedAt += ms;
    else this.offsetMs += ms;
    return this;
  }

  /** Stops the clock at `at` until `advance` or `release`. */
  pin(at: number | string | Date = this.now()): this {
    this.pinnedAt = typeof at === 'number' ? at : new Date(at).getTime();
    return this;
  }

  /** Lets time run again from where it stands. */
  release(): this {
    if (this.pinnedAt !== undefined) this.offsetMs = this.pinnedAt - Date.now();
    this.pinnedAt = undefined;
    return this;
  }

  /** `now` moved by `ms`, as an ISO string: plans and samples in tests are laid out with it. */
  iso(ms = 0): string {
    return new Date(this.now() + ms).toISOString();
  }
}

/** Starts a backend with the cutover plugin, the real permission backend and the test policy. */
export async function startCutoverBackend(options: {
  knex: Knex;
  config?: Record<string, unknown>;
  extraFeatures?: Parameters<typeof startTestBackend>[0]['features'];
  /** The clock the plugin reads; a fresh one that follows the system clock when not given. */
  clock?: TestClock;
  /** The catalog's entities; the test users and groups when not given. */
  catalogEntities?: Entity[];
}) {
  const clock = options.clock ?? new TestClock();
  const notifications: SentNotification[] = [];
  const probe: { scheduler?: SchedulerService } = {};
  const backend = await startTestBackend({
    features: [
      schedulerProbe(probe),
      recordingNotifications(notifications),
      cutoverPlugin,
      permissionBackend,
      testPolicy,
      userInfoWithGroups,
      authWithActors,
      httpAuthWithActors,
      createServiceFactory({
        service: cutoverClockServiceRef,
        deps: {},
        factory: () => clock,
      }),
      mockServices.database.factory({ knex: options.knex }),
      catalogServiceMock.factory({
        entities: options.catalogEntities ?? testCatalogEntities(),
      }),
      mockServices.rootConfig.factory({
        data: withTestConnections({
          permission: { enabled: true },
          ...(options.config ?? {}),
        }),
      }),
      ...(options.extraFeatures ?? []),
    ],
  });
  // Stopped when the test that started it ends, before its database closes.
  closeWhenTheTestEnds(() => backend.stop());
  return {
    backend,
    server: backend.server,
    api: () => request(backend.server),
    notifications,
    clock,
    /** The cutover plugin's (mock) scheduler: `triggerTask(id)` runs a task now. */
    scheduler: probe.scheduler!,
  };
}

/** Adds the declarations of the tests' connection names to a config (its own entries win). */
function withTestConnections(config: Record<string, any>): Record<string, any> {
  const cutover = config.cutover ?? {};
  return {
    ...config,
    cutover: {
      ...cutover,
      connections: {
        ...TEST_CONNECTION_DECLARATIONS,
        ...(cutover.connections ?? {}),
      },
    },
  };
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** The moment test plans are laid out from: fixed per test file, so a plan applied twice is the same plan. */
const PLAN_ANCHOR = Date.now();

/**
 * A small valid plan, laid out around `now`: it started an hour ago and ends in nineteen days, so
 * that no test is "behind plan" because of the date it runs on. Override what a test needs.
 */
export function testPlan(
  overrides: Partial<MigrationPlan> = {},
  now: number = PLAN_ANCHOR,
): MigrationPlan {
  const at = (ms: number) => new Date(now + ms).toISOString();
  return {
    id: 'orders-v2',
    title: 'Orders database to PostgreSQL',
    description: 'Move the orders domain off the legacy database',
    owner: 'group:default/orders-team',
    approvers: 'group:default/cutover-approvers',
    entityRefs: ['component:default/orders-service'],
    plannedStart: at(-HOUR),
    plannedEnd: at(19 * DAY),
    datasets: [
      {
        name: 'customers',
        tier: 1,
        category: 'master',
        table: 'customers',
        keyColumns: ['id'],
        totalRecords: 1000,
      },
      {
        name: 'orders',
        tier: 2,
        category: 'transactional',
        table: 'orders',
        keyColumns: ['id'],
        totalRecords: 4000,
      },
    ],
    phases: [],
    milestones: [],
    ...overrides,
  };
}

/**
 * Gives a migration a current cutover approval, as people would: every checklist item people
 * decide is marked passed by the owner, the owner requests approval and an approver from outside
 * the owning team approves. The migration's data must already make it GO (or GO_WITH_CAUTION).
 */
export async function approveCutover(
  api: () => request.Agent,
  migrationId: string,
) {
  const m = `/api/cutover/migrations/${migrationId}`;
  const checklist = (
    await api().get(`${m}/checklist`).set('authorization', as.owner)
  ).body;
  for (const item of checklist.categories.flatMap((c: any) => c.items)) {
    if (item.automated || item.status === 'PASS') continue;
    const res = await api()
      .patch(`${m}/checklist/${item.id}`)
      .set('authorization', as.owner)
      .send({ status: 'PASS', notes: 'checked in rehearsal' });
    if (res.status !== 200)
      throw new Error(
        `marking ${item.id}: ${res.status} ${JSON.stringify(res.body)}`,
      );
  }
  const requested = await api()
    .post(`${m}/approval-requests`)
    .set('authorization', as.owner)
    .send({ comments: 'ready' });
  if (requested.status !== 201 && requested.status !== 409) {
    throw new Error(
      `requesting approval: ${requested.status} ${JSON.stringify(
        requested.body,
      )}`,
    );
  }
  const decided = await api()
    .post(`${m}/approvals`)
    .set('authorization', as.approver)
    .send({ decision: 'APPROVED', comments: 'go' });
  if (decided.status !== 201)
    throw new Error(
      `approving: ${decided.status} ${JSON.stringify(decided.body)}`,
    );
}
