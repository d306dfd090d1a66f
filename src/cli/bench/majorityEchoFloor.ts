import { majority, type Fabric, type Message, type ProcessId } from '../../fabric/index.js';
import { sequentialThenPipelined } from './latencyFigures.js';
import type { FloorArgs, FloorFigures } from './majorityWriteFloor.js';

/**
 * Message-passing Paxos's floor, next to the memory floor: one 64-byte
 * message from p0 to every other process, complete when enough of them
 * echoed it that, with p0 itself, a majority of the processes has it (n = 3:
 * the first of two echoes). A stable Multi-Paxos leader's decision costs
 * this round trip; a PMP decision costs the memory floor (the second of three
 * memories). Which is cheaper depends on the backend's wake-ups, so the
 * bench measures both.
 *
 * Message layout: byte 0 is the kind (`echo` or `stop`), bytes 1..4 the
 * round (little-endian), padded to 64 bytes.
 */
const messageBytes = 64;
const echoKind = 1;
const stopKind = 2;

export function echoFloorBody(args: unknown, process: ProcessId): ((fabric: Fabric) => Promise<unknown>) | undefined {
  const { count, window } = args as FloorArgs;
  if (process !== 0) {
    return (fabric) =>
      new Promise<null>((resolve) => {
        fabric.onMessage((message) => {
          if (message.data[0] === stopKind) return resolve(null);
          fabric.send(message.from, message.data);
        });
      });
  }
  return async (fabric): Promise<FloorFigures> => {
    const peers = Array.from({ length: fabric.processCount }, (_, peer) => peer).filter((peer) => peer !== fabric.self);
    // With the sender itself, this many echoes make a majority of the processes.
    const needed = majority(fabric.processCount) - 1;
    const waiting = new Map<number, { echoes: number; done: () => void }>();
    fabric.onMessage((message: Message) => {
      const round = new DataView(message.data.buffer, message.data.byteOffset + 1, 4).getUint32(0, true);
      const pending = waiting.get(round);
      if (!pending || ++pending.echoes < needed) return;
      waiting.delete(round);
      pending.done();
    });
    let nextRound = 0;
    const roundTrip = () =>
      new Promise<void>((done) => {
        const round = nextRound++;
        const data = new Uint8Array(messageBytes);
        data[0] = echoKind;
        new DataView(data.buffer).setUint32(1, round, true);
        waiting.set(round, { echoes: 0, done });
        for (const peer of peers) fabric.send(peer, data);
      });
    const { sequential, pipelinedPerSecond } = await sequentialThenPipelined(() => roundTrip(), count, window);
    const stop = new Uint8Array(messageBytes);
    stop[0] = stopKind;
    for (const peer of peers) fabric.send(peer, stop);
    return { memories: 0, needed, sequential, window, pipelinedPerSecond };
  };
}
