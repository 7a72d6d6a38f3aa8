import { NotificationSeverity } from '@backstage/plugin-notifications-common';
import { resolveNotificationLink } from '@backstage/plugin-notifications-node';
import { JsonObject } from '@backstage/types';

const SEVERITY_STYLE: Record<
  NotificationSeverity,
  { container: string; color: string }
> = {
  critical: { container: 'attention', color: 'Attention' },
  high: { container: 'warning', color: 'Warning' },
  normal: { container: 'accent', color: 'Accent' },
  low: { container: 'emphasis', color: 'Default' },
};

/** Makes a notification link absolute; undefined when that is impossible. */
export function absoluteLink(
  link: string | undefined,
  baseUrl: string | undefined,
): string | undefined {
  if (!link) {
    return undefined;
  }
  const resolved = baseUrl ? resolveNotificationLink(link, baseUrl) : link;
  try {
    const url = new URL(resolved ?? '');
    return url.protocol === 'https:' || url.protocol === 'http:'
      ? url.toString()
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Builds the Teams message: an Adaptive Card in a `message` envelope, the format
 * accepted by both Workflows and (legacy) connector incoming webhooks.
 */
export function buildTeamsMessage(options: {
  title: string;
  description?: string;
  link?: string;
  severity: NotificationSeverity;
  topic?: string;
}): JsonObject {
  const { title, description, link, severity, topic } = options;
  const style = SEVERITY_STYLE[severity];
  const facts: JsonObject[] = [{ title: 'Severity', value: severity }];
  if (topic) {
    facts.push({ title: 'Topic', value: topic });
  }
  const body: JsonObject[] = [
    {
      type: 'Container',
      style: style.container,
      bleed: true,
      items: [
        {
          type: 'TextBlock',
          text: title,
          size: 'Large',
          weight: 'Bolder',
          wrap: true,
        },
        {
          type: 'TextBlock',
          text: severity.toLocaleUpperCase('en-US'),
          color: style.color,
          weight: 'Bolder',
          spacing: 'None',
        },
      ],
    },
  ];
  if (description) {
    body.push({ type: 'TextBlock', text: description, wrap: true });
  }
  body.push({ type: 'FactSet', facts });

  const content: JsonObject = {
    $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
    type: 'AdaptiveCard',
    version: '1.4',
    msteams: { width: 'Full' },
    body,
  };
  if (link) {
    content.actions = [
      { type: 'Action.OpenUrl', title: 'Open in Backstage', url: link },
    ];
  }
  return {
    type: 'message',
    summary: title,
    attachments: [
      {
        contentType: 'application/vnd.microsoft.card.adaptive',
        contentUrl: null,
        content,
      },
    ],
  };
}
