import { getWord, PermissionDenied, TimedOut, wordBytes, type Fabric, type MemoryId, type OperationValue, type ProcessId } from '../../../fabric/index.js';
import { firstBallot, nextBallot } from '../../common/ballot.js';
import { indexedMessages } from '../../common/instances.js';
import { EntryTooLarge, InvalidLogConfig, LogClosed, LogFull } from '../../common/logErrors.js';
import { metered, newMeter, type Meter } from '../../common/meter.js';
import type { LogEntry, ReplicatedLog } from '../../common/replicatedLog.js';
import { decodeEntry, delivers, encodeEntry, entryTagSize, noOp, tagKey } from '../logEntry.js';
import { advanceCommit, aliveAfter, appliable, catchUpRange, copyToWrite, heldEntry, knownCommitPoint, leaderOf, nextScore, settlePlan } from './muDecide.js';
import { decodeMuEntry, encodeMuEntry, muEntrySize, type OpenedEntry } from './muEntry.js';
import { entryOffset, fuoOffset, heartbeatAddress, logAddress, minProposalOffset, muLogHeader, muSlotSize, validateMuLayout, type EntryCopy, type MuLayout } from './muLayout.js';
import type { MuMutant } from './mutants.js';
import type { MuTiming } from './muTiming.js';
import { DeliveryFeed } from '../../common/deliveryFeed.js';

/**
 * Mu (Aguilera et al., OSDI 2020; specs/mu.md): a replicated log whose stable
 * leader commits an entry with one one-sided write to every replica's log and
 * a wait for a majority — one round trip, no read, no follower CPU.
 *
 * Replica i is process pi with its log in its own memory mi (muLayout.ts).
 *
 * Replication plane. The leader of proposal b writes entry k, (b, its FUO,
 * payload, checksum over the entry and k), at slot k of every replica's log
 * where this term is *ready* (below) — its own log counts like any other —
 * and commits k once a majority acknowledged k and everything before it.
 * Up to `window` entries are in flight; writes to one memory land in issue
 * order, so every ready replica receives the leader's entries in index
 * order. A refused write means another leader was granted that log: this one
 * is deposed and stops at once; its own appends in flight reject with
 * `AppendOutcomeUnknown` (they may still be decided, by adoption).
 *
 * Followers spend no CPU on a commit. A replica learns commits from its own
 * log: on each tick of its main loop it reads its header and the slots from
 * its applied point on (reads of its own memory — on RDMA a local load, here
 * a verb to mi) and applies the whole entries below the highest FUO it
 * holds: the FUO piggybacked on every entry, and the header's FUO, which the
 * leader rewrites on its tick when its commit point moved (so the last entry
 * of a burst is learnt without waiting for the next one). A torn slot (the
 * leader's write still landing) fails its checksum and waits for the next
 * tick. A replica that does not lead forwards its appends to the leader (the
 * client's request; not part of the commit) and again every few ticks until
 * it has applied them; an append is tagged (logEntry.ts), so a repeat is
 * delivered once. When the leader decides a forwarded append it answers its
 * replica (a `decided` message: its proposal b and commit point, the
 * paper's reply to the client); that replica polls its log at once and also
 * applies the entries it holds below that point whose accepted proposal is
 * b — leader b writes each index once, so those are b's decided values.
 *
 * Background plane. Each replica's main-loop tick increments its heartbeat
 * counter (its own `mu-heartbeat-i`, never the log region) and reads the
 * others'; a counter that did not move (or a read that timed out) lowers
 * that replica's score, a moving one raises it (muDecide.ts, thresholds
 * configurable in the backend's time unit). The leader is the lowest-id
 * replica considered alive. Because the counter moves only when the main
 * loop runs, a paused or wedged leader is replaced.
 *
 * Becoming leader, with a fresh proposal b above every one seen: on every
 * replica j in parallel, in this order (one queue pair, so each verb lands
 * after the one before): ask for write permission on j's log carrying b
 * (ordered exclusive writer: granted only if b is at least the highest
 * granted there, revoking everyone else); read j's header — a minProposal
 * above b abandons the term; write minProposal := b (prepare); read j's
 * whole log. j is ready once all four completed. With a majority ready: the
 * commit point C is the highest FUO they hold; the leader takes indices
 * below C from a log whose FUO is C (a decided prefix); it catches up each
 * ready replica from its FUO only up to C, never beyond (an entry past C may
 * be undecided); then it settles every slot from C to the last one any ready
 * view holds with the highest accepted entry there, or a no-op where all
 * are empty, each re-proposed with b; then the fast path. A replica that
 * becomes ready later (a straggler) is caught up the same way and then
 * receives the rest in order; only then do its acknowledgements count. A
 * straggler refused for a higher proposal deposes the leader: another
 * candidate holds that log, and if a ready replica crashed since, the
 * acknowledgements this term waits for would never come.
 *
 * Why it is safe, per index k. Let L decide v at k with b: its writes W_j of
 * (b, v) succeeded on a majority M1, each on a replica where b's grant G_j
 * came first. Let L' with b' > b complete its grant G'_j and its reads on a
 * majority M2; take j in M1 ∩ M2. If G'_j preceded G_j, the ordered policy
 * refuses G_j (b < b', the highest granted) — impossible; if G'_j fell
 * between G_j and W_j it revoked L and W_j was refused. So G'_j follows W_j,
 * and L''s read of j, issued after G'_j, shows (b, v) at k, or an entry
 * written there since by a leader between b and b' — by induction on
 * proposals, with value v. If k is below L''s commit point C, L' copies k
 * from a log whose FUO exceeds k; otherwise it re-proposes the highest
 * accepted entry at k, which is v. So every later leader writes v at k.
 * A late grant of the deposed L (a straggler) cannot change this: its b is
 * below b', so the policy refuses it, and L never counts a write where its
 * own grant and prepare did not complete.
 *
 * "Shows (b, v) at k" needs care: a write is not atomic, and a leader that
 * crashes in the middle of a write leaves it torn for good (a NIC stopping
 * halfway, a terminated shm worker; the simulator's mid-write crash). If
 * a later leader L'' rewrote j's slot k in place and was cut short, j would
 * show a torn slot where it had accepted v, and a torn slot is not an
 * acceptance — L' could then adopt an older value from another replica of
 * its majority, or none, and overwrite v (a scripted test in mu.test.ts
 * does exactly this). So a slot holds two copies, and a leader writes an
 * index into the copy that does not hold j's entry (`copyToWrite`, knowing
 * which from its read after the grant — nobody else writes there since —
 * and from its own writes). A write cut short tears only that other copy;
 * what j holds at k (`heldEntry`: the valid copy with the higher accepted
 * proposal) changes only by a whole write of a higher proposal. Hence j's
 * entry at k, once (b, v) was written whole, is always a whole entry with
 * a proposal ≥ b, and a slot with no valid copy is one where nothing was
 * ever written whole: empty.
 *
 * Why a replica may apply below any FUO it holds: a FUO written at j (a
 * header or an entry) was written by a leader that had first written j every
 * slot from min(j's FUO, C) up to it, in order; below j's earlier FUO holds
 * by induction, and any later write at a decided index writes the decided
 * value (above). So the slots below it hold decided values.
 *
 * Only replicas need majorities: any f < n/2 hosts (process and memory) may
 * crash. A crashed memory never answers; permission requests and the
 * prepare wait for a majority, not for everyone.
 *
 * Notes: `attempt` {ballot}; `leading` {ballot, commitPoint, settled}; `decide`
 * {index, value, ballot, started} on the leader; `learn` {index, value} on a
 * replica applying from its log; `commit` {index, value, instance} per
 * delivered entry; `deposed` {ballot}.
 */
