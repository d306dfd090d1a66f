import { publicKeyObject } from '../../tcp/identity.js';
import { MemoryNode } from '../../tcp/memoryNode.js';
import { parseEndpoint, readPrivateKey } from '../../tcp/clusterFile.js';
import { clusterSecurity, nodeKeyPair } from '../../tcp/clusterSecurity.js';
import { parseCommandArgs, type Command } from '../command.js';
import { UsageError, exitCodes } from '../usage.js';
import { loadClusterPlan, parseNodeId } from './cluster.js';
import { reportListening, startupChannel } from './clusterStartup.js';

export const memoryNodeCommand: Command = {
  name: 'memory-node',
  summary: 'serve one memory of a tcp cluster: a passive server executing one-sided verbs for authenticated processes',
  help: `usage: mnm memory-node --config FILE --id mK [--key FILE] [--listen HOST:PORT] [--ipc]

Runs memory mK of the cluster file (docs/cluster.md): it holds the regions
(the file's, or those of its run's protocol), authenticates every process by
its Ed25519 key (challenge-response), enforces region permissions by that
identity, and runs no protocol code. Wire format: docs/wire.md. It serves
until SIGTERM or SIGINT; SIGKILL is a memory crash. Port 0 in its address
means any free port (it prints the one it bound).

options:
  --config FILE       the cluster file
  --id mK             which memory of the file
  --key FILE          private-key file ({"mK": "<base64>"}; default: the file's "keys")
  --listen HOST:PORT  listen here instead of the file's address
  --ipc               started by 'mnm cluster up': report the bound address over the IPC channel

example:
  mnm memory-node --config examples/cluster-local.json --id m0
`,
  async run(args, io) {
    const { values } = parseCommandArgs('memory-node', args, { config: { type: 'string' }, id: { type: 'string' }, key: { type: 'string' }, listen: { type: 'string' }, ipc: { type: 'boolean' } }, false);
    const reporting = startupChannel(values.ipc);
    const plan = loadClusterPlan(values.config);
    const memory = parseNodeId(values.id, 'm', plan.cluster.memories.length);
    let address = plan.cluster.memories[memory].address;
    if (values.listen) {
      try {
        address = parseEndpoint(values.listen, '--listen');
      } catch (error) {
        throw new UsageError((error as Error).message);
      }
    }
    let security;
    try {
      const { tls } = clusterSecurity(plan.cluster);
      const publicKey = plan.cluster.memories[memory].publicKey;
      const keysFile = values.key ?? plan.cluster.keysFile;
      if (publicKey !== undefined && !keysFile) throw new Error(`m${memory} needs its private key to prove its identity: --key FILE, or "keys" in the cluster file`);
      security = { tls, ...(publicKey !== undefined ? { identity: nodeKeyPair(`m${memory}`, publicKey, readPrivateKey(keysFile as string, `m${memory}`)) } : {}) };
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
    const node = new MemoryNode({
      security,
      memory,
      memoryCount: plan.cluster.memories.length,
      processCount: plan.cluster.processes.length,
      regions: plan.regions,
      keys: plan.cluster.processes.map((entry) => publicKeyObject(entry.publicKey)),
    });
    let bound: { host: string; port: number };
    try {
      bound = await node.listen(address.host, address.port);
    } catch (error) {
      throw new UsageError(`m${memory}: cannot listen on ${address.host}:${address.port}: ${(error as Error).message}`);
    }
    if (reporting) reportListening(bound);
    io.stderr(`m${memory} listening on ${bound.host}:${bound.port} with ${plan.regions.length} region(s) for ${plan.cluster.processes.length} process(es)\n`);
    await new Promise<void>((resolve) => {
      process.once('SIGTERM', resolve);
      process.once('SIGINT', resolve);
    });
    await node.close();
    io.stderr(`m${memory} stopped\n`);
    return exitCodes.ok;
  },
};
