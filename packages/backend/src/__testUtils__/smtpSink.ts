import { AddressInfo } from 'node:net';
import { simpleParser, ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

/** A message the SMTP server accepted: the parsed mail, its envelope and who logged in to send it. */
export interface ReceivedMail {
  mail: ParsedMail;
  subject: string;
  /** The envelope's sender and recipients (RCPT TO), as the server saw them. */
  envelope: { from: string; to: string[] };
  /** The user the client authenticated as. */
  user: string | undefined;
}

/**
 * A real SMTP server on a random local port (the `smtp-server` package) that keeps every message
 * it receives. It requires the given login, as a relay in production would, and offers no
 * STARTTLS: the test client would refuse its self-signed certificate.
 */
export async function startSmtpSink(login: {
  username: string;
  password: string;
}) {
  const received: ReceivedMail[] = [];
  const server = new SMTPServer({
    secure: false,
    disabledCommands: ['STARTTLS'],
    allowInsecureAuth: true,
    authMethods: ['PLAIN', 'LOGIN'],
    logger: false,
    onAuth(auth, _session, callback) {
      if (
        auth.username === login.username &&
        auth.password === login.password
      ) {
        callback(null, { user: auth.username });
      } else {
        callback(new Error('Invalid username or password'));
      }
    },
    onData(stream, session, callback) {
      simpleParser(stream).then(
        mail => {
          received.push({
            mail,
            subject: mail.subject ?? '',
            envelope: {
              from: session.envelope.mailFrom
                ? session.envelope.mailFrom.address
                : '',
              to: session.envelope.rcptTo.map(r => r.address),
            },
            user: session.user as string | undefined,
          });
          callback();
        },
        error => callback(error),
      );
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.server.address() as AddressInfo).port;

  return {
    port,
    received,
    /**
     * Waits until `count` messages with this subject have arrived (the notifications backend
     * delivers after it has answered the sender), and returns them.
     */
    async waitFor(
      subject: string,
      count: number,
      timeoutMs = 15_000,
    ): Promise<ReceivedMail[]> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const matching = received.filter(r => r.subject === subject);
        if (matching.length >= count) return matching;
        if (Date.now() > deadline) {
          throw new Error(
            `Expected ${count} message(s) "${subject}", got ${
              matching.length
            }; all received: ${JSON.stringify(received.map(r => r.subject))}`,
          );
        }
        await new Promise(resolve => setTimeout(resolve, 50));
      }
    },
    close: () => new Promise<void>(resolve => server.close(() => resolve())),
  };
}