export interface MuLogConfig {
  /** Largest value an append takes, in bytes. */
  readonly capacity: number;
  /** Log slots in each replica's region: the log is full when they are all used. */
  readonly slots: number;
  /** Entries a leader keeps in flight. */
  readonly window: number;
  readonly timing: MuTiming;
  readonly mutant?: MuMutant;
  /** Contention: this replica believes it leads until this time, whatever its detector says. */
  readonly believeLeaderUntil?: number;
  /** How notes show a value (default: an 8-byte value as its u64 number, others as hex). */
  readonly describe?: (value: Uint8Array) => OperationValue;
}

/** The layout a Mu log of this configuration uses (entries hold tagged values). */
export function muLayoutOf(config: Pick<MuLogConfig, 'capacity' | 'slots'>): MuLayout {
  return { capacity: config.capacity + entryTagSize, slots: config.slots };
}

/**
 * An append whose entry a deposed leader had written: it may have reached a
 * majority and be decided later (by a new leader's adoption), or never. The
 * caller's outcome is unknown (an `info` in the history), not a failure.
 */
export class AppendOutcomeUnknown extends Error {
  constructor(readonly ballot: bigint) {
    super(`append outcome unknown: the leader of proposal ${ballot} was deposed while the entry was in flight (it may still be decided)`);
    this.name = 'AppendOutcomeUnknown';
  }
}

const messages = indexedMessages(['forward', 'decided'] as const);

interface Pending {
  readonly resolve: (index: number) => void;
  readonly reject: (error: Error) => void;
  /** The term whose fast path wrote this append, once written. */
  writtenIn?: Term;
}

