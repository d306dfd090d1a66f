import { openSync, writeSync } from 'node:fs';
import { scenarioBody, timeUnitMicroseconds } from '../../scenarios/realRunner.js';
import { readPrivateKey } from '../../tcp/clusterFile.js';
import { ProcessHost } from '../../tcp/processHost.js';
import { parseCommandArgs, type Command } from '../command.js';
import { UsageError, exitCodes, integerOption, numberOption } from '../usage.js';
import { loadClusterPlan, parseNodeId } from './cluster.js';

export const nodeCommand: Command = {
  name: 'node',
  summary: 'run one process of a tcp cluster: the protocol of the cluster file, over authenticated connections',
  help: `usage: mnm node --config FILE --id pN [--key FILE] [--history FILE] [--epoch MS] [--exit] [--connect-timeout MS]

Runs process pN of the cluster file (docs/cluster.md): it listens for
messages on its address, connects and authenticates (Ed25519
challenge-response) to every memory node and every other process, then runs
its body of the file's run (e.g. the register or pmp). Its history (JSON
lines: operations, notes, then a 'done' or 'error' line) goes to --history or
stdout. After its body it keeps serving (other processes may still need its
messages) until SIGTERM/SIGINT, or exits at once with --exit. SIGKILL is a
process crash.

options:
  --config FILE          the cluster file
  --id pN                which process
  --key FILE             private-key file ({"pN": "<base64>"}; default: the file's "keys")
  --history FILE         write the history here (default stdout)
  --epoch MS             the run's start as Unix time in ms (cluster up gives every node the same one, so histories share a clock)
  --exit                 exit when the body returns
  --connect-timeout MS   keep retrying unreachable peers this long (default 30000)

example:
  mnm node --config examples/cluster-local.json --id p0 --exit
`,
  async run(args, io) {
    const { values } = parseCommandArgs(
      'node',
      args,
      { config: { type: 'string' }, id: { type: 'string' }, key: { type: 'string' }, history: { type: 'string' }, epoch: { type: 'string' }, exit: { type: 'boolean' }, 'connect-timeout': { type: 'string' } },
      false,
    );
    const plan = loadClusterPlan(values.config);
    const self = parseNodeId(values.id, 'p', plan.cluster.processes.length);
    const options = plan.options;
    if (!options) throw new UsageError(`${plan.cluster.file}: 'mnm node' needs a run (the protocol its processes execute)`);
    const keysFile = values.key ?? plan.cluster.keysFile;
    if (!keysFile) throw new UsageError(`p${self} needs its private key: --key FILE, or "keys" in the cluster file`);
    let privateKey: string;
    try {
      privateKey = readPrivateKey(keysFile, self);
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
    const connectTimeout = integerOption('connect-timeout', values['connect-timeout'], 30_000);
    const epochMilliseconds = numberOption('epoch', values.epoch, performance.timeOrigin + performance.now());
    // '-' is stdout, as wherever a file is named (docs/cli.md); an unopenable path fails here, before any work, in one line (main.ts).
    const output = values.history && values.history !== '-' ? openSync(values.history, 'a') : 1;
    const record = (line: unknown) => {
      const bytes = Buffer.from(JSON.stringify(line) + '\n');
      let written = 0;
      while (written < bytes.length) written += writeSync(output, bytes, written);
    };
    let host: ProcessHost;
    try {
      host = new ProcessHost(
        {
          self,
          processCount: plan.cluster.processes.length,
          memoryCount: plan.cluster.memories.length,
          regions: plan.regions,
          publicKeys: plan.cluster.processes.map((entry) => entry.publicKey),
          identity: { publicKey: plan.cluster.processes[self].publicKey, privateKey },
          seed: options.seed,
          unitMicroseconds: timeUnitMicroseconds(options),
          listen: plan.cluster.processes[self].address,
        },
        record,
      );
      await host.listen();
    } catch (error) {
      throw new UsageError(`p${self}: ${(error as Error).message}`);
    }
    const { unreachable } = await host.connect(
      plan.cluster.memories.map((entry) => entry.address),
      plan.cluster.processes.map((entry) => entry.address),
      connectTimeout,
    );
    for (const target of unreachable) io.stderr(`p${self}: unreachable (treated as crashed): ${target}\n`);
    // The shared epoch on this host's monotonic clock: the wall-clock start, shifted by how long ago it was.
    const sinceEpochNanoseconds = BigInt(Math.round((performance.timeOrigin + performance.now() - epochMilliseconds) * 1e6));
    host.fabric.start(process.hrtime.bigint() - sinceEpochNanoseconds);
    const body = scenarioBody({ options }, self);
    let code: number = exitCodes.ok;
    if (body) {
      try {
        await body(host.fabric);
        record({ type: 'done' });
        io.stderr(`p${self}: body finished\n`);
      } catch (error) {
        record({ type: 'error', message: error instanceof Error ? error.message : String(error) });
        io.stderr(`p${self}: body failed: ${error instanceof Error ? error.message : String(error)}\n`);
        code = exitCodes.violated;
      }
    } else record({ type: 'done' });
    if (!values.exit) {
      await new Promise<void>((resolve) => {
        process.once('SIGTERM', resolve);
        process.once('SIGINT', resolve);
      });
    }
    await host.close();
    // The protocol's timers (heartbeats) would keep the event loop alive: this command owns its OS process.
    process.exit(code);
  },
};
