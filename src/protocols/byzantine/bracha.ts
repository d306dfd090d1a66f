import type { Fabric, Message, ProcessId, ProcessMain } from '../../fabric/index.js';
import { hex, text } from './broadcast.js';

/**
 * Bracha's reliable broadcast over messages (1987), the baseline: n = 3f+1
 * processes, no signatures, no shared memory. For sender s's k-th message:
 * - the sender sends INIT(m) to all;
 * - on the first INIT from the sender, a process sends ECHO(m) to all;
 * - on 2f+1 ECHO(m) (a quorum of n - f that any two intersect in a correct
 *   process), or on f+1 READY(m), it sends READY(m) to all (once);
 * - on 2f+1 READY(m) it delivers m.
 * Needing 3f+1 processes is the price of having no non-equivocation:
 * message passing alone lets a Byzantine sender tell different processes
 * different things.
 */
export const brachaMutants = {
  'small-echo-quorum': 'a process sends READY after f+1 ECHOs instead of 2f+1, so an equivocating sender can get two values ready',
} as const;
export type BrachaMutant = keyof typeof brachaMutants;

export const brachaAdversaries = {
  'equivocating-sender': 'sender sending INIT(m1) to half the processes and INIT(m2) to the others, then echoing and readying both',
  'silent-sender': 'sender that sends nothing',
  'silent-replicator': 'process that sends nothing (up to f of them)',
  'flip-replicator': 'process echoing and readying a conflicting value to everyone',
} as const;
export type BrachaAdversary = keyof typeof brachaAdversaries;

export interface BrachaConfig {
  readonly n: number;
  readonly f: number;
  readonly sender: ProcessId;
  readonly messages: number;
  readonly message: (sender: ProcessId, sequence: number) => Uint8Array;
  readonly giveUpAt: number;
  /** How often a waiting process looks at the clock (it is woken by messages anyway). */
  readonly poll: number;
  readonly mutant?: BrachaMutant;
}

const kinds = { init: 1, echo: 2, ready: 3 } as const;
type Kind = keyof typeof kinds;

export function encodeBracha(kind: Kind, sequence: number, value: Uint8Array): Uint8Array {
  const bytes = new Uint8Array(3 + value.length);
  bytes[0] = kinds[kind];
  bytes[1] = sequence;
  bytes[2] = value.length;
  bytes.set(value, 3);
  return bytes;
}

export function decodeBracha(bytes: Uint8Array): { kind: Kind; sequence: number; value: Uint8Array } | null {
  if (bytes.length < 3 || bytes.length !== 3 + bytes[2] || bytes[2] === 0) return null;
  const kind = (Object.keys(kinds) as Kind[]).find((name) => kinds[name] === bytes[0]);
  return kind ? { kind, sequence: bytes[1], value: bytes.slice(3) } : null;
}

interface Instance {
  echoed: boolean;
  readied: boolean;
  delivered?: Uint8Array;
  readonly echoes: Map<string, Set<ProcessId>>;
  readonly readies: Map<string, Set<ProcessId>>;
}

export class BrachaProcess {
  private readonly instances = new Map<number, Instance>();

  constructor(
    private readonly fabric: Fabric,
    private readonly config: BrachaConfig,
  ) {}

  private instance(sequence: number): Instance {
    let found = this.instances.get(sequence);
    if (!found) {
      found = { echoed: false, readied: false, echoes: new Map(), readies: new Map() };
      this.instances.set(sequence, found);
    }
    return found;
  }

  private toAll(kind: Kind, sequence: number, value: Uint8Array): void {
    const bytes = encodeBracha(kind, sequence, value);
    for (let to = 0; to < this.config.n; to++) this.fabric.send(to, bytes);
  }