/** One replica as this term sees it. */
interface Follower {
  ready: boolean;
  /** The next index this term writes there (entries go out in index order). */
  next: number;
  /** The highest FUO this term wrote into its header. */
  pushedFuo: number;
  /** Per slot, the copy holding the replica's entry: as the prepare read showed it, then as this term last wrote it. */
  readonly held: Map<number, EntryCopy | undefined>;
}

/** A leader's term: everything tied to one proposal number. */
interface Term {
  readonly ballot: bigint;
  active: boolean;
  leading: boolean;
  readonly replicas: Map<MemoryId, Follower>;
  /** Committed below this index. */
  fuo: number;
  /** The next free index. */
  end: number;
  /** Which replicas acknowledged each index in flight. */
  readonly acknowledged: Map<number, Set<MemoryId>>;
  /** When each index in flight was first written (for the `decide` note). */
  readonly started: Map<number, number>;
  /** Tags this term proposed, so that a forwarded repeat is not proposed twice. */
  readonly proposed: Set<number>;
}

function defaultDescribe(value: Uint8Array): OperationValue {
  if (value.length === 8) return value[0] + value[1] * 0x100 + value[2] * 0x10000 + value[3] * 0x1000000 + (value[4] + value[5] * 0x100 + value[6] * 0x10000 + value[7] * 0x1000000) * 0x100000000;
  return Array.from(value, (byte) => byte.toString(16).padStart(2, '0')).join('');
}

/** A replica's log as a prepare read shows it. */
interface LogView {
  readonly replica: MemoryId;
  readonly minProposal: bigint;
  readonly fuo: number;
  readonly slots: readonly OpenedEntry[];
  /** The raw bytes of each slot's entry (catch-up copies them byte for byte). */
  readonly raw: readonly Uint8Array[];
  /** Which copy of each slot holds the entry (the other one is where this term writes first). */
  readonly copies: readonly (EntryCopy | undefined)[];
}

class HigherProposal extends Error {
  constructor(readonly proposal: bigint) {
    super(`a higher proposal ${proposal} was seen`);
    this.name = 'HigherProposal';
  }
}

export class MuLog implements ReplicatedLog {
  readonly fabric: Fabric;
  private readonly layout: MuLayout;
  private readonly entrySize: number;
  private readonly slotSize: number;
  private readonly needed: number;
  private readonly describe: (value: Uint8Array) => OperationValue;
  private meter: Meter = newMeter();

  /** Decided payloads (tagged entries) by index, contiguous from 0 below `applied`; the leader also keeps its term's entries in flight here. */
  private readonly payloads: Uint8Array[] = [];
  /** The exact bytes of each slot this replica knows (catch-up copies them). */
  private readonly slotBytes: Uint8Array[] = [];
  /** Indices applied (delivered or skipped) in a row from 0. */
  private applied = 0;
  /** The delivered entries, in log order, as `decided` and as the `entries()` stream. */
  private readonly deliveries = new DeliveryFeed<LogEntry>();
  private readonly deliveredTags = new Set<number>();
  private readonly own = new Map<number, Pending>();
  private readonly ownEntries = new Map<number, Uint8Array>();
  private sequence = 0;
  /** Appends (own and forwarded) the leader has yet to propose, by tag. */
  private readonly queue = new Map<number, Uint8Array>();

  private term: Term | undefined;
  private highestSeen = 0n;
  private electing = false;
  private electionNotBefore = 0;

  private heartbeat = 0n;
  private readonly lastCounters: (bigint | undefined)[];
  private readonly scores: number[];
  private readonly alive: boolean[];
  private readonly reading: boolean[];
  private ticks = 0;
  private polling = false;
  /** A poll was asked for while one ran: run another when it ends. */
  private pollAgain = false;
  /** The latest commit point a leader announced to this replica (a `decided` message): indices below it whose entry here carries its ballot are decided. */
  private announced: { ballot: bigint; point: number } | undefined;
  private closed = false;
  private cancelTick: (() => void) | undefined;

