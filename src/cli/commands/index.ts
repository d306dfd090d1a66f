import type { Command } from '../command.js';
import { benchCommand } from './bench.js';
import { checkCommand } from './check.js';
import { clusterCommand } from './cluster.js';
import { exportCommand } from './export.js';
import { memoryNodeCommand } from './memory-node.js';
import { nodeCommand } from './node.js';
import { replayCommand } from './replay.js';
import { mutantsCommand } from './mutants.js';
import { runCommand } from './run.js';
import { shrinkCommand } from './shrink.js';
import { sweepCommand } from './sweep.js';
import { tableCommand } from './table.js';
import { tourCommand } from './tour.js';
import { viewCommand } from './view.js';

/** Every `mnm` subcommand, in the order `mnm --help` lists them. */
export const commands: readonly Command[] = [tourCommand, runCommand, sweepCommand, shrinkCommand, replayCommand, exportCommand, viewCommand, checkCommand, mutantsCommand, tableCommand, benchCommand, memoryNodeCommand, nodeCommand, clusterCommand];
