import type { CheckpointShareMessage, CommitFastMessage, PromiseMessage, ShareMessage, VcShareMessage } from './messages.js';
import { isCheckpointPoint } from './checkpoints.js';
import { leaderOf, servesView } from './viewChange.js';

/**
 * Early messages (specs/bft-consensus.md §2.8): point-to-point messages that
 * arrive before r can use them (a PROMISE before r accepted the PREPARE, a
 * CKPT-SHARE before r executed that far, a VC-SHARE before r sealed the view
 * before the one it leads) wait in a buffer with a fixed bound. The first
 * copy per key is kept, the rest dropped, and only keys in a window around
 * r's position are taken:
 * - PROMISE, COMMIT-FAST, SHARE per (type, sender, v, i): x ≤ v ≤ x+n,
 *   N ≤ i < N+2W;
 * - CKPT-SHARE per (sender, next): N < next ≤ N+2W (next ≡ 0 mod W/2);
 * - VC-SHARE per (sender, p, a, u) serving a view w that r leads, x < w ≤ x+n+1.
 * (x: r's view number of §2.5.4; N: next of r's newest CP.)
 *
 * The VC-SHARE key alone does not bound the buffer (a and u are any
 * numbers), so each (sender, p) keeps at most as many as the views r can
 * lead in the window (2): a correct sender's shares for p come from p's
 * chain of SEALs, one per view w, so none of a correct sender's shares is
 * ever refused for this (and f+1 correct senders suffice for a certificate).
 *
 * Why it matters (§4, liveness): a flood — Byzantine or just a fast
 * replica — cannot grow r's memory, yet every message a correct replica sends
 * within the window survives until r can use it.
 */

export type EarlyMessage = PromiseMessage | CommitFastMessage | ShareMessage | CheckpointShareMessage | VcShareMessage;

/** r's position: x (its view number, or the view it seals, or u+1 after SEAL(u)) and N (next of its newest CP). */
export interface BufferPosition {
  readonly view: number;
  readonly next: number;
}

export interface BufferedMessage {
  readonly sender: number;
  readonly message: EarlyMessage;
}

export type OfferVerdict = 'buffered' | 'duplicate' | 'out-of-range';

/** VC-SHAREs kept per (sender, p): the number of views r can lead among x+1 … x+n+1. */
const vcSharesPerSenderAndProcess = 2;

export class EarlyMessageBuffer {
  private readonly entries = new Map<string, BufferedMessage>();
  private position: BufferPosition;

  constructor(
    private readonly config: { readonly self: number; readonly n: number; readonly window: number },
    start: BufferPosition = { view: 0, next: 0 },
  ) {
    this.position = start;
  }

  /** Most entries the buffer can ever hold, whatever arrives. */
  get bound(): number {
    const { n, window } = this.config;
    const instanceKeys = 3 * n * (n + 1) * 2 * window;
    const checkpointKeys = n * 4; // nexts N+W/2, N+W, N+3W/2, N+2W
    const vcShareKeys = n * n * vcSharesPerSenderAndProcess;
    return instanceKeys + checkpointKeys + vcShareKeys;
  }

  get size(): number {
    return this.entries.size;
  }

  /** Offers an early message from `sender`: kept if its key is in range and new. */
  offer(sender: number, message: EarlyMessage): OfferVerdict {
    if (!Number.isInteger(sender) || sender < 0 || sender >= this.config.n) return 'out-of-range';
    const key = this.keyOf(sender, message);
    if (key === null || !this.inRange(message)) return 'out-of-range';
    if (this.entries.has(key)) return 'duplicate';
    if (message.type === 'vc-share' && this.vcSharesOf(sender, message.process) >= vcSharesPerSenderAndProcess) return 'duplicate';
    this.entries.set(key, { sender, message });
    return 'buffered';
  }

  /** r's view or N advanced: entries now outside the window are dropped (they are late, not early). Returns how many. */
  advance(position: BufferPosition): number {
    if (position.view < this.position.view || position.next < this.position.next) throw new RangeError('a buffer position never goes back');
    this.position = position;
    let dropped = 0;
    for (const [key, entry] of this.entries) {
      if (!this.inRange(entry.message)) {
        this.entries.delete(key);
        dropped++;
      }
    }
    return dropped;
  }

  /** (v, i) turned live at r: the PROMISEs, COMMIT-FASTs and SHAREs buffered for it, removed from the buffer. */
  releaseInstance(view: number, instance: number): BufferedMessage[] {
    return this.release((message) => (message.type === 'promise' || message.type === 'commit-fast' || message.type === 'share') && message.view === view && message.instance === instance);
  }

  /** r executed next−1 (or is otherwise ready for CKPT-SHAREs at next): those buffered for it. */
  releaseCheckpoint(next: number): BufferedMessage[] {
    return this.release((message) => message.type === 'ckpt-share' && message.next === next);
  }

  /** r is ready to lead w (latest SEAL w−1): the VC-SHAREs buffered that serve w. */
  releaseViewChange(view: number): BufferedMessage[] {
    return this.release((message) => message.type === 'vc-share' && servesView(message.sealedBefore, message.sealed, view));
  }

  private release(matches: (message: EarlyMessage) => boolean): BufferedMessage[] {
    const released: BufferedMessage[] = [];
    for (const [key, entry] of this.entries) {
      if (matches(entry.message)) {
        released.push(entry);
        this.entries.delete(key);
      }
    }
    return released;
  }

  private keyOf(sender: number, message: EarlyMessage): string | null {
    switch (message.type) {
      case 'promise':
      case 'commit-fast':
      case 'share':
        return `${message.type}/${sender}/${message.view}/${message.instance}`;
      case 'ckpt-share':
        return `ckpt-share/${sender}/${message.next}`;
      case 'vc-share':
        return `vc-share/${sender}/${message.process}/${message.sealedBefore}/${message.sealed}`;
      default:
        return null;
    }
  }

  private inRange(message: EarlyMessage): boolean {
    const { view: x, next: N } = this.position;
    const { n, window } = this.config;
    switch (message.type) {
      case 'promise':
      case 'commit-fast':
      case 'share':
        return Number.isSafeInteger(message.view) && x <= message.view && message.view <= x + n && Number.isSafeInteger(message.instance) && N <= message.instance && message.instance < N + 2 * window;
      case 'ckpt-share':
        return isCheckpointPoint(message.next, window) && N < message.next && message.next <= N + 2 * window;
      case 'vc-share':
        return this.ledViewServed(message);
    }
  }

  /** Whether the share serves some w in (x, x+n+1] that r leads. */
  private ledViewServed(message: VcShareMessage): boolean {
    const { view: x } = this.position;
    if (!Number.isSafeInteger(message.sealedBefore) || !Number.isSafeInteger(message.sealed)) return false;
    for (let w = x + 1; w <= x + this.config.n + 1; w++) {
      if (leaderOf(w, this.config.n) === this.config.self && servesView(message.sealedBefore, message.sealed, w)) return true;
    }
    return false;
  }

  private vcSharesOf(sender: number, process: number): number {
    let count = 0;
    for (const entry of this.entries.values()) {
      if (entry.sender === sender && entry.message.type === 'vc-share' && entry.message.process === process) count++;
    }
    return count;
  }
}