  constructor(
    private readonly raw: Fabric,
    private readonly config: MuLogConfig,
  ) {
    if (!Number.isInteger(config.capacity) || config.capacity < 0) throw new InvalidLogConfig(`log capacity ${config.capacity} (accepted: an integer number of bytes >= 0)`);
    if (!Number.isInteger(config.slots) || config.slots < 1) throw new InvalidLogConfig(`log slots ${config.slots} (accepted: an integer >= 1)`);
    if (!Number.isInteger(config.window) || config.window < 1) throw new InvalidLogConfig(`log window ${config.window} (accepted: an integer >= 1)`);
    this.layout = muLayoutOf(config);
    validateMuLayout(raw, this.layout);
    this.entrySize = muEntrySize(this.layout.capacity);
    this.slotSize = muSlotSize(this.layout.capacity);
    this.fabric = metered(raw, () => this.meter);
    this.needed = Math.floor(raw.processCount / 2) + 1;
    this.describe = config.describe ?? defaultDescribe;
    const n = raw.processCount;
    this.lastCounters = Array.from({ length: n }, () => undefined);
    this.scores = Array.from({ length: n }, () => config.timing.thresholds.max);
    this.alive = Array.from({ length: n }, () => true);
    this.reading = Array.from({ length: n }, () => false);
    raw.onMessage((message) => this.onMessage(message.from, message.data));
    if (raw.self === 0) this.startFirstTerm();
    this.cancelTick = raw.setTimer(config.timing.heartbeat, () => this.tick());
  }

  get decided(): readonly LogEntry[] {
    return this.deliveries.items;
  }

  /** Verbs, messages, bytes and permission requests issued so far. */
  get cost(): Meter {
    return { ...this.meter };
  }

  append(value: Uint8Array): Promise<number> {
    if (this.closed) return Promise.reject(new LogClosed('append'));
    if (value.length > this.config.capacity) return Promise.reject(new EntryTooLarge(value.length, this.config.capacity));
    const entry = encodeEntry({ origin: this.raw.self, sequence: this.sequence++, value });
    const tag = tagKey(entry);
    return new Promise((resolve, reject) => {
      this.own.set(tag, { resolve, reject });
      this.ownEntries.set(tag, entry);
      this.queue.set(tag, entry);
      if (this.term?.leading) this.proposeQueued();
      else this.forward(tag, entry);
    });
  }

  entries(): AsyncIterable<LogEntry> {
    return this.deliveries.iterate();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.cancelTick?.();
    if (this.term) this.term.active = false;
    for (const pending of this.own.values()) pending.reject(new LogClosed('an append still pending'));
    this.own.clear();
    this.queue.clear();
    this.deliveries.close();
  }

  // ---- the main loop ----------------------------------------------------

  private tick(): void {
    if (this.closed) return;
    this.ticks++;
    // The heartbeat is tied to the main loop: it moves only while this loop runs.
    this.heartbeat++;
    void this.fabric.write(heartbeatAddress(this.raw.self), wordBytes(this.heartbeat)).catch(() => undefined);
    for (let replica = 0; replica < this.raw.processCount; replica++) if (replica !== this.raw.self) this.readHeartbeat(replica);
    const term = this.term;
    if (term?.leading) {
      if (this.leader() !== this.raw.self) this.stepDown(term);
      else this.pushFuo(term);
    } else {
      void this.poll();
      if (this.leader() === this.raw.self && !this.electing && this.raw.now() >= this.electionNotBefore) void this.elect();
      if (this.ticks % this.config.timing.reforwardTicks === 0) for (const [tag, entry] of this.queue) if (this.own.has(tag)) this.forward(tag, entry);
    }
    this.cancelTick = this.raw.setTimer(this.config.timing.heartbeat, () => this.tick());
  }

  private leader(): ProcessId {
    if (this.config.believeLeaderUntil !== undefined && this.raw.now() < this.config.believeLeaderUntil) return this.raw.self;
    return leaderOf(this.alive, this.raw.self);
  }

  private readHeartbeat(replica: number): void {
    // One read in flight per replica: a crashed memory's reads time out instead of piling up.
    if (this.reading[replica]) return;
    this.reading[replica] = true;
    const done = (counter: bigint | undefined) => {
      this.reading[replica] = false;
      const moved = counter !== undefined && counter !== this.lastCounters[replica];
      if (counter !== undefined) this.lastCounters[replica] = counter;
      const thresholds = this.config.timing.thresholds;
      this.scores[replica] = nextScore(this.scores[replica], moved, thresholds);
      this.alive[replica] = aliveAfter(this.scores[replica], this.alive[replica], thresholds);
    };
    this.fabric.read(heartbeatAddress(replica), 8, { timeout: this.config.timing.heartbeatReadTimeout }).then(
      (bytes) => done(getWord(bytes, 0)),
      () => done(undefined),
    );
  }

  private forward(tag: number, entry: Uint8Array): void {
    const leader = this.leader();
    if (leader === this.raw.self) return;
    this.fabric.send(leader, messages.encode({ kind: 'forward', ballot: 0n, other: BigInt(tag), index: 0, value: entry }));
  }

