import emailModule from '@backstage/plugin-notifications-backend-module-email';
// The cutover backend's test harness is no published entry point: reused from its source.
// eslint-disable-next-line @backstage/no-relative-monorepo-imports
import { cutoverTestDatabases } from '../../../plugins/cutover-backend/src/__testUtils__/databases';
// eslint-disable-next-line @backstage/no-relative-monorepo-imports
import { testPlan } from '../../../plugins/cutover-backend/src/__testUtils__/backend';
import {
  emailOf,
  membersOf,
  PORTAL_URL,
  startPortalBackend,
} from './__testUtils__/portalBackend';
import { ReceivedMail, startSmtpSink } from './__testUtils__/smtpSink';

/*
 * Notifications that arrive: the cutover plugin sends through Backstage's notifications backend,
 * which resolves groups to their members in the catalog; the email module looks each user's
 * address up in the catalog and mails it to a real SMTP server listening in this process.
 */

jest.setTimeout(120_000);

const databases = cutoverTestDatabases();
const SENDER = 'switchyard@switchyard.example';
const SMTP_LOGIN = { username: 'switchyard-relay', password: 'relay-secret' };
const MINUTE = 60_000;
const m = '/api/cutover/migrations/orders-v2';
const TITLE = 'Orders database to PostgreSQL';
const OWNERS = 'group:default/orders-team';
const APPROVERS = 'group:default/cutover-approvers';

/** The addresses of these users and of the members of these groups, sorted. */
function addressesOf(...refs: string[]): string[] {
  const users = refs.flatMap(ref =>
    ref.startsWith('group:') ? membersOf(ref) : [ref],
  );
  return [...new Set(users.map(emailOf))].sort();
}

/** Checks what every message of one notification shows: sender, login, one recipient, link. */
function expectDelivered(mails: ReceivedMail[], to: string[], link: string) {
  expect(
    mails
      .map(r => r.envelope.to)
      .flat()
      .sort(),
  ).toEqual(to);
  for (const r of mails) {
    expect(r.envelope.to).toHaveLength(1);
    expect(r.mail.to).toMatchObject({ text: r.envelope.to[0] });
    expect(r.envelope.from).toBe(SENDER);
    expect(r.mail.from?.text).toBe(SENDER);
    expect(r.user).toBe(SMTP_LOGIN.username);
    expect(r.mail.text).toContain(link);
    expect(r.mail.html).toContain(`<a href="${link}">`);
  }
}

describe.each(databases.eachSupportedId())(
  'notifications by email on %s',
  databaseId => {
    it('mails the approval request, the SLA escalation and the scheduled report to the users the catalog resolves', async () => {
      const smtp = await startSmtpSink(SMTP_LOGIN);
      let portal: Awaited<ReturnType<typeof startPortalBackend>> | undefined;
      try {
        portal = await startPortalBackend({
          newDatabase: () => databases.init(databaseId),
          modules: [emailModule],
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
                  throttleInterval: { milliseconds: 10 },
                },
              },
            },
            cutover: { alerts: { sla: { CRITICAL: { minutes: 30 } } } },
          },
        });
        const { api, clock, scheduler } = portal;
        const owner = await portal.signIn('olivia-owner');
        const tab = (name: string) =>
          `${PORTAL_URL}/catalog/default/component/orders-service/${name}`;

        expect(
          (await api().put(m).set('authorization', owner).send(testPlan()))
            .status,
        ).toBe(201);

        // The owner asks for approval: every member of the approvers group gets a mail.
        const requested = await api()
          .post(`${m}/approval-requests`)
          .set('authorization', owner)
          .send({ comments: 'Tier 1 is imported and reconciled.' });
        expect(requested.status).toBe(201);
        const approval = await smtp.waitFor(
          `Cutover approval requested: ${TITLE}`,
          2,
        );
        expectDelivered(approval, addressesOf(APPROVERS), tab('readiness'));
        expect(approval[0].mail.text).toContain(
          'user:default/olivia-owner asks for approval to cut over "Orders database to PostgreSQL". Tier 1 is imported and reconciled.',
        );

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
        expectDelivered(
          await smtp.waitFor('CRITICAL alert: Loader crashed', 2),
          addressesOf(OWNERS),
          tab('migration'),
        );
        const assigned = await api()
          .post(`${m}/alerts/${raised.body.id}/assign`)
          .set('authorization', owner)
          .send({ assignedTo: 'user:default/bob-billing' });
        expect(assigned.status).toBe(200);
        expectDelivered(
          await smtp.waitFor('Alert assigned to you: Loader crashed', 1),
          addressesOf('user:default/bob-billing'),
          tab('migration'),
        );

        clock.advance(31 * MINUTE);
        await scheduler.triggerTask('cutover-alerts');
        const overdue = await smtp.waitFor(
          'Overdue CRITICAL alert: Loader crashed',
          3,
        );
        expectDelivered(
          overdue,
          addressesOf('user:default/bob-billing', OWNERS),
          tab('migration'),
        );
        expect(overdue[0].mail.text).toContain(
          `the deadline was ${raised.body.targetResolutionTime}`,
        );

        // One SLA period later, the escalation reaches the approvers (no escalation group is set).
        clock.advance(30 * MINUTE);
        await scheduler.triggerTask('cutover-alerts');
        expectDelivered(
          await smtp.waitFor('Escalated CRITICAL alert: Loader crashed', 2),
          addressesOf(APPROVERS),
          tab('migration'),
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
            recipients: ['group:default/readers', 'user:default/bob-billing'],
          });
        expect(schedule.status).toBe(201);
        clock.advance(Date.parse(schedule.body.nextRunAt) - clock.now() + 1000);
        await scheduler.triggerTask('cutover-report-dispatcher');
        const report = await smtp.waitFor(`Executive summary: ${TITLE}`, 2);
        const delivered = await api()
          .get(`${m}/report-schedules/${schedule.body.id}`)
          .set('authorization', owner);
        expect(delivered.body.lastReportUrl).toMatch(
          /^\/catalog\/default\/component\/orders-service\/migration\?migration=orders-v2&report=[0-9a-f-]{36}$/,
        );
        expectDelivered(
          report,
          addressesOf('group:default/readers', 'user:default/bob-billing'),
          `${PORTAL_URL}${delivered.body.lastReportUrl}`,
        );

        // Nothing else was mailed, and nothing twice.
        expect(smtp.received.map(r => r.subject).sort()).toEqual(
          [
            ...Array(2).fill(`Cutover approval requested: ${TITLE}`),
            ...Array(2).fill('CRITICAL alert: Loader crashed'),
            'Alert assigned to you: Loader crashed',
            ...Array(3).fill('Overdue CRITICAL alert: Loader crashed'),
            ...Array(2).fill('Escalated CRITICAL alert: Loader crashed'),
            ...Array(2).fill(`Executive summary: ${TITLE}`),
          ].sort(),
        );
      } finally {
        await portal?.backend.stop();
        await smtp.close();
      }
    });
  },
);
