import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { HistorySource } from '../check/index.js';
import type { CommandIO } from './command.js';
import { inputName, readInput } from './fileArguments.js';
import { UsageError } from './usage.js';

/** The files `mnm cluster up` writes, one per process, in its state directory. */
const historyFileSuffix = '.history.jsonl';

/**
 * The history files named on the command line, read: a file is itself; a
 * directory is every `*.history.jsonl` in it (what `mnm cluster up` writes,
 * one per process), in natural order (p2 before p10); `-` is standard input.
 */
export function readHistorySources(paths: readonly string[], io: CommandIO): HistorySource[] {
  const files = paths.flatMap((path) => {
    if (!isDirectory(path)) return [path];
    const names = readdirSync(path)
      .filter((name) => name.endsWith(historyFileSuffix))
      .sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
    if (names.length === 0) throw new UsageError(`'${path}' is a directory without history files (*${historyFileSuffix})`);
    return names.map((name) => join(path, name));
  });
  return files.map((file) => ({ name: inputName(file), text: readInput(file, io) }));
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    // A path that cannot be looked at is reported when it is read, with its reason.
    return false;
  }
}