  private onMessage(from: ProcessId, data: Uint8Array): void {
    const message = messages.decode(data);
    if (!message || this.closed) return;
    if (message.kind === 'decided') {
      // The leader decided an entry this replica forwarded: learn it now rather than on the next tick.
      if (this.announced === undefined || message.ballot > this.announced.ballot || (message.ballot === this.announced.ballot && message.index > this.announced.point)) {
        this.announced = { ballot: message.ballot, point: message.index };
      }
      if (!this.term?.leading) void this.poll();
      return;
    }
    const tag = tagKey(message.value);
    if (tag < 0 || this.deliveredTags.has(tag)) return;
    this.queue.set(tag, message.value);
    if (this.term?.leading) this.proposeQueued();
    void from;
  }

  // ---- a replica learns from its own log ----------------------------------

  /** Reads the own header and the slots from the applied point on, and applies what lies below the FUO it holds. */
  private async poll(): Promise<void> {
    if (this.polling) {
      this.pollAgain = true;
      return;
    }
    this.polling = true;
    this.pollAgain = false;
    try {
      const self = this.raw.self;
      const header = await this.fabric.read(logAddress(self), muLogHeader);
      const from = this.applied;
      const count = Math.min(this.config.slots - from, 32);
      if (count <= 0) return;
      const bytes = await this.fabric.read(logAddress(self, entryOffset(this.layout, from)), count * this.slotSize);
      if (this.term?.leading || this.applied !== from) return;
      const held = Array.from({ length: count }, (_, k) => this.openSlot(bytes, k * this.slotSize, from + k));
      const apply = Math.max(
        appliable(
          held.map((slot) => slot.entry),
          from,
          Number(getWord(header, fuoOffset)),
        ),
        this.announcedRun(held, from),
      );
      for (let k = 0; k < apply; k++) {
        const { entry, raw } = held[k];
        if (entry.kind !== 'entry') break;
        this.payloads[from + k] = entry.payload;
        this.slotBytes[from + k] = raw;
        this.note('learn', from + k, entry.payload, {});
      }
      this.applyUpTo(from + apply);
    } catch {
      // A read of the own memory fails only if it crashed (then this replica is gone too).
    } finally {
      this.polling = false;
    }
    if (this.pollAgain && !this.closed && !this.term?.leading) void this.poll();
  }

  /**
   * How many slots from `from` on are decided by the leader's announcement:
   * an entry accepted with the announcing leader's proposal b is the one
   * value b proposed at its index (b writes each index once), so below b's
   * announced commit point it is the decided value.
   */
  private announcedRun(held: readonly { readonly entry: OpenedEntry }[], from: number): number {
    const announced = this.announced;
    if (announced === undefined) return 0;
    let count = 0;
    while (count < held.length && from + count < announced.point) {
      const entry = held[count].entry;
      if (entry.kind !== 'entry' || entry.accepted !== announced.ballot) break;
      count++;
    }
    return count;
  }

  /** The entry a replica holds at `index`, from the slot at `at` in `bytes` (both copies), with the raw bytes of the copy holding it. */
  private openSlot(bytes: Uint8Array, at: number, index: number): { readonly entry: OpenedEntry; readonly copy: EntryCopy | undefined; readonly raw: Uint8Array } {
    const verify = this.config.mutant !== 'no-checksum';
    const copies = [0, 1].map((copy) => decodeMuEntry(bytes, at + copy * this.entrySize, index, this.layout.capacity, verify)) as [OpenedEntry, OpenedEntry];
    const held = heldEntry(copies);
    const from = at + (held.copy ?? 0) * this.entrySize;
    return { ...held, raw: bytes.slice(from, from + this.entrySize) };
  }

  /** Delivers every index below `point` (payloads known), skipping no-ops and repeats. */
  private applyUpTo(point: number): void {
    while (this.applied < point) {
      const decided = this.payloads[this.applied];
      const entry = delivers(this.deliveredTags, decided);
      if (entry) {
        const tag = tagKey(decided);
        this.deliveredTags.add(tag);
        this.queue.delete(tag);
        this.ownEntries.delete(tag);
        const logEntry: LogEntry = { index: this.deliveries.items.length, value: entry.value };
        this.deliveries.push(logEntry);
        this.raw.note('commit', { index: logEntry.index, value: this.describe(entry.value), instance: this.applied });
        const pending = this.own.get(tag);
        if (pending) {
          this.own.delete(tag);
          pending.resolve(logEntry.index);
        }
      }
      this.applied++;
    }
  }

  private note(kind: 'learn' | 'decide', index: number, payload: Uint8Array, detail: Readonly<Record<string, OperationValue>>): void {
    const decoded = decodeEntry(payload);
    const value = decoded && decoded.origin >= 0 ? this.describe(decoded.value) : null;
    if (kind === 'decide') this.raw.note('decide', { index, value, ...detail });
    else this.raw.note('learn', { index, value, ...detail });
  }

