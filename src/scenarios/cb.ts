import { broadcastScenario } from './byzantine/broadcastScenario.js';

/** Consistent broadcast with n = 2f+1 (see byzantine/broadcastScenario.ts and docs/byzantine.md). */
export const cbScenario = broadcastScenario('cb');
