import type { Command } from '../command.js';

/** Every `mnm` subcommand, in the order `mnm --help` lists them. */
export const commands: readonly Command[] = [];
