import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { notificationsEmailTemplateExtensionPoint } from '@backstage/plugin-notifications-backend-module-email';
import { Notification } from '@backstage/plugin-notifications-common';
import { resolveNotificationLink } from '@backstage/plugin-notifications-node';
import escapeHtml from 'escape-html';

/**
 * Renders notification emails as the email module does (the description, then the link to the
 * portal page), with the text escaped in the HTML part. The module's own renderer puts the
 * description into the HTML as it is, and descriptions carry text users and jobs wrote (approval
 * comments, alert titles and messages): an error message such as "expected <int>" would vanish,
 * and markup in a comment would reach the approvers' mail as markup.
 */
export function renderNotificationEmail(
  notification: Notification,
  frontendBaseUrl: string,
): { subject: string; text: string; html: string } {
  const { title, description, link } = notification.payload;
  const url =
    resolveNotificationLink(link, frontendBaseUrl) ??
    `${frontendBaseUrl}/notifications`;
  const parts = description ? [description, url] : [url];
  return {
    subject: title,
    text: parts.join('\n\n'),
    html: `<p>${[
      ...(description ? [escapeHtml(description)] : []),
      `<a href="${escapeHtml(url)}">${escapeHtml(url)}</a>`,
    ].join('<br/>')}</p>`,
  };
}

/** Installs {@link renderNotificationEmail} as the email module's template renderer. */
export default createBackendModule({
  pluginId: 'notifications',
  moduleId: 'switchyard-email-templates',
  register(reg) {
    reg.registerInit({
      deps: {
        config: coreServices.rootConfig,
        emailTemplates: notificationsEmailTemplateExtensionPoint,
      },
      async init({ config, emailTemplates }) {
        const baseUrl = config.getString('app.baseUrl');
        emailTemplates.setTemplateRenderer({
          getSubject: async n => renderNotificationEmail(n, baseUrl).subject,
          getText: async n => renderNotificationEmail(n, baseUrl).text,
          getHtml: async n => renderNotificationEmail(n, baseUrl).html,
        });
      },
    });
  },
});
