import type { CommandIO } from './command.js';

/**
 * Progress on stderr for long work: a bar redrawn in place when stderr is a
 * terminal and not silenced (`--json`, `--quiet`); nothing otherwise.
 * Redraws at most every 100 ms of wall time.
 */
export class Progress {
  private lastDraw = 0;
  private drawn = false;
  private readonly enabled: boolean;

  constructor(
    private readonly io: CommandIO,
    private readonly label: string,
    private readonly total: number | undefined,
    quiet: boolean,
  ) {
    this.enabled = !quiet && io.stderrIsTerminal;
  }

  /** Reports `done` units finished, with an optional short status. */
  update(done: number, status = ''): void {
    if (!this.enabled) return;
    const now = Date.now();
    if (now - this.lastDraw < 100 && done !== this.total) return;
    this.lastDraw = now;
    let bar = '';
    if (this.total !== undefined && this.total > 0) {
      const width = 30;
      const filled = Math.round((done / this.total) * width);
      bar = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${this.total}`;
    } else {
      bar = `${done}`;
    }
    this.io.stderr(`\r${this.label} ${bar} ${status}`.padEnd(79).slice(0, 120));
    this.drawn = true;
  }

  /** Clears the bar so that the next output starts on a clean line. */
  done(): void {
    if (this.drawn) this.io.stderr(`\r${' '.repeat(79)}\r`);
    this.drawn = false;
  }
}
