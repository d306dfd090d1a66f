import { encodeMessage } from '../../protocols/byzantine/bft/codec.js';
import type { Request, StreamMessage } from '../../protocols/byzantine/bft/messages.js';
import { messageHash } from '../../protocols/byzantine/digest.js';
import { recordSlot, senderSlot, slotIdentity, type SlotRef } from '../../protocols/byzantine/layout.js';
import { readSlot, SwmrRegisters } from '../../protocols/byzantine/registers.js';
import { encodeSlotImage, sameBytes, type SlotImage } from '../../protocols/byzantine/slot.js';
import { recordView, type RecordView } from '../../protocols/byzantine/views.js';
import { batchHash, type BftScript, type ScriptedReplica } from './scriptHarness.js';
import type { BftSchedule } from './schedule.js';
import { scriptedSchedule } from './scriptedSchedule.js';
import { requestOf } from './scriptMoves.js';

/**
 * The §2.1 (record-layer) §6 schedules of specs/bft-consensus.md, each a
 * variant of the consistent broadcast's records or checks that a bft
 * replica's stream runs (protocols/byzantine/mutants.ts), caught by its
 * interleaving as a script (scriptHarness.ts) in which b = p0, the leader of
 * view 0, writes its own stream's slots by hand. The same schedule runs
 * clean on correct code. (`torn-blocks` is caught by the `torn-writer`
 * adversary on the `bft` scenario itself: bftMutantsRecords.test.ts.)
 *
 * Both scripts split b's stream between p1 and p2 at k = 1 (PREPARE(0, 0)
 * of A = [c1's put] for one, B = [c2's put] for the other) and again at
 * k = 2 (COMMIT(A) with the PC {A's acceptor, b}, COMMIT(B) likewise, b
 * lending a SHARE to each): each then finds its COMMIT in its own stream
 * and in b's, and decides it. Correct code never lets the second one
 * deliver at k = 1 (the records certify the first value), so at most one
 * decides; the mutant lets both: agreement is violated at instance 0.
 * `unchecked-value` splits by time (p2 paused while p1 takes A),
 * `rewritten-record` by memory (holds give p1 and p2 different majorities).
 */

const c1 = 3;
const c2 = 4;
/** p2 runs only from then on: long after p1 decided A (at ≈ 90 on unit latency), with room for p2's B to follow. */
const pausedUntil = 300;
const duration = 1200;
/** No view change in the window the schedules need: Tdecide, Treq and Tview far beyond the run. */
const calmTiming = { slow: 30, forward: 4000, decide: 4000, request: 9000, view: 9000 };

/** A slot with nothing in it (flags 0). */
const blank: SlotImage = { fields: {}, flags: 0n };

/** b's hand on its own region: slot images, raw writes, and the others' records of its broadcasts. */
class HandWrittenStream {
  private readonly registers: SwmrRegisters;

  constructor(private readonly b: ScriptedReplica) {
    this.registers = new SwmrRegisters(b.fabric, b.layout);
  }

  /** σb over (b, k, H(m)). */
  sign(sequence: number, message: Uint8Array): Uint8Array {
    return this.b.signer.sign({ purpose: 'broadcast', sender: this.b.self, sequence, message: messageHash(message) });
  }

  /** b's sender slot of k holding `image` (one image, or one per memory), on every memory. */
  async writeSlot(sequence: number, image: SlotImage | ((memory: number) => SlotImage)): Promise<void> {
    await this.write(senderSlot(this.b.self, sequence), image);
  }

  /** b's own record of its k (one image, or one per memory): b's CB is stopped, so b alone writes it. */
  async writeRecord(sequence: number, image: SlotImage | ((memory: number) => SlotImage)): Promise<void> {
    await this.write(recordSlot(this.b.self, sequence), image);
  }

  private async write(slot: SlotRef, image: SlotImage | ((memory: number) => SlotImage)): Promise<void> {
    const imageOf = typeof image === 'function' ? image : () => image;
    await this.registers.writeRaw(slot, 0, (memory) => encodeSlotImage(slot.kind, slotIdentity(this.b.self, slot), imageOf(memory), this.b.layout.shape));
  }

  /** `owner`'s record of b's k as a reader makes it out now. */
  async record(owner: number, sequence: number): Promise<RecordView> {
    const read = await this.registers.readBlocks(owner, sequence, sequence);
    return recordView(readSlot(read, recordSlot(this.b.self, sequence), this.b.layout));
  }

