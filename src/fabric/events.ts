/**
 * The event catalogue: what protocols tell checkers, tables and reports, typed.
 *
 * A protocol reports what it did through `Fabric.note(kind, detail)` — a
 * decision, a delivery, a signature — and the application operations it
 * serves go to the history (invoke, then ok | fail | info). Both used to be
 * read as bare strings (`note.kind === 'decide'`, `note.detail?.value`), so a
 * renamed field went unnoticed: a checker simply saw no decisions. Here every
 * note kind has one type and one schema, `decodeEvent` is the one way to read
 * a note (it checks the fields), and `emit` is the typed way to write one.
 *
 * A leaf module — it imports nothing — so that protocols (which may import
 * only `fabric/` and `crypto/`) and checkers (which may import only this
 * module) share it. Notes have no effect on a run: emitting one is free of
 * protocol meaning.
 */

/** A value in a note's detail or an operation (the shape of `OperationValue`, restated to stay a leaf). */
export type EventValue = null | boolean | number | string | readonly EventValue[] | { readonly [key: string]: EventValue };

/** A note as every backend records it (`NoteEvent`) and as the trace's `note` lines carry it. */
export interface NoteRecord {
  readonly time: number;
  readonly process: number;
  readonly kind: string;
  readonly detail?: Readonly<Record<string, unknown>>;
}

/** A kind without fields. */
type NoFields = Record<never, never>;

