/**
 * One process's steps on one memory, ordered the way PMP's straggler rule
 * needs: an `exclusive` step (a phase 1: permission request, proposal, read)
 * starts only after every earlier step of this process there has settled,
 * and steps issued after it wait for it; `shared` steps (a ballot's phase-2
 * writes, one per index) run side by side behind the last exclusive step.
 * So no permission request of mine is in flight to a memory while a write of
 * mine is, and none lands between the grant a ballot's phase 1 used and that
 * ballot's writes — yet a leader's writes for consecutive indices pipeline.
 */
export class Lane {
  private barrier: Promise<unknown> = Promise.resolve();
  private readonly running = new Set<Promise<unknown>>();

  exclusive<T>(step: () => Promise<T>): Promise<T> {
    const before = Promise.allSettled([this.barrier, ...this.running]);
    this.running.clear();
    const next = before.then(step);
    this.barrier = next.catch(() => undefined);
    return next;
  }

  shared<T>(step: () => Promise<T>): Promise<T> {
    const next = this.barrier.then(step);
    const settled = next.catch(() => undefined);
    this.running.add(settled);
    void settled.then(() => this.running.delete(settled));
    return next;
  }
}