  private onMessage(message: Message): void {
    const { config } = this;
    const decoded = decodeBracha(message.data);
    if (!decoded || decoded.sequence < 1 || decoded.sequence > config.messages) return;
    const { kind, sequence, value } = decoded;
    const instance = this.instance(sequence);
    const key = hex(value);
    if (kind === 'init') {
      if (message.from !== config.sender || instance.echoed) return;
      instance.echoed = true;
      this.toAll('echo', sequence, value);
      return;
    }
    const votes = kind === 'echo' ? instance.echoes : instance.readies;
    const voters = votes.get(key) ?? new Set<ProcessId>();
    voters.add(message.from);
    votes.set(key, voters);
    const echoQuorum = config.mutant === 'small-echo-quorum' ? config.f + 1 : 2 * config.f + 1;
    const ready = (kind === 'echo' && voters.size >= echoQuorum) || (kind === 'ready' && voters.size >= config.f + 1);
    if (ready && !instance.readied) {
      instance.readied = true;
      this.toAll('ready', sequence, value);
    }
    if (kind === 'ready' && voters.size >= 2 * config.f + 1 && !instance.delivered) {
      instance.delivered = value;
      this.fabric.note('deliver', { s: config.sender, k: sequence, m: text(value), hex: key, path: 'fast' });
    }
  }

  async run(): Promise<void> {
    const { fabric, config } = this;
    fabric.onMessage((message) => this.onMessage(message));
    const delivered = (sequence: number) => this.instances.get(sequence)?.delivered !== undefined;
    for (let sequence = 1; sequence <= config.messages; sequence++) {
      if (fabric.self === config.sender) {
        const value = config.message(fabric.self, sequence);
        const operation = fabric.history.invoke('broadcast', text(value), `p${fabric.self}/${sequence}`);
        fabric.note('broadcast', { s: fabric.self, k: sequence, m: text(value), hex: hex(value) });
        this.toAll('init', sequence, value);
        while (!delivered(sequence) && fabric.now() < config.giveUpAt) await fabric.sleep(config.poll);
        if (delivered(sequence)) fabric.history.ok(operation, text(value));
        else fabric.history.info(operation, text(value));
      } else {
        while (!delivered(sequence) && fabric.now() < config.giveUpAt) await fabric.sleep(config.poll);
      }
    }
    for (let sequence = 1; sequence <= config.messages; sequence++) if (!delivered(sequence)) fabric.note('give-up', { s: config.sender, k: sequence });
    fabric.note('signatures', { made: 0, verified: 0, rejected: 0, malformed: 0 });
  }
}

/** The body of a Byzantine process of Bracha's broadcast. */
export function brachaAdversaryBody(name: BrachaAdversary, config: BrachaConfig): ProcessMain {
  return async (fabric) => {
    const encoder = new TextEncoder();
    const effect = (reason: string) => fabric.note('adversary-effect', { adversary: name, reason });
    const send = (to: ProcessId, kind: Kind, sequence: number, value: Uint8Array) => fabric.send(to, encodeBracha(kind, sequence, value));
    const everyone = Array.from({ length: config.n }, (_, process) => process);
    if (name === 'equivocating-sender') {
      for (let sequence = 1; sequence <= config.messages; sequence++) {
        const first = encoder.encode(`eq-a:${sequence}`);
        const second = encoder.encode(`eq-b:${sequence}`);
        fabric.note('broadcast', { s: fabric.self, k: sequence, m: 'equivocation', hex: '' });
        for (const to of everyone) send(to, 'init', sequence, to % 2 === 0 ? first : second);
        for (const to of everyone) for (const kind of ['echo', 'ready'] as const) send(to, kind, sequence, to % 2 === 0 ? first : second);
      }
      effect('sent different INITs, ECHOs and READYs to different processes');
    } else if (name === 'flip-replicator') {
      fabric.onMessage((message) => {
        const decoded = decodeBracha(message.data);
        if (!decoded || decoded.kind !== 'init') return;
        const lie = encoder.encode(`flip:${decoded.sequence}`);
        for (const to of everyone) for (const kind of ['echo', 'ready'] as const) send(to, kind, decoded.sequence, lie);
        effect('echoed and readied a conflicting value');
      });
    } else {
      effect(name === 'silent-sender' ? 'withheld every broadcast' : 'withheld its echoes and readies');
    }
    while (fabric.now() < config.giveUpAt) await fabric.sleep(config.giveUpAt - fabric.now());
  };
}