/** The fields of each note kind (without `kind`, `time` and `process`). */
export interface EventFields {
  /** Consensus: a proposer starts an attempt with this ballot (a log's leader: its phase 1, covering every instance `from` on). */
  attempt: { readonly ballot: number; readonly from?: number };
  /**
   * Consensus: this process decided `value` (as the proposer of `ballot`;
   * `late`: an overtaken attempt that still concluded). A log's decision
   * carries its `index`; the first decision of an attempt carries its cost.
   */
  decide: {
    readonly value: EventValue;
    readonly ballot?: number;
    readonly index?: number;
    readonly late?: boolean;
    readonly started?: number;
    readonly verbs?: number;
    readonly messages?: number;
    readonly bytes?: number;
    readonly permissionRequests?: number;
  };
  /** Consensus: this process learned the decision `value` from process `from` (a log entry carries its `index`). */
  learn: { readonly value: EventValue; readonly from?: number; readonly index?: number };
  /** Mu: this process leads with proposal `ballot`: permission and prepare done on a majority, `settled` slots re-proposed from `commitPoint` on. */
  leading: { readonly ballot: number; readonly commitPoint: number; readonly settled: number };
  /** Mu: a write of this leader's (proposal `ballot`) was refused — another leader holds the permission; it stops at once. */
  deposed: { readonly ballot: number };
  /** Replicated log: this process delivered log entry `index` (its `value`), decided by consensus instance `instance`. */
  commit: { readonly index: number; readonly value: EventValue; readonly instance: number };
  /** Replicated log (Mu's recycled log): this process installed process `from`'s snapshot instead of delivering entries 0..index-1 (`digest`: their chained digest; consensus instances below `instance` applied). */
  snapshot: { readonly index: number; readonly instance: number; readonly digest: string; readonly from: number };
  /** Replicated key-value store: this replica's state after applying the first `applied` log entries (`final`: when it closed). */
  'kv-state': { readonly applied: number; readonly digest: string; readonly final?: boolean };
  /** Broadcast: sender `s` broadcast its `k`-th message (`m` printable, `hex` its bytes). */
  broadcast: { readonly s: number; readonly k: number; readonly m: string; readonly hex: string };
  /** Broadcast: this process delivered (s, k) by the fast or slow `path`. */
  deliver: { readonly s: number; readonly k: number; readonly m: string; readonly hex: string; readonly path: string };
  /** Reliable broadcast: the consistent-broadcast layer under it delivered (s, k). */
  'cb-deliver': { readonly s: number; readonly k: number; readonly m: string; readonly hex: string; readonly path: string };
  /** Broadcast: this process signed a statement for (s, k) with `purpose`. */
  sign: { readonly purpose: string; readonly s: number; readonly k: number };
  /** Broadcast: this process's signature counts when it finished (a process that noted them is alive at the end). */
  signatures: { readonly made: number; readonly verified: number; readonly rejected: number; readonly malformed: number };
  /** Broadcast: a Byzantine strategy had an effect, and why. */
  'adversary-effect': { readonly adversary: string; readonly reason: string };
  /** Broadcast: a replicator found `owner`'s slot signed twice differently (`fields`, comma-separated). */
  'equivocation-proof': { readonly owner: number; readonly fields: string };
  /** Broadcast: this process gave up on (s, k) when its run ended. */
  'give-up': { readonly s: number; readonly k: number };
  /** Broadcast: this process saw two different messages for (s, k). */
  conflict: { readonly s: number; readonly k: number };
  /** Broadcast: a signature by `signer` in `owner`'s slot failed verification. */
  rejected: { readonly owner: number; readonly signer: number; readonly purpose: string; readonly s: number; readonly k: number };
  /** SWARM scenarios: one operation (`f`: read or write) took `roundTrips` round trips on its critical path. */
  'op-cost': { readonly f: string; readonly roundTrips: number };
  /** SWARM scenarios: a client stopped because its next timestamp would not fit in 40 bits (spec swarm.md §3: fail-stop, never wrap). */
  'ts-exhausted': { readonly timestamp: string };
  /** BFT consensus (n = 2f+1 on CB): this replica decided batch hash `h` (hex) at instance `i` in view `v` by the `fast` or `slow` path. */
  'bft-decide': { readonly v: number; readonly i: number; readonly h: string; readonly path: string };
  /** BFT consensus: this replica executed client `c`'s request `s` as part of instance `i`. */
  'bft-execute': { readonly i: number; readonly c: number; readonly s: number };
  /** BFT consensus: a suspicion of §2.5.1 in view `v` (a trigger: sealing follows). */
  'bft-suspect': { readonly v: number; readonly reason: string };
  /** BFT consensus: a correct replica ended its run for sizing (`stream-full`, `snapshot-full`), apart from safety and liveness. */
  'bft-sizing': { readonly verdict: string };
  /** BFT consensus: a replica's counts when it stopped: point messages, REPLYs, CB broadcasts, consensus signatures made and verified, and its stream's (CB) signatures. */
  'bft-counters': { readonly messages: number; readonly replies: number; readonly broadcasts: number; readonly made: number; readonly verified: number; readonly streamMade: number; readonly streamVerified: number; readonly viewChangeMessages: number; readonly viewChangeMade: number };
  /** BFT consensus: sealing view `u` started at a trigger of kind `trigger` (suspicion, seals, new-view, tview; §2.5.1). */
  'bft-seal-start': { readonly u: number; readonly trigger: string };
  /** BFT consensus: this replica wrote SEAL(`u`) in its stream (§2.5.3). */
  'bft-seal': { readonly u: number };
  /** BFT consensus: as leader of `w`, this replica wrote NEW_VIEW(`w`) fixing instances `start`..`end` (§2.6.2). */
  'bft-new-view': { readonly w: number; readonly start: number; readonly end: number };
  /** BFT consensus: this replica entered view `v` on a valid NEW_VIEW fixing `start`..`end` (§2.6.5). */
  'bft-enter': { readonly v: number; readonly start: number; readonly end: number };
  /** BFT consensus: this replica installed a STATE (§2.7.2), so instances `from`..`to` ran elsewhere, not here. */
  'bft-skip': { readonly from: number; readonly to: number };
  /** BFT consensus: this replica, behind CP(`next`), sent FETCH to `to` (§2.7.2). */
  'bft-fetch': { readonly next: number; readonly to: number };
  /** BFT consensus: this replica refused a STATE from `from` for CP(`next`) (§2.7.2), for `reason`. */
  'bft-state-refused': { readonly from: number; readonly next: number; readonly reason: string };
  /** BFT scripted schedules (tests): a correct replica's view `v` and executed prefix when the script ends. */
  'bft-script-view': { readonly v: number; readonly executed: number };
  /** BFT scripted schedules: a scripted Byzantine replica names a batch it proposes (`name`, its hash `h` in hex), so a run's decisions can be read as A or B. */
  'bft-script-batch': { readonly name: string; readonly h: string };
  /** PBFT-style baseline (n = 3f+1): the primary of view `v` sent PRE-PREPARE for instance `i`. */
  'pbft-propose': { readonly v: number; readonly i: number };
  /** PBFT-style baseline: this replica left its view for `v`, sending a VIEW-CHANGE with `prepared` P entries. */
  'pbft-view-change': { readonly v: number; readonly prepared: number };
  /** PBFT-style baseline: this replica entered view `v` (NEW-VIEW sent or accepted) with `chosen` instances re-proposed. */
  'pbft-new-view': { readonly v: number; readonly chosen: number };
  /** PBFT-style baseline: a NEW-VIEW for `v` from `from` failed validation (its choice or its VIEW-CHANGEs). */
  'pbft-bad-new-view': { readonly v: number; readonly from: number };
  /** PBFT-style baseline: a replica's counts when it stopped: replica messages, REPLYs, signatures made and verified, views entered. */
  'pbft-counters': { readonly messages: number; readonly replies: number; readonly made: number; readonly verified: number; readonly views: number; readonly viewMessages: number };
  /** Test bodies: a step counter. */
  round: { readonly round: number };
  /** Test bodies and scripted schedules: markers without fields. */
  go: NoFields;
  got: NoFields;
  done: NoFields;
}

