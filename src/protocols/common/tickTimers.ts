/**
 * Timeouts checked on a tick that runs anyway (Ω's heartbeat), instead of one
 * fabric timer per phase: a steady-state decision then arms no timer at all.
 * A deadline is honoured at the first tick at or after it, so a timeout may
 * fire up to one tick late — phase timeouts are tens of delays, a tick a few.
 *
 * It has the shape of `Fabric.setTimer`, so it plugs into `QuorumOptions.timers`.
 */
export class TickTimers {
  private readonly deadlines = new Map<number, { readonly at: number; readonly callback: () => void }>();
  private nextId = 0;

  constructor(private readonly now: () => number) {}

  setTimer(duration: number, callback: () => void): () => void {
    const id = this.nextId++;
    this.deadlines.set(id, { at: this.now() + duration, callback });
    return () => {
      this.deadlines.delete(id);
    };
  }

  /** Runs every callback whose deadline has passed (called on each tick). */
  tick(): void {
    const now = this.now();
    for (const [id, deadline] of this.deadlines) {
      if (deadline.at > now) continue;
      this.deadlines.delete(id);
      deadline.callback();
    }
  }

  /** Drops every pending deadline (the owner closed). */
  clear(): void {
    this.deadlines.clear();
  }
}
