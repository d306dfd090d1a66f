import { getWord, PermissionDenied, TimedOut, wordBytes, type Fabric, type MemoryId, type OperationValue, type ProcessId } from '../../../fabric/index.js';
import { describeValue } from '../numberValue.js';
import { firstBallot, nextBallot } from '../../common/ballot.js';
import { indexedMessages } from '../../common/instances.js';
import { EntryTooLarge, InvalidLogConfig, LogClosed } from '../../common/logErrors.js';
import { metered, newMeter, type Meter } from '../../common/meter.js';
import type { LogEntry, ReplicatedLog, SnapshotMachine } from '../../common/replicatedLog.js';
import { decodeEntry, delivers, encodeEntry, entryTagSize, noOp, tagKey } from '../logEntry.js';
import { advanceCommit, aliveAfter, appliable, catchUpRange, catchUpStart, copyToWrite, decidedAt, heldEntry, heldFuo, knownCommitPoint, leaderOf, nextScore, openAt, recycleLimit, settlePlan, snapshotNeed } from './muDecide.js';
import { encodeMuEntry, muEntryChecksumEnd, muEntrySize, openMuEntry, type OpenedEntry, type StoredEntry } from './muEntry.js';
import { baseOffset, entryOffset, fuoOffset, heartbeatAddress, logAddress, minProposalOffset, muHeartbeatSize, muLogHeader, muSlotSize, validateMuLayout, type EntryCopy, type MuLayout } from './muLayout.js';
import { SnapshotFeed } from './muFeed.js';
import { chainDigest, decodeMuSnapshot, emptyChain, encodeMuSnapshot, type MuSnapshot } from './muSnapshot.js';
import type { MuMutant } from './mutants.js';
import type { MuTiming } from './muTiming.js';

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
 * The whole-log read is one verb and stays whole; what the new leader does
 * not do is decode every slot of it (two copies, a CRC each: most of the
 * permission switch, measured). `LogView` decodes a slot when it is first
 * used, and two unverified words of each copy decide which slots can matter
 * — without changing any answer, so the argument below is untouched: the
 * entry a slot holds (`heldEntry`) is one of its copies, whose stored index
 * and FUO are that copy's words 16..23 and 8..15 whether or not its checksum
 * is checked. So a slot whose two copies' index words are both below k
 * holds nothing at k or later — `openAt` would say empty, and the view says
 * so without decoding; and a slot whose two copies' FUO words are both at
 * most the highest FUO found so far cannot raise the view's FUO
 * (`heldFuo`), so the view decodes slots in decreasing order of those words
 * and stops at the first that cannot raise it. A slot whose two copies are
 * blank (header words zero) is empty, as `openRecord` says. The slots the
 * leader does decode — from its commit point on, those below it it lacks,
 * those it writes (`pump` asks which copy holds the entry) — decode from
 * the same bytes the read returned, so the result equals decoding all.
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
 * Recycling. The log has `slots` slots; index k lives in slot k mod slots,
 * and every entry stores its absolute index under its checksum (muEntry.ts),
 * so a reader knows which lap a slot holds; what a replica holds at k is
 * `openAt` its slot: the entry, `lapped` (a later index took the slot) or
 * empty. Each replica publishes its applied point next to its heartbeat
 * counter (and at once whenever it moves); the leader, which reads the
 * heartbeats anyway, writes index k — proposal, settle step or catch-up
 * copy alike — only if k − slots lies below the applied point of every
 * replica it considers alive, below the applied point of a majority of
 * replicas whatever it thinks of them, and below its own commit point
 * (`recycleLimit`). It never waits for a replica it considers failed: that
 * one may find its next index recycled later, and installs a snapshot. But
 * it does wait for a majority to have applied an entry before it reuses the
 * entry's slot: until then the entry lives in the logs and in fewer than a
 * majority of states, and the crash of those hosts (f or fewer: the others
 * being merely paused) would lose a decided entry for good (seed 134 of
 * `mu --latency uniform:1:40 --faults all --slots 3` did, before this rule).
 * With a majority past it, one of them survives any f crashes and serves
 * the snapshot.
 * Reclaimed slots are not zeroed: the next lap's write replaces the entry
 * whole (into the copy that does not hold the replica's entry, as above),
 * and a stale lap can never pass for another index — the checksum covers
 * the stored index — so zeroing would only add a write per slot.
 *
 * (R) Every entry at index k carries a FUO above k − slots: a fast-path
 * entry because k − slots < commit point = its FUO (the bound above); a
 * settle step because k < C + slots (below); a catch-up copy keeps its
 * original bytes. So a slot gives up index k only to an entry whose FUO
 * proves k decided. A view's FUO (`heldFuo`) counts its entries' FUOs, not
 * only its header's: a decided k whose slots were recycled on a whole
 * majority shows there only as the FUO of the entry that replaced it, so
 * the new leader's C covers k and it never "settles" k. Conversely, the
 * highest index any view holds is below C + slots, so the settle range
 * [C, last] maps one index per slot. And no write lowers the index a slot
 * holds: catch-up starts at min(FUO, C), above k − slots for any k the
 * replica holds; a jump (below) starts higher still; proposals start at C.
 * Hence a replica's acceptance of k is destroyed only by an entry with a
 * FUO above k, and "shows (b, v) at k" above becomes "shows (b, v) at k, or
 * a FUO above k" — the new leader then copies k from the decided prefix
 * instead of adopting it (`decidedAt`: a whole entry at k in a view whose
 * FUO exceeds k and whose base does not; else, with no view lapped at k,
 * the highest accepted entry there).
 *
 * Catch-up over laps. The new leader learns the decided prefix below C
 * from the views (entries of the last laps) and from what it applied; it
 * may lack some (a new leader that itself was behind: it then asks for a
 * snapshot, and leads meanwhile). `knownFrom` is where its contiguous run
 * of payloads up to C starts. A replica whose FUO F is below knownFrom
 * cannot be caught up from F: the leader jumps (`catchUpStart`) — it first
 * raises the replica's `base` (header word) to knownFrom, then writes from
 * there. The replica's log may hold an undecided entry between F and the
 * jump (written by a deposed leader), below FUOs the jump's entries carry;
 * the replica applies no index below its base from its log (`poll` reads
 * the base after the slots, so it sees any base raised before the entries
 * it read), and installs a snapshot reaching the base instead. The base
 * never decreases. With it the rule above becomes: a whole entry at k ≥
 * base, below a FUO the replica holds, is decided — the FUO's writer wrote
 * every index from its catch-up start (≥ base if it jumped, else ≤ F,
 * covered by induction) up to it before writing the FUO.
 *
 * A replica applies only below FUOs read before its slots: its header
 * (read first) and the entries of its earlier polls. An entry's FUO seen
 * in the same read as a lower slot proves nothing about that slot: the
 * read may have passed the slot while the leader's write of it was landing
 * (its new copy torn, the other copy holding an older term's undecided
 * entry) and reached the next slot once that one had landed whole — a
 * mixed sweep found exactly this (a poll whose read wraps around the
 * region's end is two reads).
 *
 * Snapshots. A replica whose next index was recycled in its log (`lapped`)
 * or lies below its base asks the others (background-plane messages) for
 * a snapshot reaching that far, every other tick until it has one; each
 * answers with its own (muSnapshot.ts): the instance it applied up to, the
 * delivered count, the tags delivered (the delivery rule must skip a later
 * repeat), the chained digest of the delivered values, and its state
 * machine's bytes taken where its consumer is (`SnapshotMachine.take`; the
 * log keeps the instance and digest after each delivered position). Any
 * replica's applied point is a decided prefix, so installing any snapshot
 * above the own applied point is safe; it goes into the delivery stream
 * where the skipped entries would have been (muFeed.ts), and the replica
 * goes on from the snapshot's instance with its log. A snapshot is shipped
 * by a message rather than read from the server's memory: the state has no
 * fixed size (a region must), and catch-up is off the fast path.
 *
 * Only replicas need majorities: any f < n/2 hosts (process and memory) may
 * crash. A crashed memory never answers; permission requests and the
 * prepare wait for a majority, not for everyone.
 *
 * Notes: `attempt` {ballot}; `leading` {ballot, commitPoint, settled}; `decide`
 * {index, value, ballot, started} on the leader; `learn` {index, value} on a
 * replica applying from its log; `commit` {index, value, instance} per
 * delivered entry; `snapshot` {index, instance, digest, from} per installed
 * snapshot; `deposed` {ballot}.
 */
export interface MuLogConfig {
  /** Largest value an append takes, in bytes. */
  readonly capacity: number;
  /** Log slots in each replica's region: index k lives in slot k mod slots, recycled once every live replica applied past it. */
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

const messages = indexedMessages(['forward', 'decided', 'snapshot-request', 'snapshot'] as const);

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
  /** The prepare's view of this replica's log: the copies of the slots `held` does not name yet. */
  view?: LogView;
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
  /** The lowest index from which this term holds every payload up to its commit point when it started (catch-up writes nothing below it). */
  knownFrom: number;
  /** Which replicas acknowledged each index in flight. */
  readonly acknowledged: Map<number, Set<MemoryId>>;
  /** When each index in flight was first written (for the `decide` note). */
  readonly started: Map<number, number>;
  /** Tags this term proposed, so that a forwarded repeat is not proposed twice. */
  readonly proposed: Set<number>;
}

/** What one slot holds (`openSlot`): the held entry, which copy holds it, and that copy's raw bytes. */
interface HeldSlot {
  readonly entry: StoredEntry;
  readonly copy: EntryCopy | undefined;
  readonly raw: Uint8Array;
}

/**
 * A replica's log as a prepare read shows it. The slots are decoded only
 * when asked for (`slot`, memoized): a new leader uses the slots from its
 * commit point on, the few below it that it lacks, and those it writes —
 * decoding every slot (two copies, a CRC each) of every log was most of the
 * permission switch. Each answer is what decoding the whole read at once
 * gave: the bytes are the read's, never changed. Two unverified words of a
 * copy only filter (`below`, the FUO scan in the constructor): the stored
 * index and the FUO of the entry a slot holds are those words of one of its
 * copies, so a slot whose copies' words are all lower holds nothing higher.
 */
class LogView {
  /** The highest FUO the log holds: its header's and its entries' (`heldFuo`). */
  readonly fuo: number;
  private readonly decoded: (HeldSlot | undefined)[];
  private readonly words: DataView;

  constructor(
    readonly replica: MemoryId,
    readonly minProposal: bigint,
    headerFuo: number,
    readonly base: number,
    /** The slots as read (the header not included). */
    private readonly bytes: Uint8Array,
    private readonly slotCount: number,
    private readonly slotSize: number,
    private readonly entrySize: number,
    private readonly open: (bytes: Uint8Array, at: number) => HeldSlot,
  ) {
    this.decoded = new Array<HeldSlot | undefined>(slotCount);
    this.words = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    // heldFuo over every slot's held entry, decoding only the slots that could raise it: highest raw FUO word first.
    const candidates: { slot: number; fuo: number }[] = [];
    for (let slot = 0; slot < slotCount; slot++) {
      const fuo = Math.max(this.word(slot, 0, 8), this.word(slot, 1, 8));
      if (fuo > headerFuo) candidates.push({ slot, fuo });
    }
    candidates.sort((a, b) => b.fuo - a.fuo);
    let highest = headerFuo;
    for (const candidate of candidates) {
      if (candidate.fuo <= highest) break;
      highest = heldFuo(highest, [this.slot(candidate.slot).entry]);
    }
    this.fuo = highest;
  }

  /** What slot `slot` holds, decoded on first use. */
  slot(slot: number): HeldSlot {
    return (this.decoded[slot] ??= this.open(this.bytes, slot * this.slotSize));
  }

  /** Whether slot `slot` surely holds no entry of index `index` or later: both copies' stored index words are below it. */
  below(slot: number, index: number): boolean {
    return this.word(slot, 0, 16) < index && this.word(slot, 1, 16) < index;
  }

  /** The u64 word at `offset` of copy `copy` of slot `slot`, as a number (as `Number(getWord(…))` gives it). */
  private word(slot: number, copy: number, offset: number): number {
    const at = slot * this.slotSize + copy * this.entrySize + offset;
    return this.words.getUint32(at, true) + this.words.getUint32(at + 4, true) * 0x100000000;
  }
}

/** What a view says at an index whose slot holds only earlier laps. */
const emptyAt: OpenedEntry = { kind: 'empty' };

/** A slot whose two copies are blank: nothing was ever written there (`openSlot`). */
const emptySlot = { entry: { kind: 'empty' } as StoredEntry, copy: undefined, raw: new Uint8Array(0) } as const;

/**
 * Whether the copy at `at` is blank as `openRecord` defines it (checksum word
 * 0 and every header byte before it 0): `openMuEntry` then says `empty`
 * whatever the payload bytes hold, with or without verification.
 */
function blankCopy(bytes: Uint8Array, at: number): boolean {
  for (let index = at; index < at + muEntryChecksumEnd; index++) if (bytes[index] !== 0) return false;
  return true;
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
  /** Indices applied (delivered, skipped, or covered by an installed snapshot) in a row from 0. */
  private applied = 0;
  /** The delivery stream (`entries()`): entries, and snapshots installed in place of entries. */
  private readonly deliveries = new SnapshotFeed();
  /** The delivered entries since the latest installed snapshot (`decided`). */
  private decidedSince: LogEntry[] = [];
  /** Entries delivered below `applied` (the next delivery's position). */
  private position = 0;
  /** The tag of each delivered position (a snapshot carries them). */
  private tagsByPosition: number[] = [];
  /** The chained digest of the values delivered below each position (`chainDigest`; known from the latest snapshot on). */
  private readonly chains: string[] = [emptyChain];
  /** The applied point right after each position was delivered (known from the latest snapshot on). */
  private readonly instanceAfter: number[] = [0];
  private deliveredTags = new Set<number>();
  /** The state machine fed by `entries()`, if its consumer registered one. */
  private machine: SnapshotMachine | undefined;
  /** Whether anybody iterates `entries()`: then a snapshot is installed only with a machine to install it in. */
  private consumed = false;
  /** This replica needs a snapshot reaching at least this index (its log no longer holds its next entries). */
  private snapshotWanted: number | undefined;
  /** The highest FUO this replica's earlier polls saw in its own log's entries (`poll`). */
  private fuoSeen = 0;
  /** Each replica's applied point, as its heartbeat region last showed it (the recycle bound). */
  private readonly appliedOf: (number | undefined)[];
  /** `appliedOf` with the own applied point, rebuilt on each `recycleLimit` call. */
  private readonly appliedScratch: (number | undefined)[];
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
    this.describe = config.describe ?? describeValue;
    const n = raw.processCount;
    this.lastCounters = Array.from({ length: n }, () => undefined);
    this.appliedOf = Array.from({ length: n }, () => undefined);
    this.appliedScratch = Array.from({ length: n }, () => undefined);
    this.scores = Array.from({ length: n }, () => config.timing.thresholds.max);
    this.alive = Array.from({ length: n }, () => true);
    this.reading = Array.from({ length: n }, () => false);
    raw.onMessage((message) => this.onMessage(message.from, message.data));
    if (raw.self === 0) this.startFirstTerm();
    this.cancelTick = raw.setTimer(config.timing.heartbeat, () => this.tick());
  }

  get decided(): readonly LogEntry[] {
    return this.decidedSince;
  }

  useSnapshots(machine: SnapshotMachine): void {
    this.machine = machine;
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
    this.consumed = true;
    return this.deliveries.iterate((position, state) => this.machine?.install(position, state));
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
    // Next to the counter, the applied point: every slot of an index below it may be recycled as far as this replica is concerned.
    const beat = new Uint8Array(muHeartbeatSize);
    beat.set(wordBytes(this.heartbeat), 0);
    beat.set(wordBytes(BigInt(this.applied)), 8);
    void this.fabric.write(heartbeatAddress(this.raw.self), beat).catch(() => undefined);
    for (let replica = 0; replica < this.raw.processCount; replica++) if (replica !== this.raw.self) this.readHeartbeat(replica);
    if (this.snapshotWanted !== undefined && this.snapshotWanted <= this.applied) this.snapshotWanted = undefined;
    if (this.snapshotWanted !== undefined && this.ticks % 2 === 0) this.requestSnapshot(this.snapshotWanted);
    const term = this.term;
    if (term?.leading) {
      if (this.leader() !== this.raw.self) this.stepDown(term);
      else {
        // Writes the recycle bound held back may go now; proposals waiting for room too.
        for (const [replica, follower] of term.replicas) if (follower.ready) this.pump(term, replica);
        this.proposeQueued();
        this.pushFuo(term);
      }
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
    const done = (counter: bigint | undefined, applied?: number) => {
      this.reading[replica] = false;
      if (applied !== undefined && applied > (this.appliedOf[replica] ?? 0)) {
        this.appliedOf[replica] = applied;
        // The recycle bound may have moved: the writes and proposals it held back go now, not at the next tick.
        const term = this.term;
        if (term?.leading && term.active) {
          for (const [other, follower] of term.replicas) if (follower.ready) this.pump(term, other);
          this.proposeQueued();
        }
      }
      const moved = counter !== undefined && counter !== this.lastCounters[replica];
      if (counter !== undefined) this.lastCounters[replica] = counter;
      const thresholds = this.config.timing.thresholds;
      this.scores[replica] = nextScore(this.scores[replica], moved, thresholds);
      this.alive[replica] = aliveAfter(this.scores[replica], this.alive[replica], thresholds);
    };
    this.fabric.read(heartbeatAddress(replica), muHeartbeatSize, { timeout: this.config.timing.heartbeatReadTimeout }).then(
      (bytes) => done(getWord(bytes, 0), Number(getWord(bytes, 8))),
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
    if (message.kind === 'snapshot-request') return this.serveSnapshot(from, message.index);
    if (message.kind === 'snapshot') return this.installSnapshot(from, message.value);
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

  /**
   * Reads the own header, the slots from the applied point on, then the
   * base word again, and applies what lies below the FUO it holds; or finds
   * that its next index was recycled here (the slot holds a later lap) or
   * lies below its base, and asks for a snapshot. The base is read after
   * the slots: a leader raises it before it writes the jump's entries (in
   * order), so a slot read that saw any of them is followed by a base read
   * that sees the raised base. The FUO it applies below comes from reads
   * that completed before the slots are read: the header (read first) and
   * the entries of earlier polls (`fuoSeen`). A leader writes a FUO only
   * after the entries below it; but an entry's piggybacked FUO seen in the
   * same read as a slot below it proves nothing about that slot — the read
   * may have passed the slot before the leader's write of it landed (its
   * copy torn, the other copy still holding an undecided entry of an older
   * term) and reached the next slot after that one landed whole.
   */
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
      const count = Math.min(this.config.slots, 32);
      const bytes = await this.readSlots(self, from, count);
      const baseWord = await this.fabric.read(logAddress(self, baseOffset), 8);
      if (this.term?.leading || this.applied !== from) return;
      const held = Array.from({ length: count }, (_, k) => this.openSlot(bytes, k * this.slotSize));
      const opened = held.map((slot, k) => openAt(slot.entry, from + k));
      const fuo = Math.max(Number(getWord(header, fuoOffset)), this.fuoSeen);
      const need = snapshotNeed(from, Number(getWord(baseWord, 0)), opened[0], fuo);
      if (need !== undefined) {
        if (this.snapshotWanted === undefined) this.requestSnapshot(need);
        this.snapshotWanted = need;
        this.fuoSeen = heldFuo(
          this.fuoSeen,
          held.map((slot) => slot.entry),
        );
        return;
      }
      this.fuoSeen = heldFuo(
        this.fuoSeen,
        held.map((slot) => slot.entry),
      );
      const apply = Math.max(
        appliable(
          opened.map((entry) => (entry.kind === 'entry' ? { ...entry, fuo: 0 } : entry)),
          from,
          fuo,
        ),
        this.announcedRun(opened, from),
      );
      for (let k = 0; k < apply; k++) {
        const entry = opened[k];
        if (entry.kind !== 'entry') break;
        this.payloads[from + k] = entry.payload;
        this.slotBytes[from + k] = held[k].raw;
        this.note('learn', from + k, entry.payload, {});
      }
      this.applyUpTo(from + apply);
      // Publish the new applied point at once (not at the next tick): the leader's recycle bound waits for it.
      if (apply > 0) this.publishApplied();
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
  private announcedRun(opened: readonly OpenedEntry[], from: number): number {
    const announced = this.announced;
    if (announced === undefined) return 0;
    let count = 0;
    while (count < opened.length && from + count < announced.point) {
      const entry = opened[count];
      if (entry.kind !== 'entry' || entry.accepted !== announced.ballot) break;
      count++;
    }
    return count;
  }

  /** Writes this replica's applied point next to its heartbeat counter (8 bytes; the counter moves only with the tick). */
  private publishApplied(): void {
    void this.fabric.write({ ...heartbeatAddress(this.raw.self), offset: 8 }, wordBytes(BigInt(this.applied))).catch(() => undefined);
  }

  /** `count` slots of a replica's log from index `from`'s on, wrapping around the region's end (one or two reads). */
  private async readSlots(replica: MemoryId, from: number, count: number): Promise<Uint8Array> {
    const start = from % this.config.slots;
    const first = Math.min(count, this.config.slots - start);
    const head = await this.fabric.read(logAddress(replica, entryOffset(this.layout, start)), first * this.slotSize);
    if (first === count) return head;
    const tail = await this.fabric.read(logAddress(replica, entryOffset(this.layout, 0)), (count - first) * this.slotSize);
    const bytes = new Uint8Array(count * this.slotSize);
    bytes.set(head, 0);
    bytes.set(tail, head.length);
    return bytes;
  }

  /** What the slot at `at` in `bytes` holds (both copies opened at the index each stores), with the raw bytes of the copy holding it. */
  private openSlot(bytes: Uint8Array, at: number): { readonly entry: StoredEntry; readonly copy: EntryCopy | undefined; readonly raw: Uint8Array } {
    // Both copies blank (never written: most of a young log): what `openMuEntry` finds for each, without decoding them.
    if (blankCopy(bytes, at) && blankCopy(bytes, at + this.entrySize)) return emptySlot;
    const verify = this.config.mutant !== 'no-checksum';
    const copies = [0, 1].map((copy) => openMuEntry(bytes, at + copy * this.entrySize, this.layout.capacity, verify)) as [StoredEntry, StoredEntry];
    const held = heldEntry(copies);
    const from = at + (held.copy ?? 0) * this.entrySize;
    return { ...held, raw: bytes.slice(from, from + this.entrySize) };
  }

  /** Delivers every index below `point` (payloads known), skipping no-ops and repeats. */
  private applyUpTo(point: number): void {
    while (this.applied < point) {
      const decided = this.payloads[this.applied];
      // A payload this replica does not hold (below a snapshot it still has to install): stop there.
      if (decided === undefined) return;
      const entry = delivers(this.deliveredTags, decided);
      if (entry) {
        const tag = tagKey(decided);
        this.deliveredTags.add(tag);
        this.queue.delete(tag);
        this.ownEntries.delete(tag);
        const logEntry: LogEntry = { index: this.position, value: entry.value };
        const described = this.describe(entry.value);
        this.tagsByPosition[this.position] = tag;
        this.chains[this.position + 1] = chainDigest(this.chains[this.position], described);
        this.instanceAfter[this.position + 1] = this.applied + 1;
        this.position++;
        this.decidedSince.push(logEntry);
        this.deliveries.push({ entry: logEntry });
        this.raw.note('commit', { index: logEntry.index, value: described, instance: this.applied });
        const pending = this.own.get(tag);
        if (pending) {
          this.own.delete(tag);
          pending.resolve(logEntry.index);
        }
      }
      this.applied++;
    }
  }

  // ---- snapshots ----------------------------------------------------------

  /** Asks every other replica for a snapshot reaching at least `need` (a background-plane message; asked again every other tick while needed). */
  private requestSnapshot(need: number): void {
    for (let replica = 0; replica < this.raw.processCount; replica++) {
      if (replica !== this.raw.self) this.fabric.send(replica, messages.encode({ kind: 'snapshot-request', ballot: 0n, other: 0n, index: need, value: new Uint8Array(0) }));
    }
  }

  /**
   * A replica asked for a snapshot reaching `need`: sends this replica's,
   * taken where its state machine is (what its consumer applied), if that
   * reaches far enough. Without a consumer of `entries()` the log's own
   * state (positions, tags, digest) is the whole state.
   */
  private serveSnapshot(to: ProcessId, need: number): void {
    const snapshot = this.takeSnapshot();
    if (snapshot === undefined || snapshot.instance < need) return;
    this.fabric.send(to, messages.encode({ kind: 'snapshot', ballot: 0n, other: 0n, index: snapshot.instance, value: encodeMuSnapshot(snapshot) }));
  }

  private takeSnapshot(): MuSnapshot | undefined {
    if (this.consumed && !this.machine) return undefined;
    const taken = this.machine?.take() ?? { entries: this.position, state: new Uint8Array(0) };
    const position = taken.entries;
    if (position > this.position) return undefined;
    // At this replica's whole delivered prefix the applied point is the instance; at an earlier position, right after that delivery.
    const instance = position === this.position ? this.applied : this.instanceAfter[position];
    const chain = this.chains[position];
    if (instance === undefined || chain === undefined) return undefined;
    return { instance, position, chain, tags: this.tagsByPosition.slice(0, position), state: taken.state };
  }

  /**
   * Installs a snapshot that reaches beyond this replica's applied point:
   * everything below its instance is applied (its state replaces the
   * entries, in the delivery stream), its tags are the delivered ones, and
   * an own append delivered below it resolves with its position. Notes
   * `snapshot` {index (position), instance, digest, from}.
   */
  private installSnapshot(from: ProcessId, bytes: Uint8Array): void {
    const snapshot = decodeMuSnapshot(bytes);
    if (snapshot === undefined || snapshot.instance <= this.applied || snapshot.position < this.position) return;
    if (this.consumed && !this.machine) return;
    this.applied = snapshot.instance;
    this.position = snapshot.position;
    this.tagsByPosition = [...snapshot.tags];
    this.deliveredTags = new Set(snapshot.tags);
    this.chains.length = 0;
    this.instanceAfter.length = 0;
    this.chains[snapshot.position] = snapshot.chain;
    this.instanceAfter[snapshot.position] = snapshot.instance;
    this.decidedSince = [];
    this.deliveries.push({ snapshot: { position: snapshot.position, state: snapshot.state } });
    if (this.snapshotWanted !== undefined && this.snapshotWanted <= this.applied) this.snapshotWanted = undefined;
    this.raw.note('snapshot', { index: snapshot.position, instance: snapshot.instance, digest: snapshot.chain, from });
    snapshot.tags.forEach((tag, position) => {
      this.queue.delete(tag);
      this.ownEntries.delete(tag);
      const pending = this.own.get(tag);
      if (pending) {
        this.own.delete(tag);
        pending.resolve(position);
      }
    });
    // The payloads known above the snapshot apply now (a leader's commit point may lie above it).
    this.applyUpTo(this.term?.leading ? this.term.fuo : this.knownPrefix());
  }

  private note(kind: 'learn' | 'decide', index: number, payload: Uint8Array, detail: Readonly<Record<string, OperationValue>>): void {
    const value = this.described(decodeEntry(payload));
    if (kind === 'decide') this.raw.note('decide', { index, value, ...detail });
    else this.raw.note('learn', { index, value, ...detail });
  }

  /** How a note shows a decoded payload: a no-op (or bytes that are no entry) as null. */
  private described(decoded: ReturnType<typeof decodeEntry>): OperationValue {
    return decoded && decoded.origin >= 0 ? this.describe(decoded.value) : null;
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
    return { ballot, active: true, leading: false, replicas, fuo: 0, end: 0, knownFrom: 0, acknowledged: new Map(), started: new Map(), proposed: new Set() };
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
    return new LogView(replica, minProposal, Number(getWord(header, fuoOffset)), Number(getWord(header, baseOffset)), bytes, this.config.slots, this.slotSize, this.entrySize, (slots, at) => this.openSlot(slots, at));
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
    let commitPoint = knownCommitPoint(seen.map((view) => view.fuo));
    const own = seen.find((view) => view.replica === this.raw.self);
    if (this.config.mutant === 'catch-up-past-commit' && own) {
      // The mutant takes its own log as settled past the commit point: whatever it holds beyond C is copied, not adopted.
      let end = commitPoint;
      while (end < commitPoint + this.config.slots && this.viewAt(own, end).kind === 'entry') end++;
      for (let index = commitPoint; index < end; index++) {
        const entry = this.viewAt(own, index);
        if (entry.kind === 'entry') {
          this.payloads[index] = entry.payload;
          this.slotBytes[index] = own.slot(index % this.config.slots).raw;
        }
      }
      this.takeDecided(seen, commitPoint);
      commitPoint = end;
    } else {
      this.takeDecided(seen, commitPoint);
    }
    term.fuo = commitPoint;
    term.end = commitPoint;
    term.knownFrom = this.knownFrom(commitPoint);
    this.applyUpTo(Math.max(this.applied, Math.min(commitPoint, this.knownPrefix())));
    // Recycled below what this replica applied: the prefix comes from another replica's snapshot.
    if (this.applied < commitPoint && this.payloads[this.applied] === undefined) this.snapshotWanted = term.knownFrom;
    const rows = seen.map((view) => Array.from({ length: this.config.slots }, (_, k) => this.viewAt(view, commitPoint + k)));
    const plan = settlePlan(rows, commitPoint, noOp, this.config.mutant !== 'no-adopt');
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

  /** What a view holds at `index` (its slot opened for that index). */
  private viewAt(view: LogView, index: number): OpenedEntry {
    const slot = index % this.config.slots;
    // A slot whose copies store only lower indices holds an earlier lap or nothing: empty for `index` (what `openAt` says), without decoding it.
    if (view.below(slot, index)) return emptyAt;
    return openAt(view.slot(slot).entry, index);
  }

  /**
   * The decided payloads below the commit point that this replica lacks,
   * from the views (`decidedAt`). With recycling some may be in no view any
   * more (only in snapshots); those stay unknown.
   */
  private takeDecided(seen: readonly LogView[], commitPoint: number): void {
    const lowest = Math.max(this.applied, commitPoint - this.config.slots);
    for (let index = lowest; index < commitPoint; index++) {
      if (this.payloads[index] !== undefined && this.slotBytes[index] !== undefined) continue;
      const entries = seen.map((view) => this.viewAt(view, index));
      const decided = decidedAt(
        entries,
        seen.map((view) => view.fuo),
        seen.map((view) => view.base),
        index,
      );
      if (decided === undefined) continue;
      const from = entries.indexOf(decided as OpenedEntry);
      this.payloads[index] = decided.payload;
      this.slotBytes[index] = seen[from].slot(index % this.config.slots).raw;
    }
  }

  /** The lowest index from which this replica holds every payload (and its slot bytes) up to `point`. */
  private knownFrom(point: number): number {
    let from = point;
    while (from > 0 && this.payloads[from - 1] !== undefined && this.slotBytes[from - 1] !== undefined) from--;
    return from;
  }

  /** How far this replica's known payloads run without a gap. */
  private knownPrefix(): number {
    let index = this.applied;
    while (this.payloads[index] !== undefined) index++;
    return index;
  }

  /**
   * A replica's grant and prepare completed for this term: catch it up
   * (never beyond the commit point; by a jump that first raises its base
   * if this replica no longer holds the entries from its FUO on), then send
   * it the term's entries in order.
   */
  private ready(term: Term, view: LogView): void {
    if (!term.active) return;
    const follower = term.replicas.get(view.replica) as Follower;
    if (this.config.mutant === 'catch-up-past-commit') {
      const range = catchUpRange(view.fuo, term.fuo, term.end, true);
      follower.next = Math.max(Math.min(range.from, term.fuo), term.knownFrom);
    } else {
      const start = catchUpStart(view.fuo, view.base, term.fuo, term.knownFrom);
      follower.next = start.from;
      if (start.base !== undefined) {
        // Before any entry of the jump (writes to one memory land in issue order).
        this.fabric.write(logAddress(view.replica, baseOffset), wordBytes(BigInt(start.base))).catch((error: unknown) => {
          if (error instanceof PermissionDenied) this.deposed(term);
        });
      }
    }
    // The copy holding each slot's entry, as the read after the grant showed it: `pump` decodes a slot when it first writes there.
    follower.view = view;
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
      // The log is full until the slot of end − slots is recycled (every live replica applied past it); the tick tries again.
      if (term.end >= this.recycleLimit(term)) return;
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

  /** The first index this term may not write yet (`recycleLimit`): this replica's own applied point counts like the others'. */
  private recycleLimit(term: Term): number {
    // Into a scratch array rather than a copy per call: this runs per write.
    const applied = this.appliedScratch;
    for (let replica = 0; replica < applied.length; replica++) applied[replica] = this.appliedOf[replica];
    applied[this.raw.self] = this.applied;
    return recycleLimit(term.fuo, applied, this.alive, this.raw.self, this.config.slots, this.needed);
  }

  /** Issues, in index order, every write the replica still lacks (catch-up, then the term's entries), as far as the recycle bound allows. */
  private pump(term: Term, replica: MemoryId): void {
    const follower = term.replicas.get(replica) as Follower;
    const limit = this.recycleLimit(term);
    while (term.active && follower.next < term.end && follower.next < limit) {
      const index = follower.next++;
      const bytes = this.slotBytes[index];
      // Never over the copy holding the replica's entry: if this write is cut short, that entry survives it.
      const slot = index % this.config.slots;
      const copy = copyToWrite(follower.held.has(slot) ? follower.held.get(slot) : follower.view?.slot(slot).copy);
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
      const decoded = decodeEntry(this.payloads[at]);
      const origin = decoded?.origin;
      if (origin !== undefined && origin >= 0 && origin !== this.raw.self && origin < this.raw.processCount) origins.add(origin);
      this.raw.note('decide', { index: at, value: this.described(decoded), ballot: Number(term.ballot), started: term.started.get(at) ?? this.raw.now() });
      term.acknowledged.delete(at);
      term.started.delete(at);
    }
    term.fuo = fuo;
    // Answer the replicas whose appends were just decided (the client's reply): they learn it from their own log at once.
    for (const origin of origins) this.fabric.send(origin, messages.encode({ kind: 'decided', ballot: term.ballot, other: 0n, index: fuo, value: new Uint8Array(0) }));
    this.applyUpTo(fuo);
    this.proposeQueued();
    // The log is full until the replicas apply what just committed: tell them now (the last entries' FUO is on no later entry yet).
    if (term.end >= this.recycleLimit(term) && this.queue.size > 0) this.pushFuo(term);
  }

  /**
   * The leader's tick: tell the ready replicas its commit point (8 bytes
   * into their header, behind the entries below it) — or, to a replica the
   * recycle bound holds back in its catch-up, the point its writes reached
   * (everything written there below the commit point is decided): it can
   * apply those, publish its applied point and so let the bound move.
   */
  private pushFuo(term: Term): void {
    for (const [replica, follower] of term.replicas) {
      const fuo = Math.min(term.fuo, follower.next);
      if (!follower.ready || follower.pushedFuo >= fuo) continue;
      follower.pushedFuo = fuo;
      this.fabric.write(logAddress(replica, fuoOffset), wordBytes(BigInt(fuo))).catch((error: unknown) => {
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
