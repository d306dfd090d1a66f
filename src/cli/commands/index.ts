import type { Command } from '../command.js';
import { benchCommand } from './bench.js';
import { replayCommand } from './replay.js';
import { mutantsCommand } from './mutants.js';
import { runCommand } from './run.js';
import { sweepCommand } from './sweep.js';
import { tableCommand } from './table.js';
import { tourCommand } from './tour.js';

/** Every `mnm` subcommand, in the order `mnm --help` lists them. */
export const commands: readonly Command[] = [tourCommand, runCommand, sweepCommand, replayCommand, mutantsCommand, tableCommand, benchCommand];
