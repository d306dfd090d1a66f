import type { Fabric } from '../fabric/fabric.js';

/** One process's local clock against true run time: `clock() = now() × (1 + drift) + skew`, as in the simulator. */
export interface ClockOffset {
  /** Offset in time units of the run. */
  readonly skew: number;
  /** Relative rate error (1e-6 = one part per million). */
  readonly drift: number;
}

/**
 * The fabric a process's body sees on a real backend when its clock is
 * skewed or drifts: every member is the backend's own, except `clock()`,
 * which applies the process's offset to the run's true time the same way
 * the simulator's `SimFabric.clock()` does. An offset of zero returns the
 * fabric itself, so runs without skew pay nothing per verb.
 */
export function withLocalClock(fabric: Fabric, offset: ClockOffset): Fabric {
  if (offset.skew === 0 && offset.drift === 0) return fabric;
  const clock = () => fabric.now() * (1 + offset.drift) + offset.skew;
  const bound = new Map<PropertyKey, unknown>();
  return new Proxy(fabric, {
    get(target, property) {
      if (property === 'clock') return clock;
      const value: unknown = Reflect.get(target, property, target);
      if (typeof value !== 'function') return value;
      // Methods run on the backend's object (its private state), bound once.
      let method = bound.get(property);
      if (method === undefined) {
        method = (value as (...args: unknown[]) => unknown).bind(target);
        bound.set(property, method);
      }
      return method;
    },
  });
}
