/**
 * Runs a client's calls one after another, in call order, whatever each
 * one's outcome: a store's history records at most one open call per
 * client (the checkers pair calls by process), so a call made while
 * another is running waits for it instead of overlapping it.
 */
export class OneAtATime {
  private turn: Promise<void> = Promise.resolve();

  run<T>(call: () => Promise<T>): Promise<T> {
    const run = this.turn.then(call);
    this.turn = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }
}
