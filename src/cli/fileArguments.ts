import { accessSync, constants, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { CommandIO } from './command.js';
import { isSystemError, systemErrorReason } from './systemError.js';
import { UsageError } from './usage.js';

/**
 * The files named on a command line: `-` is standard input where a command
 * reads and standard output where it writes; any other path is checked
 * before the work starts, so that an hour-long run does not end in an
 * unwritable path. Problems are UsageErrors (exit 2, one line).
 */
export const standardStream = '-';

const acceptedOutput = 'accepted: a file in an existing, writable directory, or - for stdout';

/** Throws a UsageError when `path` (given to `--option`) cannot be written; `-` is stdout. */
export function checkOutputPath(option: string, path: string): void {
  if (path === standardStream) return;
  const refuse = (why: string) => new UsageError(`--${option}: cannot write '${path}': ${why} (${acceptedOutput})`);
  if (path === '') throw refuse('the path is empty');
  const existing = statOrUndefined(path, refuse);
  if (existing?.isDirectory()) throw refuse('it is a directory');
  if (existing) {
    writableOrThrow(path, (reason) => refuse(reason));
    return;
  }
  const directory = dirname(resolve(path));
  const parent = statOrUndefined(directory, refuse);
  if (!parent) throw refuse(`directory '${directory}' does not exist`);
  if (!parent.isDirectory()) throw refuse(`'${directory}' is not a directory`);
  writableOrThrow(directory, (reason) => refuse(`directory '${directory}': ${reason}`));
}

/** Writes `text` to `path` (`-`: stdout); a failure (a full disk, a vanished directory) is one line naming the option. */
export function writeOutput(option: string, path: string, text: string, io: CommandIO): void {
  if (path === standardStream) {
    io.stdout(text);
    return;
  }
  try {
    writeFileSync(path, text);
  } catch (error) {
    if (isSystemError(error)) throw new UsageError(`--${option}: cannot write '${path}': ${systemErrorReason(error)}`);
    throw error;
  }
}

/** Reads a whole input file (`-`: stdin); a failure is one line: which file, and why. */
export function readInput(path: string, io: CommandIO): string {
  if (path === standardStream) {
    if (!io.readStdin) throw new UsageError(`cannot read standard input here (accepted: a file path)`);
    try {
      return io.readStdin();
    } catch (error) {
      if (isSystemError(error)) throw new UsageError(`cannot read standard input: ${systemErrorReason(error)}`);
      throw error;
    }
  }
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    if (isSystemError(error)) throw new UsageError(`cannot read '${path}': ${systemErrorReason(error)}`);
    throw error;
  }
}

/** Where a name appears in messages: the path, or "standard input". */
export function inputName(path: string): string {
  return path === standardStream ? 'standard input' : path;
}

function statOrUndefined(path: string, refuse: (why: string) => UsageError): ReturnType<typeof statSync> | undefined {
  try {
    return statSync(path);
  } catch (error) {
    if (isSystemError(error) && error.code === 'ENOENT') return undefined;
    if (isSystemError(error)) throw refuse(systemErrorReason(error));
    throw error;
  }
}

function writableOrThrow(path: string, refuse: (reason: string) => UsageError): void {
  try {
    accessSync(path, constants.W_OK);
  } catch (error) {
    if (isSystemError(error)) throw refuse(systemErrorReason(error));
    throw error;
  }
}
