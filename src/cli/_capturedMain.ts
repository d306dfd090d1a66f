import type { CommandIO } from './command.js';
import { main } from './main.js';

/** What one in-process `mnm` invocation printed, and its exit code (for tests). */
export interface CapturedRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `mnm ARGS…` in this process with stdout and stderr captured (stderr is not a terminal). */
export async function capturedMain(...args: string[]): Promise<CapturedRun> {
  let stdout = '';
  let stderr = '';
  const io: CommandIO = { stdout: (text) => void (stdout += text), stderr: (text) => void (stderr += text), stderrIsTerminal: false };
  const code = await main(args, io);
  return { code, stdout, stderr };
}
