import { ResponseError } from '@backstage/errors';

/** Exit codes jobs can act on. @public */
export const EXIT = {
  ok: 0,
  error: 1,
  usage: 2,
  cancelled: 3,
  timeout: 4,
  drift: 5,
  /** `cutover readiness`: the recommendation is GO_WITH_CAUTION. */
  goWithCaution: 6,
  /** `cutover readiness`: the recommendation is NO_GO. */
  noGo: 7,
} as const;

/** Ends a command with an exit code; what it had to say is already printed. */
export class ExitError extends Error {
  constructor(readonly code: number) {
    super(`exit ${code}`);
  }
}

/** The error document printed on stdout under `--json` when a command fails without a result. @public */
export interface JsonErrorDocument {
  error: {
    /** `InputError`, `ConflictError`, `NotAllowedError`, … from the API; `UsageError`, `NetworkError` or `Error` from the CLI. */
    name: string;
    message: string;
    /** The HTTP status, when the API refused the request. */
    statusCode?: number;
  };
  exitCode: number;
}

/**
 * Where a command's words go. For people, everything goes to stdout and problems to stderr. Under
 * `--json`, stdout carries exactly one JSON document (the command's result, or an error document)
 * and everything else goes to stderr, so that `cutover snapshot --json | jq -r .id` just works.
 */
export class Output {
  private printed = false;

  constructor(
    private readonly io: {
      out: (line: string) => void;
      err: (line: string) => void;
    },
    private readonly jsonMode: () => boolean,
  ) {}

  get json(): boolean {
    return this.jsonMode();
  }

  /** Prose and progress: stdout, or stderr under `--json`. */
  info(line: string) {
    (this.json ? this.io.err : this.io.out)(line);
  }

  /** Problems and warnings: always stderr. */
  warn(line: string) {
    this.io.err(line);
  }

  /** The command's result: the document under `--json`, else the lines `render` makes for people. */
  result(document: unknown, render: () => string[]) {
    if (this.json) {
      this.document(document);
      return;
    }
    for (const line of render()) this.io.out(line);
  }

  /** Whether the command already printed its document. */
  get hasPrinted(): boolean {
    return this.printed;
  }

  /** Prints the one JSON document of this run. */
  document(document: unknown) {
    if (this.printed) {
      throw new Error('a command printed two JSON documents');
    }
    this.printed = true;
    this.io.out(JSON.stringify(document, null, 2));
  }
}

/** The error document of a failure, named after the API's error when there is one. */
export function errorDocument(
  error: unknown,
  exitCode: number,
): JsonErrorDocument {
  if (error instanceof ResponseError) {
    return {
      error: {
        name: error.body?.error?.name ?? error.name,
        message: error.body?.error?.message ?? error.message,
        statusCode: error.response.status,
      },
      exitCode,
    };
  }
  const e = error as { name?: string; message?: string; code?: string };
  if (typeof e?.code === 'string' && e.code.startsWith('commander.')) {
    return {
      error: {
        name: 'UsageError',
        message: (e.message ?? '').replace(/^error: /, ''),
      },
      exitCode,
    };
  }
  if (isNetworkError(error)) {
    return {
      error: { name: 'NetworkError', message: describeNetworkError(error) },
      exitCode,
    };
  }
  return {
    error: { name: 'Error', message: e?.message ?? String(error) },
    exitCode,
  };
}

/** Whether the request never got an answer (refused connection, reset, DNS, …). */
export function isNetworkError(error: unknown): boolean {
  const e = error as { message?: string; cause?: { code?: string } };
  return (
    typeof e?.cause?.code === 'string' ||
    /fetch failed|Failed to fetch/.test(e?.message ?? '')
  );
}

/** `fetch failed (ECONNREFUSED)`. */
export function describeNetworkError(error: unknown): string {
  const e = error as {
    message?: string;
    cause?: { code?: string; message?: string };
  };
  const why = e?.cause?.code ?? e?.cause?.message;
  return `${e?.message ?? String(error)}${why ? ` (${why})` : ''}`;
}
