import type { MemoryId, ProcessId } from '../fabric/index.js';
import type { VerbKind } from '../trace/format.js';

/**
 * Scripted schedules: a `Hold` keeps one event (a verb's arrival or
 * completion, a message's delivery) from happening until something else has
 * happened, so that a known interleaving is a short readable test instead of
 * a lucky seed. This module is the script language (types, text form,
 * validation); `holdBook.ts` is the machinery that parks and releases events
 * at the scheduler's choice point. See docs/schedules.md.
 */

export const verbKinds: readonly VerbKind[] = ['read', 'write', 'cas', 'faa', 'permission'];

/**
 * What an event queued in the scheduler is, for the hold machinery (and
 * later an explorer). Timers and faults carry no label: they cannot be held.
 */
export type EventLabel =
  | { readonly type: 'verb.arrive' | 'verb.complete'; readonly process: ProcessId; readonly memory: MemoryId; readonly verb: VerbKind; readonly id: number }
  | { readonly type: 'msg.deliver'; readonly from: ProcessId; readonly to: ProcessId; readonly id: number };

/** Something that happened in the run: an event took effect, or a process wrote a note (notes are not events). */
export type Happening = EventLabel | { readonly type: 'note'; readonly process: ProcessId; readonly kind: string };

/**
 * Which event a hold keeps back. `occurrence` picks the n-th event that
 * matches, counted in the order the events come up at the choice point
 * (1 = the first, the default).
 */
export type EventPattern =
  | { readonly type: 'verb.arrive' | 'verb.complete'; readonly process: ProcessId; readonly memory: MemoryId; readonly verb: VerbKind; readonly occurrence?: number }
  | { readonly type: 'msg.deliver'; readonly from: ProcessId; readonly to: ProcessId; readonly occurrence?: number };

/** What a hold waits for: an event, or a protocol's `Fabric.note(kind)`; the n-th one that happens (default the first). */
export type HappeningPattern = EventPattern | { readonly type: 'note'; readonly process: ProcessId; readonly kind: string; readonly occurrence?: number };

/** Keep `event` back until `until` has happened (forever, if it never does). */
export interface Hold {
  readonly event: EventPattern;
  readonly until: HappeningPattern;
}

/** Whether `pattern` describes `happening` (occurrences aside). */
export function matchesPattern(pattern: HappeningPattern, happening: Happening): boolean {
  switch (pattern.type) {
    case 'verb.arrive':
    case 'verb.complete':
      return happening.type === pattern.type && happening.process === pattern.process && happening.memory === pattern.memory && happening.verb === pattern.verb;
    case 'msg.deliver':
      return happening.type === 'msg.deliver' && happening.from === pattern.from && happening.to === pattern.to;
    case 'note':
      return happening.type === 'note' && happening.process === pattern.process && happening.kind === pattern.kind;
  }
}

/** A pattern in the text form `parseHolds` reads (`p0 write m1 completes #2`, `msg p0->p2`, `p2 note decide`). */
export function describePattern(pattern: HappeningPattern): string {
  const occurrence = (pattern.occurrence ?? 1) === 1 ? '' : ` #${pattern.occurrence}`;
  return describeHappening(pattern) + occurrence;
}

/** A label or happening in the same text form, without an occurrence. */
export function describeHappening(happening: Happening | HappeningPattern): string {
  switch (happening.type) {
    case 'verb.arrive':
      return `p${happening.process} ${happening.verb} m${happening.memory}`;
    case 'verb.complete':
      return `p${happening.process} ${happening.verb} m${happening.memory} completes`;
    case 'msg.deliver':
      return `msg p${happening.from}->p${happening.to}`;
    case 'note':
      return `p${happening.process} note ${happening.kind}`;
  }
}

export function describeHold(hold: Hold): string {
  return `${describePattern(hold.event)} until ${describePattern(hold.until)}`;
}

type World = { readonly processCount: number; readonly memoryCount: number };

const grammar =
  "accepted: HOLD[; HOLD...] with HOLD = EVENT until WHAT; EVENT = pN VERB mN [arrives|completes] [#K] or msg pN->pM [#K]; WHAT = an EVENT or pN note KIND [#K]; VERB = read, write, cas, faa, permission; #K = the K-th match (default #1); e.g. 'p0 permission m2 until p2 note decide; msg p1->p0 #2 until p0 write m1'";

/**
 * Parses holds from one line, e.g. for `--hold`:
 * `p0 permission m2 until p2 note decide; msg p1->p0 #2 until p0 write m1 completes`.
 * Throws a one-line RangeError saying what is accepted.
 */
export function parseHolds(text: string, world: World): Hold[] {
  const holds: Hold[] = [];
  for (const part of text.split(';').map((piece) => piece.trim()).filter(Boolean)) {
    const sides = part.split(/\s+until\s+/);
    if (sides.length !== 2) throw new RangeError(`hold '${part}' needs exactly one 'until' (${grammar})`);
    const event = parsePattern(sides[0], part, world);
    if (event.type === 'note') throw new RangeError(`hold '${part}': a note cannot be held, only waited for (${grammar})`);
    holds.push({ event, until: parsePattern(sides[1], part, world) });
  }
  return holds;
}

