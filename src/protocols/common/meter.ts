import type { Fabric } from '../../fabric/index.js';

/** What a proposer issued during one attempt: the cost of a decision, counted where it is spent. */
export interface Meter {
  verbs: number;
  messages: number;
  bytes: number;
  permissionRequests: number;
}

export function newMeter(): Meter {
  return { verbs: 0, messages: 0, bytes: 0, permissionRequests: 0 };
}

/**
 * The same fabric, counting into `meter` every verb, permission request and
 * message issued through it (the table's per-decision costs).
 */
export function metered(fabric: Fabric, meter: () => Meter): Fabric {
  const wrapper: Partial<Fabric> = {
    read: (address, length, options) => {
      const counts = meter();
      counts.verbs++;
      counts.bytes += length;
      return fabric.read(address, length, options);
    },
    write: (address, data, options) => {
      const counts = meter();
      counts.verbs++;
      counts.bytes += data.length;
      return fabric.write(address, data, options);
    },
    cas: (address, expected, desired, options) => {
      const counts = meter();
      counts.verbs++;
      counts.bytes += 8;
      return fabric.cas(address, expected, desired, options);
    },
    faa: (address, delta, options) => {
      const counts = meter();
      counts.verbs++;
      counts.bytes += 8;
      return fabric.faa(address, delta, options);
    },
    requestPermission: (region, access, options) => {
      const counts = meter();
      counts.verbs++;
      counts.permissionRequests++;
      return fabric.requestPermission(region, access, options);
    },
    send: (to, data) => {
      const counts = meter();
      counts.messages++;
      counts.bytes += data.length;
      fabric.send(to, data);
    },
  };
  return Object.assign(Object.create(fabric) as Fabric, wrapper);
}
