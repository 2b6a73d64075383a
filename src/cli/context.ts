import type { Writable } from 'node:stream';

/** What a command may touch, so tests can run commands in-process as well as spawned. */
export interface CliContext {
  stdout: Writable & { isTTY?: boolean };
  stderr: Writable & { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
  cwd: string;
}

/**
 * Exit codes, documented in the README:
 * 0 success; 1 unexpected failure; 2 usage error (bad flags/arguments);
 * 3 partial import: some records or files were rejected (the rest was imported);
 * 4 network/remote failure (fetch gave up after retries).
 */
export const EXIT = { ok: 0, failure: 1, usage: 2, rejected: 3, remote: 4 } as const;

export class UsageError extends Error {}

export function line(stream: Writable, text: string): void {
  stream.write(text + '\n');
}
