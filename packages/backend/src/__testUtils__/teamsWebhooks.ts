import { once } from 'node:events';
import http from 'node:http';
import { AddressInfo } from 'node:net';

/** A message posted to a Microsoft Teams incoming webhook, as the webhook received it. */
export interface TeamsPost {
  /** The webhook's path: which channel it stands for. */
  path: string;
  summary: string;
  /** The URL of the card's "Open in Backstage" action. */
  link: string | undefined;
}

/** Microsoft Teams incoming webhooks played by a local HTTP server; each path is one channel. */
export async function startTeamsWebhooks() {
  const posted: TeamsPost[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', c => chunks.push(c));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      const card = body.attachments?.[0]?.content;
      posted.push({
        path: req.url ?? '',
        summary: body.summary,
        link: card?.actions?.find(
          (a: { type: string }) => a.type === 'Action.OpenUrl',
        )?.url,
      });
      res.writeHead(200);
      res.end('1');
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;

  return {
    posted,
    url: (path: string) => `http://127.0.0.1:${port}${path}`,
    /** Waits until `count` posts with this summary have arrived, and returns them. */
    async waitFor(
      summary: string,
      count: number,
      timeoutMs = 15_000,
    ): Promise<TeamsPost[]> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const matching = posted.filter(p => p.summary === summary);
        if (matching.length >= count) return matching;
        if (Date.now() > deadline) {
          throw new Error(
            `Expected ${count} Teams post(s) "${summary}", got ${
              matching.length
            }; all posted: ${JSON.stringify(posted.map(p => p.summary))}`,
          );
        }
        await new Promise(resolve => setTimeout(resolve, 50));
      }
    },
    async close() {
      server.closeAllConnections();
      await new Promise(resolve => server.close(resolve));
    },
  };
}
