/**
 * Checks your own history with the linearizability checker: two histories of
 * a read/write register, built in code, one linearizable and one not.
 * Events are in real-time order; a call (`invoke`) is paired with the next
 * return of the same process. `line` numbers the events for witnesses.
 *
 *   node check-history.js
 */
import { checkLinearizability, describeOperation, explainResult, models, pairOperations, type HistoryLine } from 'mnm';

type Event = Omit<HistoryLine, 'line'>;
const numbered = (events: readonly Event[]): HistoryLine[] => events.map((event, index) => ({ ...event, line: index + 1 }));

// p0 writes 1 while p1 reads: the read overlaps the write, so it may see 1.
const overlapping: Event[] = [
  { process: 0, type: 'invoke', f: 'write', value: 1 },
  { process: 1, type: 'invoke', f: 'read', value: null },
  { process: 1, type: 'ok', f: 'read', value: 1 },
  { process: 0, type: 'ok', f: 'write', value: 1 },
];

// The write of 1 completed before p1's read began, yet the read returned the
// initial null: a stale read, which no order of the operations explains.
const stale: Event[] = [
  { process: 0, type: 'invoke', f: 'write', value: 1 },
  { process: 0, type: 'ok', f: 'write', value: 1 },
  { process: 1, type: 'invoke', f: 'read', value: null },
  { process: 1, type: 'ok', f: 'read', value: null },
];

let unexpected = 0;
for (const [name, events, expected] of [
  ['overlapping', overlapping, 'linearizable'],
  ['stale', stale, 'not-linearizable'],
] as const) {
  const result = checkLinearizability(pairOperations(numbered(events)), models.register);
  console.log(`${name}: ${result.verdict}`);
  const order = result.partitions[0].linearization;
  // A linearizable history comes with the order in which its operations took effect; a violation, with why not.
  if (order) for (const operation of order) console.log(`    ${describeOperation(operation)}`);
  else console.log(explainResult(result).replace(/^/gm, '  '));
  if (result.verdict !== expected) unexpected++;
}
if (unexpected > 0) process.exitCode = 1;
