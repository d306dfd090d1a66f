import { closeSync, openSync, writeSync } from 'node:fs';
import type { CommandIO } from './command.js';
import { standardStream } from './fileArguments.js';
import { isSystemError, systemErrorReason } from './systemError.js';
import { UsageError } from './usage.js';

/**
 * A file written in order as a run goes: text is gathered into chunks of
 * about 1 MB and each chunk written synchronously, so a long run's trace or
 * history reaches its file without the whole text ever being in memory, and
 * the simulator (which never yields to the event loop) cannot outrun it.
 */
export class FileOutput {
  private readonly descriptor: number;
  private pending: string[] = [];
  private pendingLength = 0;
  private closed = false;

  /** Creates (or truncates) the file now, so that a bad path fails before any work. */
  constructor(readonly path: string) {
    this.descriptor = openSync(path, 'w');
  }

  write(text: string): void {
    if (this.closed) throw new Error(`${this.path}: written after it was closed`);
    this.pending.push(text);
    this.pendingLength += text.length;
    if (this.pendingLength >= chunkLength) this.flush();
  }

  /** Writes what is left and closes the file. */
  close(): void {
    if (this.closed) return;
    this.flush();
    this.closed = true;
    closeSync(this.descriptor);
  }

  private flush(): void {
    if (this.pendingLength === 0) return;
    writeSync(this.descriptor, this.pending.join(''));
    this.pending = [];
    this.pendingLength = 0;
  }
}

const chunkLength = 1 << 20;

/**
 * Where `--option PATH` streams to: the file (created now, so that a path
 * that cannot be written fails before the run), or stdout for `-`. An
 * operating-system error while writing is one line naming the option.
 */
export function outputStream(option: string, path: string, io: CommandIO): { write(text: string): void; close(): void } {
  if (path === standardStream) return { write: (text) => io.stdout(text), close: () => {} };
  const named = <T>(action: () => T): T => {
    try {
      return action();
    } catch (error) {
      if (isSystemError(error)) throw new UsageError(`--${option}: cannot write '${path}': ${systemErrorReason(error)}`);
      throw error;
    }
  };
  const file = named(() => new FileOutput(path));
  return { write: (text) => named(() => file.write(text)), close: () => named(() => file.close()) };
}