  // ---- becoming leader ----------------------------------------------------

  /** p0 leads first with proposal 1: it holds every log's permission from creation and nothing was accepted below 1, so there is nothing to prepare. */
  private startFirstTerm(): void {
    const term = this.newTerm(firstBallot(0));
    this.highestSeen = term.ballot;
    for (const follower of term.replicas.values()) follower.ready = true;
    term.leading = true;
    this.term = term;
    this.raw.note('leading', { ballot: Number(term.ballot), commitPoint: 0, settled: 0 });
  }

  private newTerm(ballot: bigint): Term {
    const replicas = new Map<MemoryId, Follower>();
    for (let replica = 0; replica < this.raw.processCount; replica++) replicas.set(replica, { ready: false, next: 0, pushedFuo: 0, held: new Map() });
    return { ballot, active: true, leading: false, replicas, fuo: 0, end: 0, acknowledged: new Map(), started: new Map(), proposed: new Set() };
  }

  private async elect(): Promise<void> {
    this.electing = true;
    const ballot = nextBallot(this.raw.self, this.raw.processCount, this.highestSeen);
    this.highestSeen = ballot;
    const term = this.newTerm(ballot);
    if (this.term) this.term.active = false;
    this.term = term;
    this.raw.note('attempt', { ballot: Number(ballot) });
    const views = new Map<MemoryId, Promise<LogView>>();
    for (let replica = 0; replica < this.raw.processCount; replica++) views.set(replica, this.prepareOn(term, replica));
    try {
      const seen = await this.majorityOf(views, this.config.timing.electionTimeout);
      if (!term.active || this.closed) return;
      this.lead(term, seen, views);
    } catch (error) {
      if (error instanceof HigherProposal && error.proposal > this.highestSeen) this.highestSeen = error.proposal;
      term.active = false;
      this.electionNotBefore = this.raw.now() + this.config.timing.backoff * (1 + this.raw.random() * 4);
    } finally {
      this.electing = false;
    }
  }

  /** Resolves with the first `needed` views, or rejects when they can no longer come (or not in time). */
  private majorityOf(views: Map<MemoryId, Promise<LogView>>, timeout: number): Promise<LogView[]> {
    return new Promise((resolve, reject) => {
      const got: LogView[] = [];
      let failed = 0;
      let higher: HigherProposal | undefined;
      let settled = false;
      const cancel = this.raw.setTimer(timeout, () => {
        if (!settled) {
          settled = true;
          reject(higher ?? new TimedOut(`majority of prepares`, timeout));
        }
      });
      for (const view of views.values()) {
        view.then(
          (value) => {
            if (settled) return;
            got.push(value);
            if (got.length === this.needed) {
              settled = true;
              cancel();
              resolve(got);
            }
          },
          (error: unknown) => {
            if (settled) return;
            if (error instanceof HigherProposal) higher = error;
            if (++failed > this.raw.processCount - this.needed || higher) {
              settled = true;
              cancel();
              reject(higher ?? error);
            }
          },
        );
      }
    });
  }

  /**
   * This term's grant and prepare on one replica, each verb issued after the
   * one before completed: permission carrying the proposal, header read,
   * minProposal := ballot, whole-log read. The term counts this replica's
   * acknowledgements only once all four completed (the straggler rule).
   */
  private async prepareOn(term: Term, replica: MemoryId): Promise<LogView> {
    const log = logAddress(replica);
    try {
      // Under `unordered-grant` the region is a plain exclusive writer, which ignores the proposal the request still carries.
      await this.fabric.requestPermission(log, 'read-write', { proposal: term.ballot });
    } catch (error) {
      if (!(error instanceof PermissionDenied)) throw error;
      // Someone holds a higher grant here: learn its proposal (if it prepared already) and go above.
      const header = await this.fabric.read(log, muLogHeader);
      const top = getWord(header, minProposalOffset);
      throw new HigherProposal(top > term.ballot ? top : term.ballot);
    }
    if (!term.active) throw new Error('term abandoned');
    const header = await this.fabric.read(log, muLogHeader);
    const minProposal = getWord(header, minProposalOffset);
    if (minProposal > term.ballot) throw new HigherProposal(minProposal);
    await this.fabric.write(logAddress(replica, minProposalOffset), wordBytes(term.ballot));
    const bytes = await this.readWholeLog(replica);
    const slots: OpenedEntry[] = [];
    const raw: Uint8Array[] = [];
    const copies: (EntryCopy | undefined)[] = [];
    for (let index = 0; index < this.config.slots; index++) {
      const held = this.openSlot(bytes, entryOffset(this.layout, index) - muLogHeader, index);
      slots.push(held.entry);
      raw.push(held.raw);
      copies.push(held.copy);
    }
    return { replica, minProposal, fuo: Number(getWord(header, fuoOffset)), slots, raw, copies };
  }

