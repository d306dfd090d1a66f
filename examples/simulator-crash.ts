/**
 * The replicated one-writer register on the deterministic simulator, with a
 * memory and a reader crashing mid-run: p0 writes 1..5 to a majority of three
 * memories, p1 and p2 read; m2 crashes at time 4 and p2 at time 9. The run's
 * history is then checked for regularity. Same seed, same run.
 *
 *   node simulator-crash.js [seed]
 */
import { RegularRegister, Simulation, checkRegular, getWord, regularRegisterRegion, setWord, unitLatency, type Fault, type OperationValue } from 'mnm';

const seed = Number(process.argv[2] ?? 1);
const register = { region: 'register', memories: [0, 1, 2], writer: 0, capacity: 8 };

const faults: Fault[] = [
  { kind: 'crash-memory', at: 4, memory: 2 },
  { kind: 'crash-process', at: 9, process: 2 },
];
const simulation = new Simulation({
  scenario: 'example:simulator-crash',
  seed,
  params: {},
  processCount: 3,
  memoryCount: 3,
  regions: [regularRegisterRegion(register)],
  latency: unitLatency,
  horizon: 1000,
  faults,
});

const encode = (value: number) => {
  const bytes = new Uint8Array(8);
  setWord(bytes, 0, BigInt(value));
  return bytes;
};
const decode = (bytes: Uint8Array | null): OperationValue => (bytes === null ? null : Number(getWord(bytes, 0)));

for (let process = 0; process < 3; process++) {
  simulation.spawn(process, async (fabric) => {
    const replicated = new RegularRegister(fabric, register);
    for (let step = 1; step <= 5; step++) {
      if (fabric.self === register.writer) {
        const op = fabric.history.invoke('write', step);
        await replicated.write(encode(step));
        fabric.history.ok(op, step);
      } else {
        const op = fabric.history.invoke('read', null);
        fabric.history.ok(op, decode(await replicated.read()));
      }
      await fabric.sleep(1);
    }
  });
}

const result = await simulation.run();
for (const event of result.history) {
  if (event.type !== 'invoke') console.log(`t=${event.time}\tp${event.process} ${event.f} -> ${JSON.stringify(event.value)}`);
}
console.log(`end: ${result.end} at t=${result.time}; crashed processes [${result.crashedProcesses.join(', ')}], memories [${result.crashedMemories.join(', ')}]`);
const violations = checkRegular(result.history);
console.log(violations.length === 0 ? 'regular: every read returned the last completed write or a concurrent one' : `NOT regular: ${violations.map((violation) => violation.detail).join('; ')}`);
if (violations.length > 0 || result.errors.length > 0 || result.unfinished.length > 0) process.exitCode = 1;
