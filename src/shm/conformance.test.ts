import { conformanceSuite } from '../realtime/conformanceSuite.js';
import { runShm } from './runShm.js';

/** The fabric conformance suite, unchanged, on worker threads and shared memory. */
conformanceSuite('shm', runShm);
