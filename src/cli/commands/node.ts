import { openSync, writeSync } from 'node:fs';
import { scenarioBody, timeUnitMicroseconds } from '../../scenarios/realRunner.js';
import { parseEndpoint, readPrivateKey } from '../../tcp/clusterFile.js';
import { clusterSecurity } from '../../tcp/clusterSecurity.js';
import { ProcessHost, type Endpoint } from '../../tcp/processHost.js';
import { parseCommandArgs, type Command } from '../command.js';
import { UsageError, exitCodes, integerOption, numberOption } from '../usage.js';
import { loadClusterPlan, parseNodeId } from './cluster.js';
import { awaitAddresses, reportListening, startupChannel } from './clusterStartup.js';

export const nodeCommand: Command = {
  name: 'node',
  summary: 'run one process of a tcp cluster: the protocol of the cluster file, over authenticated connections',
  help: `usage: mnm node --config FILE --id pN [--key FILE] [--history FILE] [--epoch MS] [--exit] [--connect-timeout MS] [--ipc]

Runs process pN of the cluster file (docs/cluster.md): it listens for
messages on its address, connects and authenticates (Ed25519
challenge-response) to every memory node and every other process, then runs
its body of the file's run (e.g. the register or pmp). Its history (JSON
lines: operations, notes, then a 'done' or 'error' line) goes to --history or
stdout. After its body it keeps serving (other processes may still need its
messages) until SIGTERM/SIGINT, or exits at once with --exit. SIGKILL is a
process crash. Port 0 in an address (any free port) works only under
'mnm cluster up', which tells every node where the others bound.

options:
  --config FILE          the cluster file
  --id pN                which process
  --key FILE             private-key file ({"pN": "<base64>"}; default: the file's "keys")
  --history FILE         write the history here (default stdout)
  --epoch MS             the run's start as Unix time in ms (cluster up gives every node the same one, so histories share a clock)
  --exit                 exit when the body returns
  --connect-timeout MS   keep retrying unreachable peers this long (default 30000)
  --ipc                  started by 'mnm cluster up': report the bound address over the IPC channel and
                         take every node's address and the epoch from it

example:
  mnm node --config examples/cluster-local.json --id p0 --exit
`,
  async run(args, io) {
    const { values } = parseCommandArgs(
      'node',
      args,
      { config: { type: 'string' }, id: { type: 'string' }, key: { type: 'string' }, history: { type: 'string' }, epoch: { type: 'string' }, exit: { type: 'boolean' }, 'connect-timeout': { type: 'string' }, ipc: { type: 'boolean' } },
      false,
    );
    const reporting = startupChannel(values.ipc);
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
    if (!reporting) {
      const anyPort = [...plan.cluster.memories.map((entry, memory) => ({ id: `m${memory}`, address: entry.address })), ...plan.cluster.processes.map((entry, process) => ({ id: `p${process}`, address: entry.address }))].find(
        (node) => node.address.port === 0,
      );
      if (anyPort) throw new UsageError(`${anyPort.id}'s address ${anyPort.address.host}:0 means any port: only 'mnm cluster up' can tell the nodes which one it bound`);
    }
    const connectTimeout = integerOption('connect-timeout', values['connect-timeout'], 30_000);
    let epochMilliseconds = numberOption('epoch', values.epoch, performance.timeOrigin + performance.now());
    // '-' is stdout, as wherever a file is named (docs/cli.md); an unopenable path fails here, before any work, in one line (main.ts).
    const output = values.history && values.history !== '-' ? openSync(values.history, 'a') : 1;
    const record = (line: unknown) => {
      const bytes = Buffer.from(JSON.stringify(line) + '\n');
      let written = 0;
      while (written < bytes.length) written += writeSync(output, bytes, written);
    };
    let host: ProcessHost;
    let bound: Endpoint;
    try {
      const { tls, memoryKeys } = clusterSecurity(plan.cluster);
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
          memoryKeys,
          tls,
        },
        record,
      );
    } catch (error) {
      throw new UsageError(`p${self}: ${(error as Error).message}`);
    }
    try {
      bound = await host.listen();
    } catch (error) {
      throw new UsageError(`p${self}: cannot listen on ${plan.cluster.processes[self].address.host}:${plan.cluster.processes[self].address.port}: ${(error as Error).message}`);
    }
    let memories: readonly Endpoint[] = plan.cluster.memories.map((entry) => entry.address);
    let peers: readonly Endpoint[] = plan.cluster.processes.map((entry) => entry.address);
    if (reporting) {
      reportListening(bound);
      let addresses;
      try {
        addresses = await awaitAddresses(`p${self}`);
      } catch (error) {
        // Nobody will connect to this node: stop listening, so that it ends.
        await host.close();
        throw error;
      }
      memories = addresses.memories.map((text, memory) => parseEndpoint(text, `m${memory}`));
      peers = addresses.processes.map((text, process) => parseEndpoint(text, `p${process}`));
      epochMilliseconds = addresses.epochMilliseconds;
    }
    let unreachable: string[];
    try {
      ({ unreachable } = await host.connect(memories, peers, connectTimeout));
    } catch (error) {
      // A stranger on a node's port (ServerIdentityRefused): one line naming the node and address.
      await host.close();
      throw new UsageError(`p${self}: ${(error as Error).message}`);
    }
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
