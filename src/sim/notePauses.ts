import type { ProcessId } from '../fabric/index.js';

/**
 * Pauses that strike when a process writes a note, not at a time: "p0
 * decides, then pauses" (specs/bft-consensus.md §6) is a moment in the
 * protocol, which a timed pause hits only by luck. The pause starts at the
 * instant of the process's `occurrence`-th note of `kind`
 * (`Fabric.note`), and holds its later wake-ups for `duration`, like a timed
 * pause (process.ts). Deterministic: the note's instant is.
 *
 * Text form, inside `--pause` next to timed pauses:
 * `pN@note:KIND[#K]+DURATION`, e.g. `p0@note:bft-decide+600` (p0 pauses for
 * 600 right after its first decision) or `p0@note:bft-decide#3+600`.
 */
export interface NotePause {
  readonly process: ProcessId;
  readonly kind: string;
  /** Which of the process's notes of `kind` triggers it (1 = the first). */
  readonly occurrence: number;
  readonly duration: number;
}

const notePauseForm = /^p(\d+)@note:([A-Za-z][\w.-]*)(?:#(\d+))?\+(\d+(?:\.\d+)?)$/;

/** Whether one `--pause` item is in the note form (`pN@note:…`), which parseNotePauses reads and parsePauses leaves. */
export function isNotePauseItem(part: string): boolean {
  return /^p\d+@note:/.test(part);
}

/** Parses the note-form items of a `--pause` list; throws a message saying what is accepted. */
export function parseNotePauses(text: string, world: { readonly processCount: number }): NotePause[] {
  const pauses: NotePause[] = [];
  for (const part of text.split(',').map((piece) => piece.trim()).filter(isNotePauseItem)) {
    const match = notePauseForm.exec(part);
    if (!match) throw new Error(`pause '${part}' is not of the form pN@note:KIND[#K]+DURATION (e.g. p0@note:bft-decide#2+600: p0 pauses for 600 at its second bft-decide note)`);
    const process = Number(match[1]);
    if (process >= world.processCount) throw new Error(`pause '${part}': no process p${process} (p0..p${world.processCount - 1})`);
    const occurrence = match[3] === undefined ? 1 : Number(match[3]);
    if (occurrence < 1) throw new Error(`pause '${part}': #K counts notes from 1`);
    const duration = Number(match[4]);
    if (!(duration > 0)) throw new Error(`pause '${part}': the duration must be positive`);
    pauses.push({ process, kind: match[2], occurrence, duration });
  }
  return pauses;
}

/** The text form of one note pause (what parseNotePauses reads). */
export function describeNotePause(pause: NotePause): string {
  return `p${pause.process}@note:${pause.kind}${pause.occurrence === 1 ? '' : `#${pause.occurrence}`}+${pause.duration}`;
}

/**
 * Counts each process's notes of the kinds some pause waits for, and strikes
 * each pause once, at its note. `strike` does the pausing (the simulation's).
 */
export class NotePauseBook {
  private readonly counts = new Map<string, number>();

  constructor(
    private readonly pauses: readonly NotePause[],
    private readonly strike: (pause: NotePause) => void,
  ) {}

  /** A process wrote a note of `kind`. */
  heard(process: ProcessId, kind: string): void {
    if (!this.pauses.some((pause) => pause.process === process && pause.kind === kind)) return;
    const key = `${process}/${kind}`;
    const count = (this.counts.get(key) ?? 0) + 1;
    this.counts.set(key, count);
    for (const pause of this.pauses) if (pause.process === process && pause.kind === kind && pause.occurrence === count) this.strike(pause);
  }
}