export type EventKind = keyof EventFields;

/** One decoded note: its kind, who noted it and when, and its typed fields. */
export type ProtocolEvent = { [K in EventKind]: { readonly kind: K; readonly time: number; readonly process: number } & EventFields[K] }[EventKind];

/** A note's typed event by kind, e.g. `EventOf<'decide'>`. */
export type EventOf<K extends EventKind> = Extract<ProtocolEvent, { readonly kind: K }>;

/** What a protocol emits: the event without its time and process (the fabric adds those). */
export type EmittedEvent = { [K in EventKind]: { readonly kind: K } & EventFields[K] }[EventKind];

type FieldType = 'number' | 'string' | 'boolean' | 'value';
type Schema = { readonly [field: string]: { readonly type: FieldType; readonly optional?: true } };

const number = { type: 'number' } as const;
const string = { type: 'string' } as const;
const value = { type: 'value' } as const;
const optionalNumber = { type: 'number', optional: true } as const;
const instance = { s: number, k: number };
const message = { ...instance, m: string, hex: string };

/** The schema of every kind: each field's type, and whether it may be absent. */
export const eventSchemas: { readonly [K in EventKind]: Schema } = {
  attempt: { ballot: number, from: optionalNumber },
  decide: {
    value,
    ballot: optionalNumber,
    index: optionalNumber,
    late: { type: 'boolean', optional: true },
    started: optionalNumber,
    verbs: optionalNumber,
    messages: optionalNumber,
    bytes: optionalNumber,
    permissionRequests: optionalNumber,
  },
  learn: { value, from: optionalNumber, index: optionalNumber },
  commit: { index: number, value, instance: number },
  snapshot: { index: number, instance: number, digest: string, from: number },
  leading: { ballot: number, commitPoint: number, settled: number },
  deposed: { ballot: number },
  'kv-state': { applied: number, digest: string, final: { type: 'boolean', optional: true } },
  broadcast: message,
  deliver: { ...message, path: string },
  'cb-deliver': { ...message, path: string },
  sign: { purpose: string, ...instance },
  signatures: { made: number, verified: number, rejected: number, malformed: number },
  'adversary-effect': { adversary: string, reason: string },
  'equivocation-proof': { owner: number, fields: string },
  'give-up': instance,
  conflict: instance,
  rejected: { owner: number, signer: number, purpose: string, ...instance },
  'op-cost': { f: string, roundTrips: number },
  'ts-exhausted': { timestamp: string },
  'bft-decide': { v: number, i: number, h: string, path: string },
  'bft-execute': { i: number, c: number, s: number },
  'bft-suspect': { v: number, reason: string },
  'bft-sizing': { verdict: string },
  'bft-counters': { messages: number, replies: number, broadcasts: number, made: number, verified: number, streamMade: number, streamVerified: number, viewChangeMessages: number, viewChangeMade: number },
  'bft-seal-start': { u: number, trigger: string },
  'bft-seal': { u: number },
  'bft-new-view': { w: number, start: number, end: number },
  'bft-enter': { v: number, start: number, end: number },
  'bft-skip': { from: number, to: number },
  'bft-fetch': { next: number, to: number },
  'bft-state-refused': { from: number, next: number, reason: string },
  'bft-script-view': { v: number, executed: number },
  'bft-script-batch': { name: string, h: string },
  'pbft-propose': { v: number, i: number },
  'pbft-view-change': { v: number, prepared: number },
  'pbft-new-view': { v: number, chosen: number },
  'pbft-bad-new-view': { v: number, from: number },
  'pbft-counters': { messages: number, replies: number, made: number, verified: number, views: number, viewMessages: number },
  round: { round: number },
  go: {},
  got: {},
  done: {},
};

/** The kinds of the catalogue. */
export const eventKinds = Object.keys(eventSchemas) as EventKind[];

function isEventKind(kind: string): kind is EventKind {
  return Object.prototype.hasOwnProperty.call(eventSchemas, kind);
}

function hasType(candidate: unknown, type: FieldType): boolean {
  if (type === 'value') return candidate !== undefined;
  if (type === 'number') return typeof candidate === 'number' && Number.isFinite(candidate);
  return typeof candidate === type;
}

