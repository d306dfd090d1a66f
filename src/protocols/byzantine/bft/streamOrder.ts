/**
 * The order in which a replica processes one sender's stream messages. A
 * correct replica processes them in k order (§2.1; the CB hands them over
 * that way, so it needs nothing from here). Two §6 mutants break that order
 * on a CB that hands each k over as it is delivered (`release: 'arrival'`):
 * - `no-fifo` (2.4.2): every message, the leader's PREPAREs among them, is
 *   processed in delivery order, so two readers may accept different
 *   PREPAREs for one (v, i) (L1 lost);
 * - `seal-without-prefix` (2.6.1): a SEAL is processed (and certified) at
 *   once, before the sender's earlier messages (its COMMITs); everything
 *   else keeps k order, and a message processed early is skipped when the
 *   k order reaches it.
 *
 * Pure bookkeeping: which deliveries to process now, in which order.
 */
export class StreamOrder<T> {
  /** The lowest k not processed (nor skipped) in k order yet. */
  private next = 1;
  private readonly waiting = new Map<number, T>();
  /** Ks processed ahead of the k order (skipped when it reaches them). */
  private readonly early = new Set<number>();

  /**
   * Sequence k delivered with `item`; `jump`: process it now, whatever is
   * still missing before it. Returns what to process now, in order.
   */
  arrive(sequence: number, item: T, jump: boolean): T[] {
    if (sequence < this.next || this.waiting.has(sequence) || this.early.has(sequence)) return [];
    const now: T[] = [];
    if (jump) {
      this.early.add(sequence);
      now.push(item);
    } else this.waiting.set(sequence, item);
    for (;;) {
      if (this.early.delete(this.next)) this.next++;
      else if (this.waiting.has(this.next)) {
        now.push(this.waiting.get(this.next) as T);
        this.waiting.delete(this.next++);
      } else break;
    }
    return now;
  }
}