  /**
   * The slots of one log, read after this term's grant: no other writer can
   * land there since, so what it shows stays until this term writes. A copy
   * that reads torn is a write that landed in part before the grant (a
   * leader that crashed mid-write): it was never acknowledged whole, and it
   * tore only the copy that did not hold the replica's entry (`heldEntry`).
   */
  private readWholeLog(replica: MemoryId): Promise<Uint8Array> {
    return this.fabric.read(logAddress(replica, muLogHeader), this.config.slots * this.slotSize);
  }

  /** A majority is ready: take the decided prefix, catch up, settle, then lead. */
  private lead(term: Term, seen: readonly LogView[], views: Map<MemoryId, Promise<LogView>>): void {
    const top = seen.reduce((best, view) => (view.fuo > best.fuo ? view : best));
    let commitPoint = knownCommitPoint(seen.map((view) => view.fuo));
    const own = seen.find((view) => view.replica === this.raw.self);
    if (this.config.mutant === 'catch-up-past-commit') {
      // The mutant takes its own log as settled past the commit point: whatever it holds beyond C is copied, not adopted.
      let end = commitPoint;
      const mine = own?.slots ?? [];
      while (end < mine.length && mine[end].kind === 'entry') end++;
      for (let index = commitPoint; index < end; index++) {
        const entry = mine[index];
        if (entry.kind === 'entry') {
          this.payloads[index] = entry.payload;
          this.slotBytes[index] = (own as LogView).raw[index];
        }
      }
      for (let index = 0; index < commitPoint; index++) this.takeDecided(top, index);
      commitPoint = end;
    } else {
      for (let index = 0; index < commitPoint; index++) this.takeDecided(top, index);
    }
    term.fuo = commitPoint;
    term.end = commitPoint;
    this.applyUpTo(Math.max(this.applied, Math.min(commitPoint, this.knownPrefix())));
    const plan = settlePlan(
      seen.map((view) => view.slots.slice(commitPoint)),
      commitPoint,
      noOp,
      this.config.mutant !== 'no-adopt',
    );
    term.leading = true;
    this.raw.note('leading', { ballot: Number(term.ballot), commitPoint, settled: plan.length });
    for (const view of seen) this.ready(term, view);
    // Stragglers: a replica whose grant and prepare complete later joins then, caught up first.
    for (const [replica, view] of views) {
      if (seen.some((one) => one.replica === replica)) continue;
      // A straggler refused for a higher proposal: another candidate holds that log. Step down rather than wait
      // for acknowledgements that may never come (a ready replica that crashed since would leave this term stuck).
      view.then(
        (late) => this.ready(term, late),
        (error: unknown) => {
          if (!(error instanceof HigherProposal)) return;
          if (error.proposal > this.highestSeen) this.highestSeen = error.proposal;
          this.deposed(term);
        },
      );
    }
    for (const step of plan) this.propose(term, step.payload);
    this.proposeQueued();
  }

  /** Index `index` of the decided prefix, from the log whose FUO is the commit point. */
  private takeDecided(top: LogView, index: number): void {
    if (index < this.applied && this.slotBytes[index] !== undefined) return;
    const entry = top.slots[index];
    if (entry.kind !== 'entry') throw new Error(`Mu: slot ${index} below the FUO ${top.fuo} of m${top.replica} is ${entry.kind}`);
    this.payloads[index] = entry.payload;
    this.slotBytes[index] = top.raw[index];
  }

  /** How far this replica's known payloads run without a gap. */
  private knownPrefix(): number {
    let index = this.applied;
    while (this.payloads[index] !== undefined) index++;
    return index;
  }

  /** A replica's grant and prepare completed for this term: catch it up (never beyond the commit point), then send it the term's entries in order. */
  private ready(term: Term, view: LogView): void {
    if (!term.active) return;
    const follower = term.replicas.get(view.replica) as Follower;
    const range = catchUpRange(view.fuo, term.fuo, term.end, this.config.mutant === 'catch-up-past-commit');
    follower.next = Math.min(range.from, term.fuo);
    view.copies.forEach((copy, slot) => {
      if (!follower.held.has(slot)) follower.held.set(slot, copy);
    });
    follower.ready = true;
    this.pump(term, view.replica);
  }

  // ---- the fast path ------------------------------------------------------

