import { Agent, request } from 'node:http';

/**
 * A minimal client of etcd's JSON gateway (grpc-gateway, `/v3/kv/…`) over
 * node:http with a keep-alive Agent: one socket reused across sequential
 * requests, so a bench measures etcd, not TCP handshakes. Keys and values
 * travel base64-encoded, as the gateway's JSON mapping of `bytes` requires.
 * The npm `etcd3` client speaks gRPC (four dependencies, protobuf loading);
 * the issue asks for the JSON gateway, which Node's standard library covers.
 */
export class EtcdClient {
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 1 });
  private readonly host: string;
  private readonly port: number;

  constructor(clientUrl: string, private readonly timeoutMs = 10_000) {
    const url = new URL(clientUrl);
    this.host = url.hostname;
    this.port = Number(url.port);
  }

  async put(key: string, value: string): Promise<void> {
    await this.call('/v3/kv/put', { key: b64(key), value: b64(value) });
  }

  /** The value under `key`, or undefined when there is none. */
  async get(key: string): Promise<string | undefined> {
    const reply = (await this.call('/v3/kv/range', { key: b64(key) })) as { kvs?: { value?: string }[] };
    const found = reply.kvs?.[0];
    if (found === undefined) return undefined;
    return Buffer.from(found.value ?? '', 'base64').toString('utf8');
  }

  /** This member's id and the leader's id, as the gateway prints them (decimal strings of uint64s). */
  async status(): Promise<{ member: string; leader: string }> {
    const reply = (await this.call('/v3/maintenance/status', {})) as { header?: { member_id?: string }; leader?: string };
    return { member: reply.header?.member_id ?? '', leader: reply.leader ?? '' };
  }

  /** GET /health: true when the member reports healthy (it has a leader). */
  async healthy(): Promise<boolean> {
    const { status, body } = await this.send('GET', '/health', undefined);
    return status === 200 && (JSON.parse(body) as { health?: string }).health === 'true';
  }

  close(): void {
    this.agent.destroy();
  }

  private async call(path: string, payload: object): Promise<unknown> {
    const { status, body } = await this.send('POST', path, JSON.stringify(payload));
    let parsed: { error?: string; message?: string } & Record<string, unknown>;
    try {
      parsed = JSON.parse(body) as typeof parsed;
    } catch {
      throw new Error(`etcd ${path}: HTTP ${status}: ${body.slice(0, 200)}`);
    }
    // The gateway reports gRPC errors as JSON with `error`/`message` (and a non-200 status).
    if (status !== 200 || parsed.error !== undefined) throw new Error(`etcd ${path}: HTTP ${status}: ${parsed.message ?? parsed.error ?? body.slice(0, 200)}`);
    return parsed;
  }

  private send(method: string, path: string, body: string | undefined): Promise<{ status: number; body: string }> {
    return new Promise((resolve, reject) => {
      const req = request(
        {
          host: this.host,
          port: this.port,
          method,
          path,
          agent: this.agent,
          headers: body === undefined ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
          res.on('error', reject);
        },
      );
      req.setTimeout(this.timeoutMs, () => req.destroy(new Error(`etcd ${path}: no reply after ${this.timeoutMs} ms`)));
      req.on('error', reject);
      req.end(body);
    });
  }
}

const b64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64');
