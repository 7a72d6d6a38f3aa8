import emailModule from '@backstage/plugin-notifications-backend-module-email';
import slackModule from '@backstage/plugin-notifications-backend-module-slack';
import teamsModule from '@switchyard/plugin-notifications-backend-module-msteams';
// The cutover backend's test harness is no published entry point: reused from its source.
// eslint-disable-next-line @backstage/no-relative-monorepo-imports
import { cutoverTestDatabases } from '../../../plugins/cutover-backend/src/__testUtils__/databases';
// eslint-disable-next-line @backstage/no-relative-monorepo-imports
import { testPlan } from '../../../plugins/cutover-backend/src/__testUtils__/backend';
import {
  emailOf,
  membersOf,
  PORTAL_URL,
  slackChannelOf,
  slackIdOf,
  startPortalBackend,
} from './__testUtils__/portalBackend';
import { playSlackApi } from './__testUtils__/slackApi';
import { startSmtpSink } from './__testUtils__/smtpSink';
import { startTeamsWebhooks } from './__testUtils__/teamsWebhooks';

/*
 * Notifications that arrive. The cutover plugin sends through Backstage's notifications backend,
 * which resolves groups to their members in the catalog. The email module looks each user's
 * address up in the catalog and mails it to a real SMTP server listening in this process. The
 * Slack module posts to the channel a group's annotation names and messages users who are
 * recipients themselves, found by their catalog email address, through the Slack Web API. The
 * Microsoft Teams module posts to the incoming webhooks whose groups or topics match.
 */

jest.setTimeout(120_000);

const databases = cutoverTestDatabases();
const SENDER = 'switchyard@switchyard.example';
const SMTP_LOGIN = { username: 'switchyard-relay', password: 'relay-secret' };
const SLACK_TOKEN = 'xoxb-switchyard-test';
const MINUTE = 60_000;
const m = '/api/cutover/migrations/orders-v2';
const TITLE = 'Orders database to PostgreSQL';
const OWNERS = 'group:default/orders-team';
const APPROVERS = 'group:default/cutover-approvers';
const READERS = 'group:default/readers';
const BOB = 'user:default/bob-billing';

/** The addresses of these users and of the members of these groups, sorted. */
function addressesOf(...refs: string[]): string[] {
  const users = refs.flatMap(ref =>
    ref.startsWith('group:') ? membersOf(ref) : [ref],
  );
  return [...new Set(users.map(emailOf))].sort();
}

/** Where Slack messages for these recipients go: a group's channel, a user's direct messages. */
function slackDestinationsOf(...refs: string[]): string[] {
  return refs
    .map(ref =>
      ref.startsWith('group:') ? slackChannelOf(ref) : slackIdOf(ref),
    )
    .sort();
}

