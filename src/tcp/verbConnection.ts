import { connect, type Socket } from 'node:net';
import { connect as connectTls, type TLSSocket } from 'node:tls';
import type { KeyObject } from 'node:crypto';
import type { ProcessId } from '../fabric/index.js';
import { newNonce, rawPublicKey, signChallenge, verifyServerProof } from './identity.js';
import { clientTlsOptions, peerPublicKey, type TlsCredentials } from './tlsCredentials.js';
import { FrameReader, encodeFrame, encodeRequest, nonceBytes, signatureBytes, statusCodes, statusNames, verbCodes, type Frame, type Request } from './wire.js';

/** A process's proof of identity: its id and its private key (and, for TLS, its certificate made from that key). */
export interface Identity {
  readonly process: ProcessId;
  readonly key: KeyObject;
  readonly tls?: TlsCredentials;
}

/** Who the client expects at the other end, and whether to speak TLS to it. */
export interface ExpectedServer {
  /** The server's name (`mK`, `pN`): its challenge must name it. */
  readonly name: string;
  /**
   * The server's public key from the cluster file: the server must prove
   * it holds the private key (a signature over this connection's nonce,
   * and with TLS its certificate), else the connection is refused with a
   * `ServerIdentityRefused`. Absent (an old cluster file without memory
   * keys): the server is trusted by its name alone.
   */
  readonly key?: KeyObject;
  /** Mutual TLS (the identity must carry `tls` credentials). */
  readonly tls?: boolean;
}

/**
 * A server at the expected address that could not prove it is the
 * expected node: a stranger, or an impostor. Retrying will not help, so a
 * process gives up at once instead of waiting for the node to come up.
 */
export class ServerIdentityRefused extends Error {
  override readonly name = 'ServerIdentityRefused';
}

/**
 * One authenticated connection from a process to a memory node (one queue
 * pair) or to another process (messages only). Requests are pipelined:
 * frames issued in one tick leave in one write, replies come back in order
 * and settle the requests in order.
 *
 * When the connection breaks (the memory node crashed), outstanding and
 * later requests never settle, exactly as the contract says of a crashed
 * memory: only a caller's timeout ends the wait.
 */
export class VerbConnection {
  private readonly pending: { id: number; settle: (frame: Frame) => void }[] = [];
  private outgoing: Buffer[] = [];
  private flushArmed = false;
  private nextId = 1;
  private broken = false;

  private constructor(
    private readonly socket: Socket,
    /** The target's name, as its challenge gave it. */
    readonly target: string,
  ) {}