  /** Polls (every time unit) until `owner`'s record of b's k satisfies `test`. */
  async until(owner: number, sequence: number, test: (record: RecordView) => boolean): Promise<void> {
    while (!test(await this.record(owner, sequence))) await this.b.fabric.sleep(1);
  }
}

/** The SHARE(0, 0, h) of `from` as b received it. */
async function shareOf(b: ScriptedReplica, from: number, hash: Uint8Array): Promise<Uint8Array> {
  const event = await b.next((event) => event.kind === 'point' && event.from === from && event.message.type === 'share' && event.message.view === 0 && event.message.instance === 0 && sameBytes(event.message.hash, hash));
  if (event.kind !== 'point' || event.message.type !== 'share') throw new Error('not a SHARE');
  return event.message.signature;
}

/** COMMIT(0, 0, batch) with the PC {from, b}, once `from`'s SHARE arrived; b answers it with its own SHARE. */
async function commitWith(b: ScriptedReplica, from: number, batch: readonly Request[]): Promise<StreamMessage> {
  const hash = batchHash([...batch]);
  const signature = await shareOf(b, from, hash);
  b.send(from, b.shareMessage(0, 0, hash));
  const shares = [{ signer: from, signature }, b.prepareShare(0, 0, hash)].sort((x, y) => x.signer - y.signer);
  return { type: 'commit', view: 0, instance: 0, batch: [...batch], certificate: { view: 0, instance: 0, hash, shares } };
}

/**
 * The `unchecked-value` schedule (§6: `hash-swapper` b; p1 delivers A, p2 B):
 * b = p0 takes c1's and c2's REQs, A = [r1], B = [r2]; p2 paused until
 * `pausedUntil`. k = 1: PREPARE(0, 0, A) signed until p1 checked it (and
 * b's own replicator did), then B under σ(H(A)): the records hold H(A) only.
 * p1 SHAREs A, b answers, p1 COMMITs A; k = 2: COMMIT(A) (PC {p1, b})
 * until p1 checked it, then blank: p1 decides A. p2 runs, decides H(A) at
 * k = 1 with only B at hand; once it SHAREs B, COMMIT(B) (PC {p2, b}),
 * unsigned, at k = 2.
 */
function hashSwapSchedule(): Omit<BftScript, 'mutant'> {
  return {
    duration,
    timing: calmTiming,
    clients: [(client) => client.put('x', 'A'), (client) => client.put('x', 'B')],
    byzantine: {
      0: async (b) => {
        const stream = new HandWrittenStream(b);
        const r1 = await requestOf(b, c1);
        const r2 = await requestOf(b, c2);
        const prepareA = encodeMessage({ type: 'prepare', view: 0, instance: 0, batch: [r1] });
        const prepareB = encodeMessage({ type: 'prepare', view: 0, instance: 0, batch: [r2] });
        const signedA = stream.sign(1, prepareA);
        await stream.writeSlot(1, { fields: { value: prepareA, sig: signedA } });
        await stream.until(1, 1, (record) => record.checked && sameBytes(record.echo, messageHash(prepareA)));
        await stream.until(0, 1, (record) => record.checked);
        await stream.writeSlot(1, { fields: { value: prepareB, sig: signedA } });
        const commitA = encodeMessage(await commitWith(b, 1, [r1]));
        await stream.writeSlot(2, { fields: { value: commitA, sig: stream.sign(2, commitA) } });
        await stream.until(1, 2, (record) => record.checked);
        await stream.until(0, 2, (record) => record.checked);
        // p2 must find nothing at k = 2 when it runs: its COMMIT(B) comes once p2 SHAREd B.
        await stream.writeSlot(2, blank);
        const commitB = encodeMessage(await commitWith(b, 2, [r2]));
        await stream.writeSlot(2, { fields: { value: commitB } });
      },
    },
  };
}



/**
 * p1's verbs to memory 2 and p2's to memory 0 kept back for good (holds,
 * docs/schedules.md, until a note b never writes; a queue pair's later verbs
 * wait behind its first): p1 reads and writes {m0, m1}, p2 {m1, m2}; they
 * share m1, where b leaves its slots and records blank, so b can show each
 * its own copy.
 */
const memoryViews = ['p1 read m2', 'p1 write m2', 'p2 read m0', 'p2 write m0'].map((verb) => `${verb} until p0 note never`).join('; ');

