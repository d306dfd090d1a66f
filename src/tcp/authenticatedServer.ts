import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer, type TLSSocket } from 'node:tls';
import type { KeyObject } from 'node:crypto';
import type { ProcessId } from '../fabric/index.js';
import { newNonce, privateKeyObject, rawPublicKey, signServerProof, verifyChallenge, type KeyPair } from './identity.js';
import { peerPublicKey, serverTlsOptions, tlsCredentials } from './tlsCredentials.js';
import { FrameReader, defaultMaxFrameBytes, encodeFrame, nonceBytes, signatureBytes, statusCodes, verbCodes, type Frame } from './wire.js';

/** Limits that keep a bad or slow peer from hurting a server. */
export interface ServerLimits {
  /** Largest frame `length` accepted; a larger one closes the connection. */
  readonly maxFrameBytes?: number;
  /** A connection that has not authenticated within this closes (default 5 s). */
  readonly authMilliseconds?: number;
  /** A connection holding half a frame for this long closes (default 10 s). */
  readonly stallMilliseconds?: number;
}

/** How a server proves its own identity and protects its connections (docs/wire.md). */
export interface ServerSecurity {
  /**
   * This server's own key pair (the cluster file's key of `mK` or `pN`).
   * With it the server signs every client's nonce, so a client that knows
   * the server's public key can refuse a stranger on the server's port.
   * Without it (an old cluster file) the server cannot prove who it is.
   */
  readonly identity?: KeyPair;
  /** Mutual TLS 1.3 with a certificate made from `identity` (required then); clients must present a process's key. */
  readonly tls?: boolean;
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
 * The server proves its own identity in its `ok` to the auth frame: its
 * signature over the client's nonce (when the client sent one and the
 * server has a key). With TLS the whole exchange runs inside a mutual-TLS
 * connection: the client's certificate must carry one of the processes'
 * keys, and the auth frame must claim that same process.
 *
 * Bad input closes only the offending connection: a malformed or oversized
 * frame, any verb before authentication, a failed signature, a peer that
 * stalls with half a frame or never authenticates. Frames are handled in
 * order and each batch's replies leave in one write.
 */
export class AuthenticatedServer {
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  private readonly signingKey: KeyObject | undefined;
  /** Each process's raw public key, to pin a client certificate against. */
  private readonly rawKeys: readonly (string | undefined)[];
  /**
   * Connections accepted, authenticated, and closed for bad input (for tests
   * and logs); `tlsFailed`: connections TLS ended, a handshake that failed
   * (no TLS, a bad certificate) or a record that did not open (altered,
   * replayed, reordered).
   */
  readonly counters = { accepted: 0, authenticated: 0, rejected: 0, tlsFailed: 0 };

  constructor(
    /** This server's name in challenges: `mK` or `pN`. */
    readonly name: string,
    private readonly keys: readonly (KeyObject | undefined)[],
    private readonly handle: (session: Session, frame: Frame) => void,
    private readonly limits: ServerLimits = {},
    private readonly security: ServerSecurity = {},
  ) {
    this.signingKey = security.identity ? privateKeyObject(security.identity) : undefined;
    this.rawKeys = keys.map((key) => (key ? rawPublicKey(key) : undefined));
    if (security.tls) {
      if (!security.identity) throw new Error(`${name}: tls needs this server's own key pair (the cluster file's key of ${name})`);
      const options = { ...serverTlsOptions(tlsCredentials(name, security.identity)), handshakeTimeout: limits.authMilliseconds ?? 5000 };
      const server = createTlsServer(options, (socket) => this.accept(socket));
      // A failed handshake or a record that does not open (tampered, replayed) ends only that connection.
      server.on('tlsClientError', (_error, socket) => {
        this.counters.tlsFailed++;
        socket.destroy();
      });
      this.server = server;
    } else this.server = createServer((socket) => this.accept(socket));
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
    // With TLS, the process whose key the client's certificate carries: the only identity its auth frame may claim.
    let certified: ProcessId | undefined;
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

    if (this.security.tls) {
      const peer = peerPublicKey(socket as TLSSocket);
      const index = 'key' in peer ? this.rawKeys.indexOf(peer.key) : -1;
      if (index < 0) {
        socket.on('error', () => {});
        socket.on('close', () => this.sockets.delete(socket));
        return refuse(statusCodes.unauthenticated, `the client's certificate ${'key' in peer ? 'carries no process key of this cluster' : peer.error}`);
      }
      certified = index;
    }
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
            // Without the client's nonce (66 bytes) the client asks for no proof of the server's identity.
            if (frame.body.length !== 2 + signatureBytes && frame.body.length !== 2 + signatureBytes + nonceBytes) {
              return refuse(statusCodes.malformed, `auth: operands are ${frame.body.length} bytes, expected ${2 + signatureBytes} or ${2 + signatureBytes + nonceBytes}`, frame.id);
            }
            const claimed = frame.body.readUInt16LE(0);
            const key = this.keys[claimed];
            if (!key || !verifyChallenge(key, this.name, nonce, claimed, frame.body.subarray(2, 2 + signatureBytes))) {
              return refuse(statusCodes.unauthenticated, `authentication as p${claimed} failed`, frame.id);
            }
            if (certified !== undefined && claimed !== certified) return refuse(statusCodes.unauthenticated, `the tls certificate is p${certified}'s, the auth frame claims p${claimed}`, frame.id);
            process = claimed;
            clearTimeout(authTimer);
            this.counters.authenticated++;
            const clientNonce = frame.body.subarray(2 + signatureBytes);
            session.reply(frame.id, statusCodes.ok, this.signingKey && clientNonce.length === nonceBytes ? signServerProof(this.signingKey, this.name, claimed, clientNonce, nonce) : undefined);
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
    socket.on('error', (error: NodeJS.ErrnoException) => {
      // OpenSSL's errors (a record whose seal does not open) as opposed to the network's (a reset).
      if (error.code?.startsWith('ERR_SSL')) this.counters.tlsFailed++;
      forget();
    });
    socket.on('close', forget);
  }
}
