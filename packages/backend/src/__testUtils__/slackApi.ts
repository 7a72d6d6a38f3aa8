import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';

/** A message posted through `chat.postMessage`, as Slack's API received it. */
export interface PostedSlackMessage {
  channel: string;
  text: string;
  /** The URL of the message's "View More" button (the notification's link). */
  link: string | undefined;
  /** The severity and topic lines of the message. */
  context: string[];
}

const API = 'https://slack.com/api';

/**
 * Plays Slack's Web API (`users.lookupByEmail`, `chat.postMessage`) for the Slack notification
 * module. The module builds its `WebClient` with the token alone, so it always calls
 * https://slack.com/api/: the requests are answered at the HTTP layer of this process (msw),
 * after the real client has encoded them as it would for Slack. Other requests pass through.
 */
export function playSlackApi(options: {
  token: string;
  /** Slack user ids by email address. */
  users: Record<string, string>;
}) {
  const posted: PostedSlackMessage[] = [];
  const lookups: string[] = [];
  let ts = 0;
  const read = async (request: Request) => {
    if (request.headers.get('authorization') !== `Bearer ${options.token}`) {
      return undefined;
    }
    return new URLSearchParams(await request.text());
  };
  const server = setupServer(
    http.post(`${API}/users.lookupByEmail`, async ({ request }) => {
      const form = await read(request);
      if (!form) return HttpResponse.json({ ok: false, error: 'invalid_auth' });
      const email = form.get('email') ?? '';
      lookups.push(email);
      const id = options.users[email];
      return HttpResponse.json(
        id
          ? { ok: true, user: { id, profile: { email } } }
          : { ok: false, error: 'users_not_found' },
      );
    }),
    http.post(`${API}/chat.postMessage`, async ({ request }) => {
      const form = await read(request);
      if (!form) return HttpResponse.json({ ok: false, error: 'invalid_auth' });
      const channel = form.get('channel') ?? '';
      const attachments = JSON.parse(form.get('attachments') ?? '[]');
      const blocks: any[] = attachments[0]?.blocks ?? [];
      posted.push({
        channel,
        text: form.get('text') ?? '',
        link: blocks.find(b => b.type === 'section')?.accessory?.url,
        context:
          blocks
            .find(b => b.type === 'context')
            ?.elements.map((e: { text: string }) => e.text) ?? [],
      });
      ts += 1;
      return HttpResponse.json({
        ok: true,
        channel,
        ts: `1000000${ts}.000100`,
      });
    }),
  );
  server.listen({ onUnhandledRequest: 'bypass' });

  return {
    posted,
    lookups,
    /** Waits until `count` messages with this text have been posted, and returns them. */
    async waitFor(
      text: string,
      count: number,
      timeoutMs = 15_000,
    ): Promise<PostedSlackMessage[]> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const matching = posted.filter(p => p.text === text);
        if (matching.length >= count) return matching;
        if (Date.now() > deadline) {
          throw new Error(
            `Expected ${count} Slack message(s) "${text}", got ${
              matching.length
            }; all posted: ${JSON.stringify(posted.map(p => p.text))}`,
          );
        }
        await new Promise(resolve => setTimeout(resolve, 50));
      }
    },
    close: () => server.close(),
  };
}