  private proposeQueued(): void {
    const term = this.term;
    if (!term?.leading || !term.active) return;
    for (const [tag, entry] of this.queue) {
      if (term.end - term.fuo >= this.config.window) return;
      if (term.proposed.has(tag) || this.deliveredTags.has(tag)) continue;
      if (term.end >= this.config.slots) {
        for (const pending of this.own.values()) pending.reject(new LogFull(this.config.slots));
        this.own.clear();
        this.queue.clear();
        return;
      }
      term.proposed.add(tag);
      this.queue.delete(tag);
      const pending = this.own.get(tag);
      if (pending) pending.writtenIn = term;
      this.propose(term, entry);
    }
  }

  /** Writes `payload` at the term's next index on every ready replica. */
  private propose(term: Term, payload: Uint8Array): void {
    const index = term.end++;
    this.payloads[index] = payload;
    this.slotBytes[index] = encodeMuEntry({ accepted: term.ballot, fuo: term.fuo, payload }, index, this.layout.capacity);
    term.acknowledged.set(index, new Set());
    term.started.set(index, this.raw.now());
    for (const [replica, follower] of term.replicas) if (follower.ready) this.pump(term, replica);
  }

  /** Issues, in index order, every write the replica still lacks (catch-up, then the term's entries). */
  private pump(term: Term, replica: MemoryId): void {
    const follower = term.replicas.get(replica) as Follower;
    while (term.active && follower.next < term.end) {
      const index = follower.next++;
      const bytes = this.slotBytes[index];
      // Never over the copy holding the replica's entry: if this write is cut short, that entry survives it.
      const slot = index % this.config.slots;
      const copy = copyToWrite(follower.held.get(slot));
      follower.held.set(slot, copy);
      this.fabric.write(logAddress(replica, entryOffset(this.layout, index, copy)), bytes).then(
        () => this.acknowledge(term, replica, index),
        (error: unknown) => {
          if (error instanceof PermissionDenied) this.deposed(term);
        },
      );
    }
  }

  private acknowledge(term: Term, replica: MemoryId, index: number): void {
    if (!term.active) return;
    const acks = term.acknowledged.get(index);
    if (!acks) return; // a catch-up copy below the commit point: decided already
    acks.add(replica);
    const fuo = advanceCommit(term.fuo, (at) => term.acknowledged.get(at)?.size ?? 0, term.end, this.needed);
    if (fuo === term.fuo) return;
    const origins = new Set<ProcessId>();
    for (let at = term.fuo; at < fuo; at++) {
      const origin = decodeEntry(this.payloads[at])?.origin;
      if (origin !== undefined && origin >= 0 && origin !== this.raw.self && origin < this.raw.processCount) origins.add(origin);
      this.note('decide', at, this.payloads[at], { ballot: Number(term.ballot), started: term.started.get(at) ?? this.raw.now() });
      term.acknowledged.delete(at);
      term.started.delete(at);
    }
    term.fuo = fuo;
    // Answer the replicas whose appends were just decided (the client's reply): they learn it from their own log at once.
    for (const origin of origins) this.fabric.send(origin, messages.encode({ kind: 'decided', ballot: term.ballot, other: 0n, index: fuo, value: new Uint8Array(0) }));
    this.applyUpTo(fuo);
    this.proposeQueued();
  }

  /** The leader's tick: tell the ready replicas its commit point (8 bytes into their header, behind the entries below it). */
  private pushFuo(term: Term): void {
    for (const [replica, follower] of term.replicas) {
      if (!follower.ready || follower.pushedFuo >= term.fuo || follower.next < term.fuo) continue;
      follower.pushedFuo = term.fuo;
      this.fabric.write(logAddress(replica, fuoOffset), wordBytes(BigInt(term.fuo))).catch((error: unknown) => {
        if (error instanceof PermissionDenied) this.deposed(term);
      });
    }
  }

  /** A write was refused: another leader holds that log. Stop; own appends written in this term have an unknown outcome. */
  private deposed(term: Term): void {
    if (!term.active) return;
    this.raw.note('deposed', { ballot: Number(term.ballot) });
    this.stepDown(term);
  }

  private stepDown(term: Term): void {
    term.active = false;
    term.leading = false;
    if (this.highestSeen < term.ballot) this.highestSeen = term.ballot;
    for (const [tag, pending] of this.own) {
      if (pending.writtenIn !== term) continue;
      this.own.delete(tag);
      pending.reject(new AppendOutcomeUnknown(term.ballot));
    }
    // What this replica applied stays; indices it proposed but did not commit are not known decided.
    this.payloads.length = this.applied;
    this.slotBytes.length = this.applied;
    this.electionNotBefore = this.raw.now() + this.config.timing.backoff * (1 + this.raw.random() * 4);
    for (const [tag, entry] of this.queue) if (this.own.has(tag)) this.forward(tag, entry);
  }
}
