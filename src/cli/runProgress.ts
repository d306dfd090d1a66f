import type { HistoryEvent } from '../fabric/index.js';
import type { CommandIO } from './command.js';
import { Progress } from './progress.js';

/**
 * Progress of one long run on stderr (a terminal only): operations done,
 * their rate and an estimate of the time left. The run does not know how
 * many operations it will do; `expected` is the most it can do (every
 * process doing `--ops` operations), so the estimate is an upper bound.
 * Counted from the history's returns; checked against the clock only every
 * 1024 of them, so a run pays almost nothing for it.
 */
export class RunProgress {
  private readonly progress: Progress;
  private readonly startedMs = Date.now();
  private returned = 0;

  constructor(io: CommandIO, private readonly expected: number, quiet: boolean) {
    this.progress = new Progress(io, 'operations', expected, quiet);
  }

  heard(event: HistoryEvent): void {
    if (event.type === 'invoke') return;
    this.returned++;
    if ((this.returned & 1023) !== 0) return;
    const elapsedSeconds = (Date.now() - this.startedMs) / 1000;
    const rate = this.returned / Math.max(elapsedSeconds, 1e-3);
    const leftSeconds = Math.max(0, this.expected - this.returned) / rate;
    this.progress.update(Math.min(this.returned, this.expected), `${Math.round(rate)} ops/s, at most ${formatSeconds(leftSeconds)} left`);
  }

  /** Clears the line before the summary is printed. */
  done(): void {
    this.progress.done();
  }
}

function formatSeconds(seconds: number): string {
  if (seconds < 60) return `${Math.ceil(seconds)} s`;
  return `${Math.floor(seconds / 60)} min ${Math.ceil(seconds % 60)} s`;
}