  /**
   * Connects (over mutual TLS when `expected.tls`), answers the challenge,
   * checks the server's proof of identity when its key is expected, and
   * resolves once the target accepted this process's identity.
   */
  static open(host: string, port: number, identity: Identity, expected?: string | ExpectedServer): Promise<VerbConnection> {
    const server: ExpectedServer | undefined = typeof expected === 'string' ? { name: expected } : expected;
    const expectedTarget = server?.name;
    const where = `${expectedTarget ?? 'the server'} at ${host}:${port}`;
    return new Promise((resolve, reject) => {
      if (server?.tls && !identity.tls) return reject(new Error(`p${identity.process}: tls to ${where} needs this process's certificate`));
      if (server?.tls && !server.key) return reject(new Error(`tls to ${where} needs ${expectedTarget}'s public key (the cluster file lists none)`));
      const socket: Socket = server?.tls ? connectTls({ host, port, ...clientTlsOptions(identity.tls as TlsCredentials) }) : connect({ host, port, noDelay: true });
      const reader = new FrameReader();
      const clientNonce = server?.key ? newNonce() : undefined;
      let serverNonce: Buffer | undefined;
      let connection: VerbConnection | undefined;
      let authenticated = false;
      let settled = false;
      const fail = (error: Error) => {
        settled = true;
        socket.destroy();
        reject(error);
      };
      // OpenSSL's message is a long line of library detail; its reason is the part a person can act on.
      const failOnError = (error: Error & { reason?: string }) => {
        if (!server?.tls || settled) return fail(error);
        const reason = error.reason ?? error.message;
        fail(new Error(`${where}: tls failed: ${reason}${/wrong version|packet length/i.test(reason) ? ' (is it running without tls?)' : ''}`));
      };
      socket.once('error', failOnError);
      if (server?.tls) {
        socket.setNoDelay(true);
        socket.once('secureConnect', () => {
          const peer = peerPublicKey(socket as TLSSocket);
          const wanted = rawPublicKey(server.key as KeyObject);
          if (!('key' in peer)) return fail(new ServerIdentityRefused(`${where} ${peer.error}: refused (not ${expectedTarget})`));
          if (peer.key !== wanted) return fail(new ServerIdentityRefused(`${where} presented key ${peer.key.slice(0, 12)}…, but the cluster file gives ${expectedTarget} key ${wanted.slice(0, 12)}…: refused as an impostor`));
        });
      }
      socket.on('data', (chunk: Buffer) => {
        if (settled && !authenticated) return;
        const frames = reader.push(chunk);
        if (!Array.isArray(frames)) return connection ? connection.breakDown() : fail(new Error(`${host}:${port}: ${frames.message}`));
        for (const frame of frames) {
          if (!connection) {
            if (frame.code !== statusCodes.challenge && statusNames[frame.code] !== undefined) return fail(new Error(`${where} refused p${identity.process} before its challenge: ${statusNames[frame.code]} ${frame.body.toString()}`));
            if (frame.code !== statusCodes.challenge || frame.body.length < nonceBytes) return fail(new Error(`${host}:${port}: expected a challenge, got code 0x${frame.code.toString(16)}`));
            const target = frame.body.subarray(nonceBytes).toString();
            if (expectedTarget !== undefined && target !== expectedTarget) return fail(new ServerIdentityRefused(`${host}:${port} is ${target}, expected ${expectedTarget}: refused`));
            connection = new VerbConnection(socket, target);
            serverNonce = Buffer.from(frame.body.subarray(0, nonceBytes));
            const body = Buffer.allocUnsafe(2);
            body.writeUInt16LE(identity.process, 0);
            socket.write(encodeFrame(0, verbCodes.auth, Buffer.concat([body, signChallenge(identity.key, target, serverNonce, identity.process), ...(clientNonce ? [clientNonce] : [])])));
          } else if (!authenticated) {
            if (frame.code !== statusCodes.ok) return fail(new Error(`${connection.target} refused p${identity.process}: ${statusNames[frame.code] ?? frame.code} ${frame.body.toString()}`));
            if (server?.key && clientNonce) {
              const proven = frame.body.length === signatureBytes && verifyServerProof(server.key, connection.target, identity.process, clientNonce, serverNonce as Buffer, frame.body);
              if (!proven) {
                const why = frame.body.length === 0 ? `gave no proof of its identity (a node without its key, or not ${expectedTarget})` : `could not prove it holds ${expectedTarget}'s key from the cluster file`;
                return fail(new ServerIdentityRefused(`${where} ${why}: refused as an impostor`));
              }
            }
            authenticated = true;
            settled = true;
            socket.off('error', failOnError);
            socket.on('error', () => connection?.breakDown());
            socket.on('close', () => connection?.breakDown());
            resolve(connection);
          } else connection.receive(frame);
        }
      });
      socket.once('close', () => {
        if (!authenticated && !settled) {
          settled = true;
          reject(new Error(`${where} closed the connection during authentication${server?.tls ? '' : ' (a refused identity, or a node that expects tls)'}`));
        }
      });
    });
  }

  get isBroken(): boolean {
    return this.broken;
  }

  /** Issues one region verb; resolves with its reply (status and body), or never if the connection broke. */
  request(request: Request): Promise<Frame> {
    const id = this.nextId;
    this.nextId = (this.nextId + 1) >>> 0 || 1;
    return new Promise((settle) => {
      if (this.broken) return;
      this.pending.push({ id, settle });
      this.enqueue(encodeRequest(id, request));
    });
  }

  /** Sends a frame that gets no reply (a message to a process). */
  post(code: number, body: Uint8Array): void {
    if (!this.broken) this.enqueue(encodeFrame(0, code, body));
  }

  close(): void {
    this.breakDown();
    this.socket.destroy();
  }

  private enqueue(frame: Buffer): void {
    this.outgoing.push(frame);
    if (this.flushArmed) return;
    this.flushArmed = true;
    // Everything issued in this tick leaves in one write (one syscall, one segment when small).
    process.nextTick(() => {
      this.flushArmed = false;
      if (this.broken || this.outgoing.length === 0) return;
      this.socket.write(this.outgoing.length === 1 ? this.outgoing[0] : Buffer.concat(this.outgoing));
      this.outgoing = [];
    });
  }

  private receive(frame: Frame): void {
    const head = this.pending.shift();
    if (!head || head.id !== frame.id) {
      // Replies come in order; anything else means the stream cannot be trusted.
      this.breakDown();
      this.socket.destroy();
      return;
    }
    head.settle(frame);
  }

  private breakDown(): void {
    this.broken = true;
    this.pending.length = 0;
    this.outgoing = [];
  }
}
