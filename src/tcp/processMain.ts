import { writeSync } from 'node:fs';
import type { BodyFactory, BodyReference, JournalRecord } from '../realtime/operationJournal.js';
import { publicKeyObject } from './identity.js';
import { MemoryNode } from './memoryNode.js';
import type { MemoryNodeCommand } from './memoryNodeMain.js';
import { ProcessHost, type Endpoint, type ProcessSetup } from './processHost.js';

/**
 * The entry of one process of a tcp run, forked by `runTcp`. Talks to its
 * parent over the IPC channel (setup, listening, connect, ready, start,
 * done/error) and writes its journal as JSON lines to fd 4 synchronously, so
 * that what it recorded before a SIGKILL is in the pipe already.
 */
export type ProcessCommand =
  /** `memory`: a memory node this OS process serves too, on its own port (co-located hosts, `runTcp`'s `colocatedMemories`). */
  | { readonly type: 'setup'; readonly setup: ProcessSetup; readonly body: BodyReference; readonly memory?: MemoryNodeCommand }
  | { readonly type: 'connect'; readonly memories: readonly (Endpoint | null)[]; readonly peers: readonly (Endpoint | null)[] }
  | { readonly type: 'start'; readonly epoch: string };

export type ProcessReport =
  | { readonly type: 'listening'; readonly port: number; readonly memoryPort?: number }
  | { readonly type: 'ready'; readonly idle: boolean; readonly unreachable: readonly string[] }
  | { readonly type: 'done'; readonly result: unknown }
  | { readonly type: 'error'; readonly message: string };

const journalFd = 4;

function journal(record: JournalRecord): void {
  const line = Buffer.from(JSON.stringify(record) + '\n');
  let written = 0;
  while (written < line.length) {
    try {
      written += writeSync(journalFd, line, written);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') throw error;
    }
  }
}

const report = (message: ProcessReport) => process.send?.(message);
const describe = (error: unknown) => (error instanceof Error ? (error.stack ?? error.message) : String(error));

let host: ProcessHost | undefined;
let body: ((fabric: ProcessHost['fabric']) => Promise<unknown>) | undefined;

process.on('disconnect', () => process.exit(0));
process.on('message', (command: ProcessCommand) => {
  void (async () => {
    try {
      if (command.type === 'setup') {
        host = new ProcessHost(command.setup, journal);
        const module = (await import(command.body.module)) as Record<string, unknown>;
        const factory = module[command.body.export] as BodyFactory | undefined;
        if (typeof factory !== 'function') throw new Error(`module ${command.body.module} exports no function '${command.body.export}'`);
        body = factory(command.body.args, command.setup.self);
        const { port } = await host.listen();
        // A co-located memory is served by this process's own event loop: it answers only while this process runs.
        const memory = command.memory;
        const memoryPort = memory === undefined ? undefined : (await new MemoryNode({ ...memory, keys: memory.publicKeys.map(publicKeyObject) }).listen(memory.host, 0)).port;
        report({ type: 'listening', port, ...(memoryPort === undefined ? {} : { memoryPort }) });
      } else if (command.type === 'connect') {
        const { unreachable } = await (host as ProcessHost).connect(command.memories, command.peers, 0);
        report({ type: 'ready', idle: body === undefined, unreachable });
      } else if (command.type === 'start') {
        const fabric = (host as ProcessHost).fabric;
        fabric.start(BigInt(command.epoch));
        if (!body) return;
        const result = await body(fabric);
        report({ type: 'done', result: result === undefined ? null : result });
      }
    } catch (error) {
      report({ type: 'error', message: describe(error) });
    }
  })();
});