/**
 * What is wrong with a note of a known kind (a missing field, a field of the
 * wrong type), or undefined when it decodes; undefined too for a kind
 * outside the catalogue (nothing to check it against).
 */
export function eventProblem(note: NoteRecord): string | undefined {
  if (!isEventKind(note.kind)) return undefined;
  const schema = eventSchemas[note.kind];
  const detail = note.detail ?? {};
  const problems: string[] = [];
  for (const [field, rule] of Object.entries(schema)) {
    const candidate = detail[field];
    if (candidate === undefined) {
      if (!rule.optional) problems.push(`'${field}' is missing`);
    } else if (!hasType(candidate, rule.type)) problems.push(`'${field}' is ${JSON.stringify(candidate)}, not a ${rule.type}`);
  }
  return problems.length > 0 ? `p${note.process}'s '${note.kind}' note at ${note.time}: ${problems.join(', ')}` : undefined;
}

/**
 * The one decoder: a note as its typed event, or undefined when its kind is
 * not in the catalogue or its fields do not match the kind's schema
 * (`eventProblem` says why). Fields outside the schema are dropped.
 */
export function decodeEvent(note: NoteRecord): ProtocolEvent | undefined {
  if (!isEventKind(note.kind) || eventProblem(note) !== undefined) return undefined;
  const detail = note.detail ?? {};
  const fields: Record<string, unknown> = {};
  for (const field of Object.keys(eventSchemas[note.kind])) if (detail[field] !== undefined) fields[field] = detail[field];
  return { ...fields, kind: note.kind, time: note.time, process: note.process } as ProtocolEvent;
}

/** The decoded events of a run, in order, and a line for every note of a known kind that did not decode. */
export function decodeEvents(notes: readonly NoteRecord[]): { readonly events: ProtocolEvent[]; readonly malformed: string[] } {
  const events: ProtocolEvent[] = [];
  const malformed: string[] = [];
  for (const note of notes) {
    const event = decodeEvent(note);
    if (event) events.push(event);
    else {
      const problem = eventProblem(note);
      if (problem !== undefined) malformed.push(problem);
    }
  }
  return { events, malformed };
}

/** The decoded events of one kind, e.g. `eventsOf(notes, 'deliver')`. */
export function eventsOf<K extends EventKind>(notes: readonly NoteRecord[], kind: K): EventOf<K>[] {
  const found: EventOf<K>[] = [];
  for (const note of notes) {
    if (note.kind !== kind) continue;
    const event = decodeEvent(note);
    if (event) found.push(event as EventOf<K>);
  }
  return found;
}

/** Anything with the fabric's `note` (a `Fabric`, a recorder). */
export interface NoteSink {
  note(kind: string, detail?: Readonly<Record<string, EventValue>>): void;
}

/** The typed emitter: notes an event of the catalogue (`emit(fabric, { kind: 'decide', value, ballot })`). */
export function emit(sink: NoteSink, event: EmittedEvent): void {
  const { kind, ...fields } = event;
  const detail: Record<string, EventValue> = {};
  for (const [field, fieldValue] of Object.entries(fields)) if (fieldValue !== undefined) detail[field] = fieldValue as EventValue;
  if (Object.keys(detail).length > 0) sink.note(kind, detail);
  else sink.note(kind);
}

/** An application operation's event in a run's history: its invocation, or its return (ok, fail or info). */
export interface OperationRecord {
  readonly process: number;
  readonly type: string;
  readonly f: string;
  readonly key?: string;
  readonly value: unknown;
  readonly time?: number;
  readonly op?: number;
}

export type OperationEvent =
  | { readonly kind: 'invoke'; readonly process: number; readonly f: string; readonly value: unknown; readonly key?: string; readonly time?: number; readonly op?: number }
  | { readonly kind: 'return'; readonly outcome: 'ok' | 'fail' | 'info'; readonly process: number; readonly f: string; readonly value: unknown; readonly key?: string; readonly time?: number; readonly op?: number };

/** A history event as an operation invoke or return, or undefined when its type is none of invoke, ok, fail, info. */
export function decodeOperation(event: OperationRecord): OperationEvent | undefined {
  if (typeof event.f !== 'string' || typeof event.process !== 'number') return undefined;
  const common = { process: event.process, f: event.f, value: event.value, ...(event.key !== undefined ? { key: event.key } : {}), ...(event.time !== undefined ? { time: event.time } : {}), ...(event.op !== undefined ? { op: event.op } : {}) };
  if (event.type === 'invoke') return { kind: 'invoke', ...common };
  if (event.type === 'ok' || event.type === 'fail' || event.type === 'info') return { kind: 'return', outcome: event.type, ...common };
  return undefined;
}
