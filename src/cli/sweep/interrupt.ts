/**
 * Ctrl-C (SIGINT) and SIGTERM during long work (`sweep`, `check`, `bench`):
 * the first signal aborts `signal`, so the command stops cleanly, clears its
 * progress line and prints what it has; the listeners are then removed, so a
 * second signal kills the process as usual (a command stuck in a long
 * synchronous step can still be stopped).
 */
export const interruptedExitCode = 130;

export interface InterruptWatch {
  readonly signal: AbortSignal;
  /** Which signal arrived, once one did. */
  readonly received: () => NodeJS.Signals | undefined;
  /** Removes the listeners (call when the work is done). */
  dispose(): void;
}

const watchedSignals: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM'];

export function watchInterrupts(): InterruptWatch {
  const controller = new AbortController();
  let received: NodeJS.Signals | undefined;
  const dispose = (): void => {
    for (const name of watchedSignals) process.removeListener(name, onSignal);
  };
  function onSignal(name: NodeJS.Signals): void {
    received = name;
    dispose();
    controller.abort();
  }
  for (const name of watchedSignals) process.on(name, onSignal);
  return { signal: controller.signal, received: () => received, dispose };
}
