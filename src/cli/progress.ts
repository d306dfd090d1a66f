import type { CommandIO } from './command.js';

/**
 * Progress on stderr for long work: a bar redrawn in place when stderr is a
 * terminal and not silenced (`--json`, `--quiet`); nothing otherwise.
 * Redraws at most every 100 ms of wall time. `forced` (a command's
 * `--progress`) shows it anyway — on a pipe or a log file as one line per
 * update, at most every 500 ms, since there is no line to redraw.
 */
export class Progress {
  private lastDraw = 0;
  private drawn = false;
  private readonly enabled: boolean;
  private readonly inPlace: boolean;

  constructor(
    private readonly io: CommandIO,
    private readonly label: string,
    private readonly total: number | undefined,
    quiet: boolean,
    forced = false,
  ) {
    this.inPlace = io.stderrIsTerminal;
    this.enabled = forced || (!quiet && this.inPlace);
  }

  /** Reports `done` units finished, with an optional short status. */
  update(done: number, status = ''): void {
    if (!this.enabled) return;
    const now = Date.now();
    if (now - this.lastDraw < (this.inPlace ? 100 : 500) && done !== this.total) return;
    this.lastDraw = now;
    let bar = '';
    if (this.total !== undefined && this.total > 0) {
      const width = 30;
      const filled = Math.round((done / this.total) * width);
      bar = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${this.total}`;
    } else {
      bar = `${done}`;
    }
    if (!this.inPlace) {
      this.io.stderr(`${this.label} ${bar} ${status}`.trimEnd() + '\n');
      return;
    }
    this.io.stderr(`\r${this.label} ${bar} ${status}`.padEnd(79).slice(0, 120));
    this.drawn = true;
  }

  /** Clears the bar so that the next output starts on a clean line (also after an interrupt: no half bar is left on screen). */
  done(): void {
    if (this.drawn) this.io.stderr(`\r${' '.repeat(79)}\r`);
    this.drawn = false;
  }
}
