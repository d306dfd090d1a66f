import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import type { KeyObject } from 'node:crypto';
import type { ProcessId } from '../fabric/index.js';
import { newNonce, verifyChallenge } from './identity.js';
import { FrameReader, defaultMaxFrameBytes, encodeFrame, signatureBytes, statusCodes, verbCodes, type Frame } from './wire.js';

/** Limits that keep a bad or slow peer from hurting a server. */
export interface ServerLimits {
  /** Largest frame `length` accepted; a larger one closes the connection. */
  readonly maxFrameBytes?: number;
  /** A connection that has not authenticated within this closes (default 5 s). */
  readonly authMilliseconds?: number;
  /** A connection holding half a frame for this long closes (default 10 s). */
  readonly stallMilliseconds?: number;
}

/** One authenticated connection, as a frame handler sees it. */
export interface Session {
  readonly process: ProcessId;
  /** Queues a reply; replies queued while one batch of frames is handled go out in one write. */
  reply(id: number, status: number, body?: Uint8Array): void;
}

/**
 * A TCP server whose peers must prove, before anything else, that they hold
 * the Ed25519 key of the process they claim to be: the server sends a fresh
 * nonce (the challenge), the peer answers with an `auth` frame carrying its
 * process id and its signature over the nonce and the server's name.
 *
 * Bad input closes only the offending connection: a malformed or oversized
 * frame, any verb before authentication, a failed signature, a peer that
 * stalls with half a frame or never authenticates. Frames are handled in
 * order and each batch's replies leave in one write.
 */
export class AuthenticatedServer {
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  /** Connections accepted, authenticated, and closed for bad input (for tests and logs). */
  readonly counters = { accepted: 0, authenticated: 0, rejected: 0 };

  constructor(
    /** This server's name in challenges: `mK` or `pN`. */
    readonly name: string,
    private readonly keys: readonly (KeyObject | undefined)[],
    private readonly handle: (session: Session, frame: Frame) => void,
    private readonly limits: ServerLimits = {},
  ) {
    this.server = createServer((socket) => this.accept(socket));
  }

  listen(host: string, port: number): Promise<{ host: string; port: number }> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.off('error', reject);
        const address = this.server.address() as AddressInfo;
        resolve({ host: address.address, port: address.port });
      });
    });
  }

  close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  get connections(): number {
    return this.sockets.size;
  }

  private accept(socket: Socket): void {
    this.counters.accepted++;
    this.sockets.add(socket);
    socket.setNoDelay(true);
    const reader = new FrameReader(this.limits.maxFrameBytes ?? defaultMaxFrameBytes);
    const nonce = newNonce();
    let process: ProcessId | undefined;
    let outgoing: Buffer[] = [];
    let closed = false;
    const stallMilliseconds = this.limits.stallMilliseconds ?? 10_000;
    let stallTimer: ReturnType<typeof setTimeout> | undefined;
    const authTimer = setTimeout(() => refuse(statusCodes.unauthenticated, `no authentication within ${this.limits.authMilliseconds ?? 5000} ms`), this.limits.authMilliseconds ?? 5000);

    const flush = () => {
      if (outgoing.length === 0 || closed) return;
      socket.write(outgoing.length === 1 ? outgoing[0] : Buffer.concat(outgoing));
      outgoing = [];
    };
    const refuse = (status: number, message: string, id = 0) => {
      if (closed) return;
      this.counters.rejected++;
      outgoing.push(encodeFrame(id, status, Buffer.from(message)));
      flush();
      closed = true;
      clearTimeout(authTimer);
      clearTimeout(stallTimer);
      socket.end();
      // A peer that does not read its error must not hold the socket open.
      setTimeout(() => socket.destroy(), 1000).unref();
    };
    const session: Session = {
      get process() {
        return process as ProcessId;
      },
      reply: (id, status, body) => outgoing.push(encodeFrame(id, status, body)),
    };

    socket.write(encodeFrame(0, statusCodes.challenge, Buffer.concat([nonce, Buffer.from(this.name)])));
    socket.on('data', (chunk: Buffer) => {
      if (closed) return;
      const frames = reader.push(chunk);
      if (!Array.isArray(frames)) return refuse(statusCodes[frames.error], frames.message);
      try {
        for (const frame of frames) {
          if (closed) break;
          if (process === undefined) {
            if (frame.code !== verbCodes.auth) return refuse(statusCodes.unauthenticated, `verb 0x${frame.code.toString(16)} before authentication`, frame.id);
            if (frame.body.length !== 2 + signatureBytes) return refuse(statusCodes.malformed, `auth: operands are ${frame.body.length} bytes, expected ${2 + signatureBytes}`, frame.id);
            const claimed = frame.body.readUInt16LE(0);
            const key = this.keys[claimed];
            if (!key || !verifyChallenge(key, this.name, nonce, claimed, frame.body.subarray(2))) {
              return refuse(statusCodes.unauthenticated, `authentication as p${claimed} failed`, frame.id);
            }
            process = claimed;
            clearTimeout(authTimer);
            this.counters.authenticated++;
            session.reply(frame.id, statusCodes.ok);
            continue;
          }
          this.handle(session, frame);
        }
      } catch (error) {
        return refuse(statusCodes.malformed, `request failed: ${error instanceof Error ? error.message : String(error)}`);
      }
      flush();
      clearTimeout(stallTimer);
      if (reader.buffered > 0) stallTimer = setTimeout(() => refuse(statusCodes.malformed, `half a frame held for ${stallMilliseconds} ms`), stallMilliseconds);
    });
    const forget = () => {
      closed = true;
      clearTimeout(authTimer);
      clearTimeout(stallTimer);
      this.sockets.delete(socket);
    };
    socket.on('error', forget);
    socket.on('close', forget);
  }
}
