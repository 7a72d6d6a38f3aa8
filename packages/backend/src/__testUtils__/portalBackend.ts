import { authServiceFactory } from '@backstage/backend-defaults/auth';
import { httpAuthServiceFactory } from '@backstage/backend-defaults/httpAuth';
import { userInfoServiceFactory } from '@backstage/backend-defaults/userInfo';
import {
  coreServices,
  createBackendModule,
  createServiceFactory,
  SchedulerService,
} from '@backstage/backend-plugin-api';
import {
  createMockDirectory,
  mockServices,
  startTestBackend,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { parseEntityRef, RELATION_HAS_MEMBER } from '@backstage/catalog-model';
import authPlugin from '@backstage/plugin-auth-backend';
import oauth2ProxyProvider from '@backstage/plugin-auth-backend-module-oauth2-proxy-provider';
import catalogPlugin from '@backstage/plugin-catalog-backend';
import notificationsPlugin from '@backstage/plugin-notifications-backend';
import permissionPlugin from '@backstage/plugin-permission-backend';
import cutoverPlugin from '@switchyard/plugin-cutover-backend';
import { cutoverClockServiceRef } from '@switchyard/plugin-cutover-node';
import request from 'supertest';
// The cutover backend's test harness is no published entry point: reused from its source.
// eslint-disable-next-line @backstage/no-relative-monorepo-imports
import {
  TEST_MEMBERSHIP,
  TestClock,
} from '../../../../plugins/cutover-backend/src/__testUtils__/backend';
import emailTemplates from '../modules/emailTemplates';
import examplePolicy from '../modules/permissionPolicy';

/** The portal's frontend address; notifications link to pages under it. */
export const PORTAL_URL = 'http://portal.switchyard.example';

/** The mail domain of the test organisation's users. */
export const MAIL_DOMAIN = 'switchyard.example';

/** The email address the catalog gives a user entity ref of the test organisation. */
export function emailOf(userRef: string): string {
  return `${parseEntityRef(userRef).name}@${MAIL_DOMAIN}`;
}

/** The Slack user id of a user of the test organisation (Slack finds it by email address). */
export function slackIdOf(userRef: string): string {
  return `U${parseEntityRef(userRef).name.replace(/-/g, '').toUpperCase()}`;
}

/** The Slack channel a group's `slack.com/bot-notify` annotation names. */
export function slackChannelOf(groupRef: string): string {
  return `#${parseEntityRef(groupRef).name}`;
}

/** Members of each group of the test organisation (from the cutover tests' TEST_MEMBERSHIP). */
export function membersOf(groupRef: string): string[] {
  return Object.entries(TEST_MEMBERSHIP)
    .filter(([, groups]) => groups.includes(groupRef))
    .map(([user]) => user);
}

/**
 * The catalog of the test organisation: the users and groups the cutover tests act as
 * (TEST_MEMBERSHIP), each user with an email address, each group with its Slack channel, and
 * the component the test plan names.
 */
function orgEntities(): object[] {
  const groups = [...new Set(Object.values(TEST_MEMBERSHIP).flat())];
  return [
    ...Object.entries(TEST_MEMBERSHIP).map(([userRef, memberOf]) => ({
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'User',
      metadata: { name: parseEntityRef(userRef).name },
      spec: {
        profile: { email: emailOf(userRef) },
        memberOf: memberOf.map(g => parseEntityRef(g).name),
      },
    })),
    ...groups.map(groupRef => ({
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Group',
      metadata: {
        name: parseEntityRef(groupRef).name,
        annotations: { 'slack.com/bot-notify': slackChannelOf(groupRef) },
      },
      spec: { type: 'team', children: [] },
    })),
    {
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Component',
      metadata: { name: 'orders-service' },
      spec: { type: 'service', lifecycle: 'production', owner: 'orders-team' },
    },
  ];
}

/** Gives a fresh database (TestDatabases' `init`). */
type NewDatabase = () => ReturnType<TestDatabases['init']>;

/** Hands the test the cutover plugin's scheduler, to run its tasks now. */
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
 * A database of its own for every plugin, as the portal's database manager gives them: the
 * catalog, auth, notifications and cutover plugins each run their own Knex migrations.
 */
function databasePerPlugin(newDatabase: NewDatabase) {
  // One at a time: TestDatabases sets its engine up on the first `init`, and concurrent first
  // calls (plugins start in parallel) would each set one up and leave all but one open.
  let previous: Promise<unknown> = Promise.resolve();
  return createServiceFactory({
    service: coreServices.database,
    deps: {},
    async factory() {
      const next = previous.then(newDatabase);
      previous = next.catch(() => undefined);
      const knex = await next;
      return { getClient: async () => knex };
    },
  });
}

/**
 * Starts the example portal's notification path with real services: the catalog backend fed
 * from the test organisation's entities (a file location, as the portal's examples are), the
 * auth backend signing users in through the oauth2-proxy provider (so tokens carry the
 * ownership the catalog gives them), Backstage's auth, httpAuth and userInfo services, the
 * permission backend with the portal's own policy, the notifications backend with the portal's
 * email templates and the modules under test, and the cutover plugin on a test clock.
 */
export async function startPortalBackend(options: {
  newDatabase: NewDatabase;
  /** Configuration beside what the path needs (e.g. notifications.processors). */
  config: Record<string, unknown>;
  /** The notification processor modules under test. */
  modules: Parameters<typeof startTestBackend>[0]['features'];
  clock?: TestClock;
}) {
  const clock = options.clock ?? new TestClock();
  const probe: { scheduler?: SchedulerService } = {};
  const dir = createMockDirectory();
  dir.setContent({
    'org.yaml': orgEntities()
      .map(e => JSON.stringify(e))
      .join('\n---\n'),
  });
  const backend = await startTestBackend({
    features: [
      catalogPlugin,
      authPlugin,
      oauth2ProxyProvider,
      permissionPlugin,
      examplePolicy,
      notificationsPlugin,
      emailTemplates,
      ...(options.modules ?? []),
      cutoverPlugin,
      schedulerProbe(probe),
      authServiceFactory,
      httpAuthServiceFactory,
      userInfoServiceFactory,
      databasePerPlugin(options.newDatabase),
      createServiceFactory({
        service: cutoverClockServiceRef,
        deps: {},
        factory: () => clock,
      }),
      mockServices.rootConfig.factory({
        data: {
          app: { baseUrl: PORTAL_URL },
          auth: {
            environment: 'development',
            // The database key store dates signing keys by the database's clock and checks them
            // against the process's; in the suite's shifted-clock run (PostgreSQL keeps the real
            // time) every key would look expired. The memory store reads one clock.
            keyStore: { provider: 'memory' },
            providers: {
              oauth2Proxy: {
                signIn: {
                  resolvers: [
                    { resolver: 'forwardedUserMatchingUserEntityName' },
                  ],
                },
              },
            },
          },
          catalog: {
            rules: [{ allow: ['User', 'Group', 'Component', 'Location'] }],
            locations: [{ type: 'file', target: dir.resolve('org.yaml') }],
          },
          permission: { enabled: true },
          ...options.config,
        },
      }),
    ],
  });
  const api = () => request(backend.server);

  /** Signs a user in as the portal's proxy sign-in would; returns their Authorization header. */
  async function signIn(name: string): Promise<string> {
    const res = await api()
      .get('/api/auth/oauth2Proxy/refresh')
      .set('x-forwarded-user', name);
    if (res.status !== 200) {
      throw new Error(
        `Sign-in of ${name} failed: ${res.status} ${JSON.stringify(res.body)}`,
      );
    }
    return `Bearer ${res.body.backstageIdentity.token}`;
  }

  // The catalog processes the location in the background: wait until every user signs in with
  // their groups and every group lists its members, which is what notifications resolve.
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      const reader = await signIn('rita-reader');
      const ready = await Promise.all(
        [...new Set(Object.values(TEST_MEMBERSHIP).flat())].map(async g => {
          const { name } = parseEntityRef(g);
          const res = await api()
            .get(`/api/catalog/entities/by-name/group/default/${name}`)
            .set('authorization', reader);
          const members = (res.body.relations ?? []).filter(
            (r: { type: string }) => r.type === RELATION_HAS_MEMBER,
          );
          return members.length === membersOf(g).length;
        }),
      );
      if (ready.every(Boolean)) break;
    } catch (e) {
      if (Date.now() > deadline) throw e;
    }
    if (Date.now() > deadline) {
      throw new Error('The catalog did not resolve the test organisation');
    }
    await new Promise(resolve => setTimeout(resolve, 200));
  }

  return {
    backend,
    api,
    signIn,
    clock,
    /** The cutover plugin's (mock) scheduler: `triggerTask(id)` runs a task now. */
    scheduler: probe.scheduler!,
  };
}
