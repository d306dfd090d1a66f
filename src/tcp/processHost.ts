import type { MemoryId, ProcessId, RegionSpec } from '../fabric/index.js';
import { AuthenticatedServer, type ServerLimits } from './authenticatedServer.js';
import { privateKeyObject, publicKeyObject, type KeyPair } from './identity.js';
import type { JournalRecord } from '../realtime/operationJournal.js';
import { TcpFabric } from './tcpFabric.js';
import { tlsCredentials } from './tlsCredentials.js';
import { ServerIdentityRefused, VerbConnection, type Identity } from './verbConnection.js';
import { verbCodes } from './wire.js';

/** A `host:port` pair. */
export interface Endpoint {
  readonly host: string;
  readonly port: number;
}

/** Everything one process needs to join a tcp cluster. */
export interface ProcessSetup {
  readonly self: ProcessId;
  readonly processCount: number;
  readonly memoryCount: number;
  readonly regions: readonly RegionSpec[];
  /** Public keys of every process (base64 raw). */
  readonly publicKeys: readonly string[];
  /** This process's key pair. */
  readonly identity: KeyPair;
  readonly seed: number;
  readonly unitMicroseconds: number;
  /** Where this process listens for messages (port 0: any). */
  readonly listen: Endpoint;
  readonly limits?: ServerLimits;
  /** Public key of each memory node (base64 raw), which it must prove it holds; absent or undefined: trusted by its name alone (old cluster files). */
  readonly memoryKeys?: readonly (string | undefined)[];
  /** Mutual TLS on every connection, in and out (docs/wire.md). */
  readonly tls?: boolean;
}

/**
 * One process of a tcp cluster: a message listener that only authenticated
 * processes may talk to, connections to the memory nodes and to the other
 * processes, and the process's fabric on top.
 */
export class ProcessHost {
  readonly fabric: TcpFabric;
  private readonly server: AuthenticatedServer;
  private readonly identity: Identity;
  private readonly memoryConnections: (VerbConnection | undefined)[];
  private readonly peerConnections: (VerbConnection | undefined)[];

  constructor(
    private readonly setup: ProcessSetup,
    journal: (record: JournalRecord) => void,
  ) {
    const keys = setup.publicKeys.map(publicKeyObject);
    this.identity = { process: setup.self, key: privateKeyObject(setup.identity), ...(setup.tls ? { tls: tlsCredentials(`p${setup.self}`, setup.identity) } : {}) };
    this.memoryConnections = Array.from({ length: setup.memoryCount }, () => undefined);
    this.peerConnections = Array.from({ length: setup.processCount }, () => undefined);
    this.fabric = new TcpFabric(setup.self, setup.processCount, setup.memoryCount, setup.regions, this.memoryConnections, setup.seed, setup.unitMicroseconds, journal);
    this.fabric.peers = this.peerConnections;
    this.server = new AuthenticatedServer(
      `p${setup.self}`,
      keys,
      (session, frame) => {
        if (frame.code === verbCodes.message) this.fabric.deliver({ from: session.process, data: new Uint8Array(frame.body) });
        else session.reply(frame.id, 0x05, Buffer.from(`a process accepts only messages (code 0x20), got 0x${frame.code.toString(16)}`));
      },
      setup.limits,
      { identity: setup.identity, ...(setup.tls ? { tls: true } : {}) },
    );
  }

  listen(): Promise<Endpoint> {
    return this.server.listen(this.setup.listen.host, this.setup.listen.port);
  }

  /**
   * Connects to every memory node and every other process, retrying a
   * refused connection for up to `retryMilliseconds` (peers of a cluster
   * may come up in any order). A target still unreachable then stays so:
   * its verbs never answer and messages to it are lost, as for a crash.
   * A server that answers but cannot prove it is the expected node (a
   * stranger on its port) is not retried: this rejects with a
   * `ServerIdentityRefused` naming the node and its address.
   */
  async connect(memories: readonly (Endpoint | null)[], peers: readonly (Endpoint | null)[], retryMilliseconds: number): Promise<{ unreachable: string[] }> {
    const unreachable: string[] = [];
    // Set when a stranger was refused: the other attempts stop too (and close what they opened), so nothing keeps retrying.
    let givenUp = false;
    const attempt = async (endpoint: Endpoint | null, name: string, key: string | undefined): Promise<VerbConnection | undefined> => {
      if (!endpoint) return undefined;
      const deadline = Date.now() + retryMilliseconds;
      const expected = { name, ...(key ? { key: publicKeyObject(key) } : {}), ...(this.setup.tls ? { tls: true } : {}) };
      for (;;) {
        if (givenUp) return undefined;
        try {
          const connection = await VerbConnection.open(endpoint.host, endpoint.port, this.identity, expected);
          if (givenUp) connection.close();
          return givenUp ? undefined : connection;
        } catch (error) {
          // A stranger on the expected port will not become the expected node by waiting: give up at once.
          if (error instanceof ServerIdentityRefused) {
            givenUp = true;
            throw error;
          }
          if (Date.now() >= deadline) {
            unreachable.push(`${name} at ${endpoint.host}:${endpoint.port} (${error instanceof Error ? error.message : String(error)})`);
            return undefined;
          }
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      }
    };
    await Promise.all([
      ...memories.map(async (endpoint, memory: MemoryId) => (this.memoryConnections[memory] = await attempt(endpoint, `m${memory}`, this.setup.memoryKeys?.[memory]))),
      ...peers.map(async (endpoint, process) => {
        if (process !== this.setup.self) this.peerConnections[process] = await attempt(endpoint, `p${process}`, this.setup.publicKeys[process]);
      }),
    ]);
    return { unreachable };
  }

  async close(): Promise<void> {
    for (const connection of [...this.memoryConnections, ...this.peerConnections]) connection?.close();
    await this.server.close();
  }
}
