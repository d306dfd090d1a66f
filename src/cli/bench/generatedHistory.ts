import { Prng } from '../../sim/prng.js';

/**
 * Long linearizable histories for the long-run bench, written line by line
 * in mnm's history format: `processes` clients call operations at random
 * steps; each operation takes effect on a sequential object at a random step
 * between its call and its return, and returns what the object gave then,
 * so the history is linearizable by construction. Seeded, so every run of
 * the bench checks the same histories.
 *
 * `register`: reads and writes of one register (values unique per write).
 * `kv`: gets, puts and appends over `keys` keys; a put replaces the value,
 * so values stay short however long the history.
 */
export interface GeneratedHistoryOptions {
  readonly model: 'register' | 'kv';
  readonly operations: number;
  readonly processes: number;
  readonly keys?: number;
  readonly seed: number;
}

interface Client {
  phase: 'idle' | 'called' | 'applied';
  f: string;
  key?: string;
  input: unknown;
  output: unknown;
}

/** Calls `line` with each line of the history (with its newline), in order. */
export function generateHistory(options: GeneratedHistoryOptions, line: (text: string) => void): void {
  const random = new Prng(options.seed, 'generated-history');
  const clients: Client[] = Array.from({ length: options.processes }, () => ({ phase: 'idle', f: '', input: null, output: null }));
  const keys = options.keys ?? 1;
  let register: unknown = null;
  const store = new Map<string, string>();
  let called = 0;
  let returned = 0;
  let written = 0;
  while (returned < options.operations) {
    const process = Math.floor(random.float() * options.processes);
    const client = clients[process];
    if (client.phase === 'idle') {
      if (called === options.operations) continue;
      called++;
      written++;
      if (options.model === 'register') {
        const read = random.float() < 0.6;
        Object.assign(client, read ? { f: 'read', input: null } : { f: 'write', input: written });
      } else {
        const key = String(Math.floor(random.float() * keys));
        const roll = random.float();
        Object.assign(client, roll < 0.5 ? { f: 'get', key, input: null } : roll < 0.8 ? { f: 'put', key, input: `v${written}` } : { f: 'append', key, input: ` a${written}` });
      }
      client.phase = 'called';
      line(eventLine(process, 'invoke', client, client.input));
    } else if (client.phase === 'called') {
      // The moment the operation takes effect: nothing is written, the object changes.
      if (options.model === 'register') {
        if (client.f === 'write') register = client.input;
        client.output = client.f === 'read' ? register : client.input;
      } else {
        const key = client.key as string;
        if (client.f === 'put') store.set(key, client.input as string);
        else if (client.f === 'append') store.set(key, (store.get(key) ?? '') + (client.input as string));
        client.output = client.f === 'get' ? (store.get(key) ?? '') : client.input;
      }
      client.phase = 'applied';
    } else {
      line(eventLine(process, 'ok', client, client.output));
      client.phase = 'idle';
      returned++;
    }
  }
}

function eventLine(process: number, type: 'invoke' | 'ok', client: Client, value: unknown): string {
  return JSON.stringify({ process, type, f: client.f, ...(client.key === undefined ? {} : { key: client.key }), value }) + '\n';
}
