/**
 * The broadcast property checker moved to `check/broadcast.ts`, where it reads
 * the typed events. This re-export keeps the scenario files that import it
 * from here working until they import `check/broadcast.js` themselves.
 */
export { checkBroadcast, deliveriesOf, type BroadcastRun, type Delivery } from '../../check/broadcast.js';
