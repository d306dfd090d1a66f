import { consensusTable } from './consensus.js';
import { broadcastTable } from './broadcast.js';
import { swarmTable } from './swarm.js';
import { bftTable } from './bft.js';
import type { Table } from './table.js';

/** Every table of `mnm table`, by name. */
export const tables: readonly Table[] = [consensusTable, broadcastTable, swarmTable, bftTable];
