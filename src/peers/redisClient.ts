import { connect, type Socket } from 'node:net';

type Reply = string | number | null | Reply[];

/**
 * A minimal RESP2 client over node:net: one command in flight at a time
 * (sequential, as the bench measures), SET/GET/PING. `ioredis` (six
 * dependencies, pipelining, cluster support) does far more than a latency
 * bench needs, and its queueing would be part of what we measure.
 */
export class RedisClient {
  private buffer: Buffer = Buffer.alloc(0);
  private waiting: { resolve: (reply: Reply) => void; reject: (error: Error) => void } | undefined;
  private failure: Error | undefined;

  private constructor(private readonly socket: Socket) {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => {
      this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
      this.drain();
    });
    const fail = (error: Error) => {
      this.failure ??= error;
      const waiting = this.waiting;
      this.waiting = undefined;
      waiting?.reject(error);
    };
    socket.on('error', fail);
    socket.on('close', () => fail(new Error('redis connection closed')));
  }

  static connect(port: number, timeoutMs = 10_000, host = '127.0.0.1'): Promise<RedisClient> {
    return new Promise((resolve, reject) => {
      const socket = connect({ port, host });
      const timer = setTimeout(() => socket.destroy(new Error(`redis ${host}:${port}: no connection after ${timeoutMs} ms`)), timeoutMs);
      const failed = (error: Error) => {
        clearTimeout(timer);
        reject(error);
      };
      socket.once('error', failed);
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.removeListener('error', failed);
        resolve(new RedisClient(socket));
      });
    });
  }

  async ping(): Promise<string> {
    return String(await this.command('PING'));
  }

  async set(key: string, value: string): Promise<void> {
    const reply = await this.command('SET', key, value);
    if (reply !== 'OK') throw new Error(`redis SET: unexpected reply ${JSON.stringify(reply)}`);
  }

  /** The value under `key`, or undefined when there is none. */
  async get(key: string): Promise<string | undefined> {
    const reply = await this.command('GET', key);
    return reply === null ? undefined : String(reply);
  }

  close(): void {
    this.socket.destroy();
  }

  /** Sends one command (a RESP array of bulk strings) and resolves with its reply; server errors reject with the server's message. */
  command(...parts: string[]): Promise<Reply> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    if (this.waiting !== undefined) return Promise.reject(new Error('redis client: one command at a time'));
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject };
      const encoded = parts.map((part) => `$${Buffer.byteLength(part)}\r\n${part}\r\n`).join('');
      this.socket.write(`*${parts.length}\r\n${encoded}`);
    });
  }

  private drain(): void {
    if (this.waiting === undefined) return;
    let parsed: { reply: Reply | Error; end: number } | undefined;
    try {
      parsed = parseReply(this.buffer, 0);
    } catch (error) {
      this.socket.destroy(error as Error);
      return;
    }
    if (parsed === undefined) return; // incomplete: wait for more bytes
    this.buffer = this.buffer.subarray(parsed.end);
    const waiting = this.waiting;
    this.waiting = undefined;
    if (parsed.reply instanceof Error) waiting.reject(parsed.reply);
    else waiting.resolve(parsed.reply);
  }
}

/** One RESP2 reply starting at `at`, or undefined when the buffer does not hold all of it yet. */
export function parseReply(buffer: Buffer, at: number): { reply: Reply | Error; end: number } | undefined {
  const lineEnd = buffer.indexOf('\r\n', at);
  if (lineEnd < 0) return undefined;
  const kind = String.fromCharCode(buffer[at]);
  const line = buffer.toString('utf8', at + 1, lineEnd);
  const next = lineEnd + 2;
  switch (kind) {
    case '+':
      return { reply: line, end: next };
    case '-':
      return { reply: new Error(`redis: ${line}`), end: next };
    case ':':
      return { reply: Number(line), end: next };
    case '$': {
      const length = Number(line);
      if (length < 0) return { reply: null, end: next };
      if (buffer.length < next + length + 2) return undefined;
      return { reply: buffer.toString('utf8', next, next + length), end: next + length + 2 };
    }
    case '*': {
      const count = Number(line);
      if (count < 0) return { reply: null, end: next };
      const items: Reply[] = [];
      let end = next;
      for (let i = 0; i < count; i++) {
        const item = parseReply(buffer, end);
        if (item === undefined) return undefined;
        if (item.reply instanceof Error) throw item.reply;
        items.push(item.reply);
        end = item.end;
      }
      return { reply: items, end };
    }
    default:
      throw new Error(`redis: unexpected reply type ${JSON.stringify(kind)}`);
  }
}