function parsePattern(text: string, hold: string, world: World): HappeningPattern {
  // Spaces around '->' and before '#' are optional: 'msg p0->p2#2' = 'msg p0 -> p2 #2'.
  const tokens = text.replace(/->/g, ' -> ').replace(/#/g, ' #').trim().split(/\s+/);
  let occurrence: number | undefined;
  const last = tokens[tokens.length - 1];
  if (last.startsWith('#')) {
    if (!/^#[1-9]\d*$/.test(last)) throw new RangeError(`hold '${hold}': occurrence '${last}' is not #K with K a positive integer (${grammar})`);
    occurrence = Number(last.slice(1));
    tokens.pop();
  }
  const withOccurrence = <P extends HappeningPattern>(pattern: P): P => (occurrence === undefined ? pattern : { ...pattern, occurrence });
  if (tokens[0] === 'msg') {
    if (tokens.length !== 4 || tokens[2] !== '->') throw new RangeError(`hold '${hold}': '${text}' is not msg pN->pM [#K] (${grammar})`);
    return withOccurrence({ type: 'msg.deliver', from: processOf(tokens[1], hold, world), to: processOf(tokens[3], hold, world) });
  }
  if (tokens[1] === 'note') {
    if (tokens.length !== 3) throw new RangeError(`hold '${hold}': '${text}' is not pN note KIND [#K] (${grammar})`);
    return withOccurrence({ type: 'note', process: processOf(tokens[0], hold, world), kind: tokens[2] });
  }
  if (tokens.length < 3 || tokens.length > 4) throw new RangeError(`hold '${hold}': '${text}' is not an event or a note (${grammar})`);
  const verb = tokens[1] as VerbKind;
  if (!verbKinds.includes(verb)) throw new RangeError(`hold '${hold}': unknown verb '${tokens[1]}' (${grammar})`);
  const stage = tokens[3] ?? 'arrives';
  if (stage !== 'arrives' && stage !== 'completes') throw new RangeError(`hold '${hold}': '${stage}' is neither 'arrives' nor 'completes' (${grammar})`);
  return withOccurrence({ type: stage === 'arrives' ? 'verb.arrive' : 'verb.complete', process: processOf(tokens[0], hold, world), memory: memoryOf(tokens[2], hold, world), verb });
}

function processOf(token: string, hold: string, world: World): ProcessId {
  const match = /^p(\d+)$/.exec(token);
  if (!match) throw new RangeError(`hold '${hold}': '${token}' is not a process pN (${grammar})`);
  const process = Number(match[1]);
  if (process >= world.processCount) throw new RangeError(`hold '${hold}': no process p${process} (p0..p${world.processCount - 1})`);
  return process;
}

function memoryOf(token: string, hold: string, world: World): MemoryId {
  const match = /^m(\d+)$/.exec(token);
  if (!match) throw new RangeError(`hold '${hold}': '${token}' is not a memory mN (${grammar})`);
  const memory = Number(match[1]);
  if (memory >= world.memoryCount) throw new RangeError(`hold '${hold}': no memory m${memory} (${world.memoryCount === 0 ? 'there are none' : `m0..m${world.memoryCount - 1}`})`);
  return memory;
}

/** Checks holds given as objects (not parsed): processes, memories and occurrences exist. Throws a RangeError naming the hold. */
export function validateHolds(holds: readonly Hold[], world: World): void {
  for (const hold of holds) {
    for (const pattern of [hold.event, hold.until] as HappeningPattern[]) {
      const where = `hold '${describeHold(hold)}'`;
      const processes = pattern.type === 'msg.deliver' ? [pattern.from, pattern.to] : [pattern.process];
      for (const process of processes) {
        if (!Number.isInteger(process) || process < 0 || process >= world.processCount) throw new RangeError(`${where}: no process p${process} (p0..p${world.processCount - 1})`);
      }
      if ((pattern.type === 'verb.arrive' || pattern.type === 'verb.complete') && !(Number.isInteger(pattern.memory) && pattern.memory >= 0 && pattern.memory < world.memoryCount)) {
        throw new RangeError(`${where}: no memory m${pattern.memory} (${world.memoryCount} memories)`);
      }
      if ((pattern.type === 'verb.arrive' || pattern.type === 'verb.complete') && !verbKinds.includes(pattern.verb)) throw new RangeError(`${where}: unknown verb '${pattern.verb}' (accepted: ${verbKinds.join(', ')})`);
      if (pattern.occurrence !== undefined && !(Number.isInteger(pattern.occurrence) && pattern.occurrence >= 1)) throw new RangeError(`${where}: occurrence ${pattern.occurrence} is not a positive integer`);
    }
    if ((hold.event.type as string) === 'note') throw new RangeError(`hold '${describeHold(hold)}': a note cannot be held, only waited for`);
  }
}
