/**
 * Node's errors from the operating system (a file that cannot be opened, a
 * full disk, a closed pipe) carry a `code` such as ENOENT. For a command
 * line tool they are bad input or a bad environment, not bugs: the CLI turns
 * them into one line and exit 2 instead of a stack trace.
 */
export interface SystemError extends Error {
  readonly code: string;
  readonly syscall?: string;
  readonly path?: string;
}

/** What each code means, in words (the ones a command's files can meet). */
const meanings: Record<string, string> = {
  ENOENT: 'no such file or directory',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EISDIR: 'it is a directory',
  ENOTDIR: 'a part of the path is not a directory',
  EEXIST: 'it already exists',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  EROFS: 'read-only file system',
  EPIPE: 'the reader closed the pipe',
  EMFILE: 'too many open files',
  ENAMETOOLONG: 'the name is too long',
  EIO: 'input/output error',
};

/** Whether `error` came from the operating system (it has an E… code). */
export function isSystemError(error: unknown): error is SystemError {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && /^E[A-Z0-9]+$/.test(code);
}

/** "permission denied (EACCES)": the code's meaning, then the code itself for searching. */
export function systemErrorReason(error: SystemError): string {
  return `${meanings[error.code] ?? error.message.replace(/^[A-Z0-9]+: /, '').split(',')[0]} (${error.code})`;
}

/** One line for an error nobody caught closer to its cause: the operation, the path, the reason. */
export function systemErrorLine(error: SystemError): string {
  const action = error.syscall ? `${error.syscall} failed` : 'a system call failed';
  return `${action}${error.path !== undefined ? ` on '${error.path}'` : ''}: ${systemErrorReason(error)}`;
}
