import { connect, type Socket } from 'node:net';
import type { KeyObject } from 'node:crypto';
import type { ProcessId } from '../fabric/index.js';
import { signChallenge } from './identity.js';
import { FrameReader, encodeFrame, encodeRequest, nonceBytes, statusCodes, statusNames, verbCodes, type Frame, type Request } from './wire.js';

/** A process's proof of identity: its id and its private key. */
export interface Identity {
  readonly process: ProcessId;
  readonly key: KeyObject;
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

  /** Connects, answers the challenge, and resolves once the target accepted the identity. */
  static open(host: string, port: number, identity: Identity, expectedTarget?: string): Promise<VerbConnection> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host, port, noDelay: true });
      const reader = new FrameReader();
      let connection: VerbConnection | undefined;
      let authenticated = false;
      const fail = (error: Error) => {
        socket.destroy();
        reject(error);
      };
      socket.once('error', fail);
      socket.on('data', (chunk: Buffer) => {
        const frames = reader.push(chunk);
        if (!Array.isArray(frames)) return connection ? connection.breakDown() : fail(new Error(`${host}:${port}: ${frames.message}`));
        for (const frame of frames) {
          if (!connection) {
            if (frame.code !== statusCodes.challenge || frame.body.length < nonceBytes) return fail(new Error(`${host}:${port}: expected a challenge, got code 0x${frame.code.toString(16)}`));
            const target = frame.body.subarray(nonceBytes).toString();
            if (expectedTarget !== undefined && target !== expectedTarget) return fail(new Error(`${host}:${port} is ${target}, expected ${expectedTarget}`));
            connection = new VerbConnection(socket, target);
            const body = Buffer.allocUnsafe(2);
            body.writeUInt16LE(identity.process, 0);
            socket.write(encodeFrame(0, verbCodes.auth, Buffer.concat([body, signChallenge(identity.key, target, frame.body.subarray(0, nonceBytes), identity.process)])));
          } else if (!authenticated) {
            if (frame.code !== statusCodes.ok) return fail(new Error(`${connection.target} refused p${identity.process}: ${statusNames[frame.code] ?? frame.code} ${frame.body.toString()}`));
            authenticated = true;
            socket.off('error', fail);
            socket.on('error', () => connection?.breakDown());
            socket.on('close', () => connection?.breakDown());
            resolve(connection);
          } else connection.receive(frame);
        }
      });
      socket.once('close', () => {
        if (!authenticated) reject(new Error(`${host}:${port} closed the connection during authentication`));
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
