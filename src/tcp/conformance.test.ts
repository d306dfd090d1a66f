import { conformanceSuite } from '../realtime/conformanceSuite.js';
import { runTcp } from './runTcp.js';

/** The fabric conformance suite, unchanged, on OS processes over TCP (memory nodes and processes in their own OS processes, on loopback). */
conformanceSuite('tcp', runTcp);