describe.each(databases.eachSupportedId())(
  'notifications by email, Slack and Microsoft Teams on %s',
  databaseId => {
    it('delivers the approval request, the SLA escalation and the scheduled report to the people the catalog resolves', async () => {
      const smtp = await startSmtpSink(SMTP_LOGIN);
      const slack = playSlackApi({
        token: SLACK_TOKEN,
        users: Object.fromEntries(
          [APPROVERS, OWNERS, READERS]
            .flatMap(membersOf)
            .concat(BOB)
            .map(u => [emailOf(u), slackIdOf(u)]),
        ),
      });
      const teams = await startTeamsWebhooks();
      let portal: Awaited<ReturnType<typeof startPortalBackend>> | undefined;
      try {
        portal = await startPortalBackend({
          newDatabase: () => databases.init(databaseId),
          modules: [emailModule, slackModule, teamsModule],
          config: {
            notifications: {
              processors: {
                email: {
                  transportConfig: {
                    transport: 'smtp',
                    hostname: '127.0.0.1',
                    port: smtp.port,
                    secure: false,
                    ...SMTP_LOGIN,
                  },
                  sender: SENDER,
                  allowedEmailDomains: ['switchyard.example'],
                  throttleInterval: { milliseconds: 10 },
                },
                msteams: {
                  webhooks: [
                    { url: teams.url('/approvers'), groups: [APPROVERS] },
                    { url: teams.url('/orders-team'), groups: [OWNERS] },
                    {
                      url: teams.url('/reports'),
                      topics: ['cutover:orders-v2:reports'],
                    },
                  ],
                },
                slack: [
                  {
                    token: SLACK_TOKEN,
                    username: 'Switchyard',
                    throttleInterval: { milliseconds: 10 },
                  },
                ],
              },
            },
            cutover: { alerts: { sla: { CRITICAL: { minutes: 30 } } } },
          },
        });
        const { api, clock, scheduler } = portal;
        const owner = await portal.signIn('olivia-owner');
        const tab = (name: string) =>
          `${PORTAL_URL}/catalog/default/component/orders-service/${name}`;

        /**
         * Waits for one notification on every channel and checks it: a mail to each user behind
         * the recipients (sent by the configured sender, through the relay login, with the link),
         * a Slack message to each group's channel and each user recipient, and a Teams post to
         * each matching webhook.
         */
        const arrives = async (
          title: string,
          recipients: string[],
          link: string,
          severity: string,
          teamsWebhooks: string[],
        ) => {
          const to = addressesOf(...recipients);
          const mails = await smtp.waitFor(title, to.length);
          expect(mails.flatMap(r => r.envelope.to).sort()).toEqual(to);
          for (const r of mails) {
            expect(r.envelope.to).toHaveLength(1);
            expect(r.mail.to).toMatchObject({ text: r.envelope.to[0] });
            expect(r.envelope.from).toBe(SENDER);
            expect(r.mail.from?.text).toBe(SENDER);
            expect(r.user).toBe(SMTP_LOGIN.username);
            expect(r.mail.text).toContain(link);
            expect(r.mail.html).toContain(
              `<a href="${link.replace(/&/g, '&amp;')}">`,
            );
          }
          const destinations = slackDestinationsOf(...recipients);
          const posts = await slack.waitFor(title, destinations.length);
          expect(posts.map(p => p.channel).sort()).toEqual(destinations);
          for (const post of posts) {
            expect(post.link).toBe(link);
            expect(post.context).toContain(`Severity: ${severity}`);
          }
          const cards = await teams.waitFor(title, teamsWebhooks.length);
          expect(cards.map(c => c.path).sort()).toEqual(teamsWebhooks.sort());
          for (const card of cards) expect(card.link).toBe(link);
          return { mails, posts };
        };

        expect(
          (await api().put(m).set('authorization', owner).send(testPlan()))
            .status,
        ).toBe(201);

        // The owner asks for approval: the approvers hear of it.
        const requested = await api()
          .post(`${m}/approval-requests`)
          .set('authorization', owner)
          .send({ comments: 'Tier 1 is in & reconciled (drift < 0.01%).' });
        expect(requested.status).toBe(201);
        const approval = await arrives(
          `Cutover approval requested: ${TITLE}`,
          [APPROVERS],
          tab('readiness'),
          'high',
          ['/approvers'],
        );
        // Text people and jobs wrote reaches the mail as text, escaped in its HTML part.
        const asked =
          'user:default/olivia-owner asks for approval to cut over "Orders database to PostgreSQL".';
        for (const { mail } of approval.mails) {
          expect(mail.text).toContain(
            `${asked} Tier 1 is in & reconciled (drift < 0.01%).`,
          );
          expect(mail.html).toContain(
            'user:default/olivia-owner asks for approval to cut over &quot;Orders database to PostgreSQL&quot;. Tier 1 is in &amp; reconciled (drift &lt; 0.01%).',
          );
        }

        // A critical alert, assigned to someone outside the owning team, passes its deadline.
        const raised = await api()
          .post(`${m}/alerts`)
          .set('authorization', owner)
          .send({
            alertType: 'ERROR',
            severity: 'CRITICAL',
            title: 'Loader crashed',
            dataset: 'orders',
          });
        expect(raised.status).toBe(201);
        await arrives(
          'CRITICAL alert: Loader crashed',
          [OWNERS],
          tab('migration'),
          'critical',
          ['/orders-team'],
        );
        const assigned = await api()
          .post(`${m}/alerts/${raised.body.id}/assign`)
          .set('authorization', owner)
          .send({ assignedTo: BOB });
        expect(assigned.status).toBe(200);
        await arrives(
          'Alert assigned to you: Loader crashed',
          [BOB],
          tab('migration'),
          'critical',
          [],
        );

        clock.advance(31 * MINUTE);
        await scheduler.triggerTask('cutover-alerts');
        const overdue = await arrives(
          'Overdue CRITICAL alert: Loader crashed',
          [BOB, OWNERS],
          tab('migration'),
          'critical',
          ['/orders-team'],
        );
        expect(overdue.mails[0].mail.text).toContain(
          `the deadline was ${raised.body.targetResolutionTime}`,
        );

        // One SLA period later, the escalation reaches the approvers (no escalation group is set).
        clock.advance(30 * MINUTE);
        await scheduler.triggerTask('cutover-alerts');
        await arrives(
          'Escalated CRITICAL alert: Loader crashed',
          [APPROVERS],
          tab('migration'),
          'critical',
          ['/approvers'],
        );

        // A daily report to a group and a user, delivered when its slot comes.
        const schedule = await api()
          .post(`${m}/report-schedules`)
          .set('authorization', owner)
          .send({
            name: 'Daily status',
            reportType: 'EXECUTIVE',
            format: 'PDF',
            frequency: 'DAILY',
            time: '07:30',
            timezone: 'Europe/Berlin',
            recipients: [READERS, BOB],
          });
        expect(schedule.status).toBe(201);
        clock.advance(Date.parse(schedule.body.nextRunAt) - clock.now() + 1000);
        await scheduler.triggerTask('cutover-report-dispatcher');
        const delivered = await api()
          .get(`${m}/report-schedules/${schedule.body.id}`)
          .set('authorization', owner);
        expect(delivered.body.lastReportUrl).toMatch(
          /^\/catalog\/default\/component\/orders-service\/migration\?migration=orders-v2&report=[0-9a-f-]{36}$/,
        );
        await arrives(
          `Executive summary: ${TITLE}`,
          [READERS, BOB],
          `${PORTAL_URL}${delivered.body.lastReportUrl}`,
          'normal',
          ['/reports'],
        );

        // Nothing else was sent, and nothing twice; Slack found users by their catalog address.
        const expected = {
          [`Cutover approval requested: ${TITLE}`]: [[APPROVERS], 1],
          'CRITICAL alert: Loader crashed': [[OWNERS], 1],
          'Alert assigned to you: Loader crashed': [[BOB], 0],
          'Overdue CRITICAL alert: Loader crashed': [[BOB, OWNERS], 1],
          'Escalated CRITICAL alert: Loader crashed': [[APPROVERS], 1],
          [`Executive summary: ${TITLE}`]: [[READERS, BOB], 1],
        } as const;
        const each = (count: (refs: string[], cards: number) => number) =>
          Object.entries(expected)
            .flatMap(([title, [refs, cards]]) =>
              Array(count([...refs], cards)).fill(title),
            )
            .sort();
        expect(smtp.received.map(r => r.subject).sort()).toEqual(
          each(refs => addressesOf(...refs).length),
        );
        expect(slack.posted.map(p => p.text).sort()).toEqual(
          each(refs => refs.length),
        );
        expect(teams.posted.map(p => p.summary).sort()).toEqual(
          each((_, cards) => cards),
        );
        expect([...new Set(slack.lookups)]).toEqual([emailOf(BOB)]);
      } finally {
        await portal?.backend.stop();
        slack.close();
        await teams.close();
        await smtp.close();
      }
    });
  },
);
