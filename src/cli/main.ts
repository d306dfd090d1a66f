import { commands } from './commands/index.js';
import { processIO, type CommandIO } from './command.js';
import { isSystemError, systemErrorLine, systemErrorReason } from './systemError.js';
import { UsageError, exitCodes } from './usage.js';

function overview(): string {
  const width = Math.max(...commands.map((command) => command.name.length));
  const lines = commands.map((command) => `  ${command.name.padEnd(width)}  ${command.summary}`);
  return [
    'mnm — message-and-memory: RDMA-era distributed algorithms, a deterministic simulator and checkers',
    '',
    'usage: mnm <command> [options]     (mnm <command> --help for details and an example)',
    '',
    'commands:',
    ...lines,
    '',
    'files: - is stdin or stdout wherever a file is named (mnm check -, mnm run --trace -)',
    'exit codes: 0 ok, 1 property violated / not linearizable, 2 bad input or arguments or a file error, 3 undecided (timeout)',
    '',
  ].join('\n');
}

/** Runs the `mnm` command line; returns the exit code. */
export async function main(argv: string[], io: CommandIO = processIO): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    const topic = name === 'help' ? rest[0] : undefined;
    const command = topic ? commands.find((candidate) => candidate.name === topic) : undefined;
    io.stdout(command ? command.help : overview());
    return name === undefined ? exitCodes.usage : exitCodes.ok;
  }
  const command = commands.find((candidate) => candidate.name === name);
  if (!command) {
    io.stderr(`mnm: unknown command '${name}' (accepted: ${commands.map((candidate) => candidate.name).join(', ')})\n`);
    return exitCodes.usage;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout(command.help);
    return exitCodes.ok;
  }
  try {
    return await command.run(rest, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr(`mnm ${command.name}: ${error.message}\n`);
      return exitCodes.usage;
    }
    // The safety net: a file or pipe that failed where no command checked it (a full disk, a vanished directory) is the environment's fault, not a bug.
    if (isSystemError(error)) {
      io.stderr(`mnm ${command.name}: ${systemErrorLine(error)}\n`);
      return exitCodes.usage;
    }
    throw error;
  }
}

/**
 * A reader that stops early (`mnm … | head`) closes the pipe: that is not an
 * error of ours, so end quietly instead of dying with an EPIPE stack trace.
 * Any other failure of stdout or stderr (stdout redirected to a full disk)
 * is reported like every I/O error: one line on stderr, exit 2.
 */
export function quietOnClosedPipes(): void {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
      if (!isSystemError(error)) throw error;
      const name = stream === process.stdout ? 'stdout' : 'stderr';
      if (stream !== process.stderr) process.stderr.write(`mnm: cannot write to ${name}: ${systemErrorReason(error)}\n`);
      process.exit(exitCodes.usage);
    });
  }
}

const invokedDirectly = process.argv[1] !== undefined && import.meta.url === new URL(`file://${process.argv[1]}`).href;
if (invokedDirectly) {
  quietOnClosedPipes();
  process.exitCode = await main(process.argv.slice(2));
}