/**
 * b's k, signed twice (X and Y), so that p2 delivers X and a p1 whose record
 * follows the sender slot delivers Y (the CB's `rewritten-record`: echo and
 * `signed` rewritten in place, the `checked` bit kept):
 * 1. X on m0 only: p1 adopts it, signs and checks it (nobody else wrote a
 *    thing), but cannot decide (b's record is blank on p1's memories);
 * 2. b's record "checked X" on m2 only: p2 decides H(X) on {p1, b};
 * 3. Y on m1 and X on m2: p2 adopts Y (the lowest memory's copy) and
 *    delivers X (a copy at hand with the decided hash); its record (Y, σY)
 *    keeps p1 from deciding X;
 * 4. Y on m0, b's record "checked Y" there: correct p1 keeps X (adopted once)
 *    and decides nothing (one checked record each, a signed conflict); the
 *    mutant p1 rewrites its record to (Y, σY) under its old `checked` bit:
 *    Y has f+1 checked records (p1, b) and no signed rival, and p1 delivers Y.
 */
async function twoFinalValues(stream: HandWrittenStream, sequence: number, x: Uint8Array, y: Uint8Array): Promise<void> {
  const [hashX, hashY] = [messageHash(x), messageHash(y)];
  const [signedX, signedY] = [stream.sign(sequence, x), stream.sign(sequence, y)];
  const slotX: SlotImage = { fields: { value: x, sig: signedX } };
  const slotY: SlotImage = { fields: { value: y, sig: signedY } };
  const checkedX: SlotImage = { fields: { echo: hashX, signed: signedX }, checked: true };
  const checkedY: SlotImage = { fields: { echo: hashY, signed: signedY }, checked: true };
  await stream.writeSlot(sequence, (memory) => (memory === 0 ? slotX : blank));
  await stream.until(1, sequence, (record) => record.checked && sameBytes(record.echo, hashX));
  await stream.writeRecord(sequence, (memory) => (memory === 2 ? checkedX : blank));
  await stream.until(2, sequence, (record) => sameBytes(record.ready, hashX));
  await stream.writeSlot(sequence, (memory) => (memory === 1 ? slotY : slotX));
  await stream.until(2, sequence, (record) => sameBytes(record.echo, hashY));
  await stream.writeRecord(sequence, (memory) => (memory === 0 ? checkedY : memory === 2 ? checkedX : blank));
  await stream.writeSlot(sequence, (memory) => (memory === 2 ? slotX : slotY));
}

export const recordsSchedules: readonly BftSchedule[] = [
  scriptedSchedule(
    {
      mutant: 'unchecked-value',
      step: '2.1',
      interleaving: "hash-swapping b = p0; p2 paused while p1 delivers A at b's k = 1 (and k = 2); then p2 delivers B under the hash the records certified",
      caughtAs: ['agreement'],
      options: { pause: `p2@1+${pausedUntil}` },
    },
    hashSwapSchedule(),
  ),
  scriptedSchedule(
    {
      mutant: 'rewritten-record',
      step: '2.1',
      interleaving: 'b = p0 signs two PREPAREs (and COMMITs) as k; p1 checks A, then its record follows B under its checked bit; p2 delivers A, p1 B',
      caughtAs: ['agreement'],
      options: { hold: memoryViews },
    },
    {
      duration: 1500,
      timing: calmTiming,
      clients: [(client) => client.put('x', 'A'), (client) => client.put('x', 'B')],
      byzantine: {
        0: async (b) => {
          // b's own CB off: b alone writes its records, copy by copy.
          await b.stop();
          const stream = new HandWrittenStream(b);
          const r1 = await requestOf(b, c1);
          const r2 = await requestOf(b, c2);
          await twoFinalValues(stream, 1, encodeMessage({ type: 'prepare', view: 0, instance: 0, batch: [r1] }), encodeMessage({ type: 'prepare', view: 0, instance: 0, batch: [r2] }));
          // p2 accepted A = [r1]; the mutant p1 B = [r2] (a correct p1 never SHAREs: it accepted nothing).
          const commitA = encodeMessage(await commitWith(b, 2, [r1]));
          const commitB = encodeMessage(await commitWith(b, 1, [r2]));
          await twoFinalValues(stream, 2, commitA, commitB);
        },
      },
    },
  ),
];
