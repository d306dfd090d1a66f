import { readFileSync } from 'node:fs';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from './usage.js';

/** One `mnm` subcommand. `run` returns the process exit code. */
export interface Command {
  readonly name: string;
  /** One line for `mnm --help`. */
  readonly summary: string;
  /** Full `mnm <name> --help` text, with at least one example. */
  readonly help: string;
  run(args: string[], io: CommandIO): Promise<number>;
}

/** Where a command writes: results on stdout, progress and logs on stderr. */
export interface CommandIO {
  stdout(text: string): void;
  stderr(text: string): void;
  /** Whether stderr is a terminal (progress bars only then). */
  readonly stderrIsTerminal: boolean;
  /** All of standard input, for a file named `-` (fileArguments.ts); absent where there is none. */
  readStdin?(): string;
}

export const processIO: CommandIO = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  get stderrIsTerminal() {
    return Boolean(process.stderr.isTTY);
  },
  readStdin: () => readFileSync(0, 'utf8'),
};

type Options = NonNullable<ParseArgsConfig['options']>;

/**
 * `node:util` parseArgs with strict checking, turning its errors into one-line
 * UsageErrors that say what is accepted.
 */
// The return type is spelled out only so that declarations can be emitted (parseArgs' own config type is not exported by node:util).
/**
 * `--seed -1` would otherwise read as an unknown option `-1` ("argument is
 * ambiguous"): a negative number after an option that takes a value is that
 * option's value, joined as `--seed=-1`, so the option's own check can say
 * what is wrong with it and what it accepts.
 */
function withNegativeValues(args: readonly string[], options: Options): string[] {
  const joined: string[] = [];
  for (let index = 0; index < args.length; index++) {
    const name = args[index].startsWith('--') ? args[index].slice(2) : undefined;
    const next = args[index + 1];
    if (name !== undefined && options[name]?.type === 'string' && next !== undefined && /^-(\d|\.\d|Infinity\b)/.test(next)) {
      joined.push(`--${name}=${next}`);
      index++;
    } else joined.push(args[index]);
  }
  return joined;
}

export function parseCommandArgs<O extends Options>(
  _command: string,
  args: string[],
  options: O,
  allowPositionals = true,
): ReturnType<typeof parseArgs<{ args: string[]; options: O; allowPositionals: boolean; strict: true }>> {
  try {
    return parseArgs({ args: withNegativeValues(args, options), options, allowPositionals, strict: true });
  } catch (error) {
    const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
    const accepted = Object.keys(options)
      .map((name) => `--${name}`)
      .join(' ');
    throw new UsageError(`${message.replace(/\. To specify a positional.*$/, '')} (accepted: ${accepted})`);
  }
}
