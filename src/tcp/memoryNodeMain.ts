import { publicKeyObject } from './identity.js';
import { MemoryNode } from './memoryNode.js';
import type { ServerLimits, ServerSecurity } from './authenticatedServer.js';
import type { RegionSpec } from '../fabric/index.js';

/**
 * The entry of one memory node of a tcp run, forked by `runTcp`: it gets its
 * layout over IPC, listens on an ephemeral loopback port and reports it. It
 * exits when its parent goes away; a SIGKILL is a memory crash.
 */
export interface MemoryNodeCommand {
  readonly type: 'setup';
  readonly memory: number;
  readonly memoryCount: number;
  readonly processCount: number;
  readonly regions: readonly RegionSpec[];
  readonly publicKeys: readonly string[];
  readonly host: string;
  readonly limits?: ServerLimits;
  /** This node's key pair and whether it speaks TLS. */
  readonly security?: ServerSecurity;
}

process.on('disconnect', () => process.exit(0));
process.on('message', (command: MemoryNodeCommand) => {
  void (async () => {
    try {
      const node = new MemoryNode({ ...command, keys: command.publicKeys.map(publicKeyObject) });
      const { port } = await node.listen(command.host, 0);
      process.send?.({ type: 'listening', port });
    } catch (error) {
      process.send?.({ type: 'error', message: error instanceof Error ? error.message : String(error) });
    }
  })();
});
