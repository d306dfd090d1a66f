import {
  BadAddress,
  Inbox,
  PermissionDenied,
  TimedOut,
  checkAddress,
  proposalProblem,
  getWord,
  type Access,
  type Address,
  type Fabric,
  type Message,
  type OperationValue,
  type PermissionOptions,
  type ProcessId,
  type RegionRef,
  type RegionSpec,
  type VerbOptions,
} from '../fabric/index.js';
import { OperationJournal, RunClock, seededRandom, type JournalRecord } from '../realtime/operationJournal.js';
import type { VerbConnection } from './verbConnection.js';
import { statusCodes, statusNames, verbCodes, type Frame, type Request } from './wire.js';

/**
 * The fabric of one process on the tcp backend: verbs go to memory nodes
 * over authenticated, pipelined connections (one per memory: one queue
 * pair), messages go to other processes over their own authenticated
 * connections. A memory whose connection broke (or never opened) never
 * answers again; only a caller's timeout ends the wait.
 */
export class TcpFabric implements Fabric {
  readonly history: OperationJournal;
  private readonly regionIndex = new Map<string, number>();
  /** Each region's spec alone, by name: what `checkAddress` needs to look at for a known region. */
  private readonly regionLists = new Map<string, readonly RegionSpec[]>();
  private readonly inbox = new Inbox();
  private readonly randomStream: () => number;
  private clockSource: RunClock;
  /** Connections to other processes, for messages (undefined: unreachable, messages are lost). */
  peers: (VerbConnection | undefined)[] = [];

  constructor(
    readonly self: ProcessId,
    readonly processCount: number,
    readonly memoryCount: number,
    readonly regions: readonly RegionSpec[],
    /** Connection to each memory node (undefined: unreachable — it never answers). */
    private readonly memories: readonly (VerbConnection | undefined)[],
    seed: number,
    unitMicroseconds: number,
    journal: (record: JournalRecord) => void,
  ) {
    regions.forEach((spec, index) => {
      this.regionIndex.set(spec.name, index);
      this.regionLists.set(spec.name, [spec]);
    });
    this.randomStream = seededRandom(seed, self);
    this.clockSource = new RunClock(process.hrtime.bigint(), unitMicroseconds);
    this.history = new OperationJournal(self, processCount, () => this.now(), journal);
  }

  /** Sets the run's shared epoch. */
  start(epoch: bigint): void {
    this.clockSource = new RunClock(epoch, this.clockSource.unitMicroseconds);
  }

  /** Hands a message that arrived from `from` to the handler or the inbox. */
  deliver(message: Message): void {
    this.inbox.deliver(message);
  }

  read(address: Address, length: number, options?: VerbOptions): Promise<Uint8Array> {
    return this.verb(address, length, 'read', false, options, (region) => ({ verb: 'read', region, offset: address.offset, length }), (frame) => new Uint8Array(frame.body));
  }

  write(address: Address, data: Uint8Array, options?: VerbOptions): Promise<void> {
    return this.verb(address, data.length, 'write', false, options, (region) => ({ verb: 'write', region, offset: address.offset, data: Buffer.from(data.buffer, data.byteOffset, data.byteLength) }), () => undefined);
  }

  cas(address: Address, expected: bigint, desired: bigint, options?: VerbOptions): Promise<bigint> {
    const mask = (1n << 64n) - 1n;
    return this.verb(address, 8, 'cas', true, options, (region) => ({ verb: 'cas', region, offset: address.offset, expected: expected & mask, desired: desired & mask }), (frame) => getWord(frame.body, 0));
  }

  faa(address: Address, delta: bigint, options?: VerbOptions): Promise<bigint> {
    const mask = (1n << 64n) - 1n;
    return this.verb(address, 8, 'faa', true, options, (region) => ({ verb: 'faa', region, offset: address.offset, delta: delta & mask }), (frame) => getWord(frame.body, 0));
  }

  requestPermission(region: RegionRef, access: Access, options?: PermissionOptions): Promise<void> {
    const proposal = options?.proposal;
    const problem = proposalProblem(proposal);
    if (problem !== undefined) return Promise.reject(new RangeError(`requestPermission on m${region.memory} region '${region.region}': ${problem}`));
    return this.verb({ ...region, offset: 0 }, 0, 'requestPermission', false, options, (index) => (proposal === undefined ? { verb: 'permission', region: index, access } : { verb: 'permission', region: index, access, proposal }), () => undefined);
  }

  private verb<T>(address: Address, length: number, name: string, wordAligned: boolean, options: VerbOptions | undefined, request: (region: number) => Request, decode: (frame: Frame) => T): Promise<T> {
    try {
      checkAddress(this.regionLists.get(address.region) ?? this.regions, this.memoryCount, address, length, name, wordAligned);
      if (address.offset > 0xffffffff || length > 0xffffffff) throw new BadAddress(`${name}: offset ${address.offset} or length ${length} beyond the wire's 32 bits`);
    } catch (error) {
      return Promise.reject(error instanceof BadAddress ? error : new BadAddress(String(error)));
    }
    const connection = this.memories[address.memory];
    return new Promise<T>((resolve, reject) => {
      let settled = false;
      let cancel: (() => void) | undefined;
      if (options?.timeout !== undefined) {
        const timeout = options.timeout;
        cancel = this.setTimer(timeout, () => {
          if (settled) return;
          settled = true;
          reject(new TimedOut(`${name} on m${address.memory} region '${address.region}'`, timeout));
        });
      }
      if (!connection || connection.isBroken) return; // never answers
      void connection.request(request(this.regionIndex.get(address.region) as number)).then((frame) => {
        if (settled) return;
        settled = true;
        cancel?.();
        if (frame.code === statusCodes.ok) resolve(decode(frame));
        else if (frame.code === statusCodes.permissionDenied) reject(new PermissionDenied(address.memory, address.region, name, this.self, frame.body.toString()));
        else if (frame.code === statusCodes.badAddress) reject(new BadAddress(frame.body.toString()));
        else reject(new Error(`${name} on m${address.memory}: the memory node answered ${statusNames[frame.code] ?? frame.code}: ${frame.body.toString()}`));
      });
    });
  }

  send(to: ProcessId, data: Uint8Array): void {
    if (!Number.isInteger(to) || to < 0 || to >= this.processCount) throw new RangeError(`send: no process p${to} (p0..p${this.processCount - 1})`);
    if (to === this.self) {
      const copy = data.slice();
      setImmediate(() => this.deliver({ from: this.self, data: copy }));
      return;
    }
    // Lost when the receiver is unreachable (crashed), as the contract allows.
    this.peers[to]?.post(verbCodes.message, data);
  }

  onMessage(handler: (message: Message) => void): void {
    this.inbox.setHandler(handler);
  }

  receive(): Promise<Message> {
    return this.inbox.receive();
  }

  now(): number {
    return this.clockSource.now();
  }

  clock(): number {
    return this.now();
  }

  sleep(duration: number): Promise<void> {
    return new Promise((resolve) => this.setTimer(duration, resolve));
  }

  setTimer(duration: number, callback: () => void): () => void {
    return this.clockSource.setTimer(duration, callback);
  }

  random(): number {
    return this.randomStream();
  }

  note(kind: string, detail?: Readonly<Record<string, OperationValue>>): void {
    this.history.note(kind, detail);
  }

  compute(): Promise<void> {
    return Promise.resolve();
  }
}
