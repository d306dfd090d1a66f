import { getWord, setWord, type OperationValue } from '../fabric/index.js';
import { RegularRegister, regularRegisterMutants, regularRegisterRegion, type RegularRegisterConfig, type RegularRegisterMutant } from '../protocols/register/regularRegister.js';
import { checkRegular } from '../check/regular.js';
import { latencyModel } from '../sim/latency.js';
import type { ResolvedOptions, Scenario } from './scenario.js';

/**
 * The lecture's replicated register with one writer: p0 writes 1, 2, 3, ...
 * and every other process reads, each with random pauses between
 * operations, while a minority of memories may crash. Every run is checked
 * for regularity.
 *
 * Values travel as 16 bytes, the number and its bitwise complement, so that a
 * read torn between two writes is visible to the client (it reports the
 * garbled bytes, a value nobody wrote) instead of silently passing.
 */
const capacity = 16;

function encodeValue(value: number): Uint8Array {
  const bytes = new Uint8Array(capacity);
  setWord(bytes, 0, BigInt(value));
  setWord(bytes, 8, ~BigInt(value));
  return bytes;
}

function decodeValue(bytes: Uint8Array | null): OperationValue {
  if (bytes === null) return null;
  if (bytes.length === capacity) {
    const value = getWord(bytes, 0);
    if (getWord(bytes, 8) === (~value & ((1n << 64n) - 1n))) return Number(value);
  }
  return `garbled:${Buffer.from(bytes).toString('hex')}`;
}

function config(options: ResolvedOptions): RegularRegisterConfig {
  return {
    region: 'register',
    memories: Array.from({ length: options.memories }, (_, memory) => memory),
    writer: 0,
    capacity,
    ...(options.mutant ? { mutant: options.mutant as RegularRegisterMutant } : {}),
  };
}

export const registerScenario: Scenario = {
  name: 'register',
  summary: "the lecture's replicated one-writer register: majority writes and reads over k memories (regular, not atomic)",
  // Two copies of the slot per memory (slot.ts): a write cut short by the writer's mid-write crash never tears the last whole value.
  cutShortWrites: true,
  mutants: regularRegisterMutants,
  defaults: { n: 3, memories: 3, ops: 10 },
  validate(options) {
    if (options.f !== undefined) throw new Error('--f: the register is sized by --memories (a minority may crash), not by f');
    if (options.adversary !== undefined) throw new Error('--adversary: the register has no Byzantine adversaries (crash faults only)');
    if (options.n < 2) throw new Error(`--n ${options.n}: the register needs a writer and at least one reader (accepted: n >= 2)`);
    if (options.memories < 1) throw new Error(`--memories ${options.memories}: at least one memory is needed`);
  },
  tolerance(options) {
    return { processes: options.n, memories: Math.floor((options.memories - 1) / 2) };
  },
  regions(options) {
    return [regularRegisterRegion(config(options))];
  },
  body(options, process) {
    const registerConfig = config(options);
    const think = latencyModel(options.latency).minimum * 4;
    return async (fabric) => {
      const register = new RegularRegister(fabric, registerConfig);
      for (let index = 1; index <= options.ops; index++) {
        await fabric.sleep(Math.round(fabric.random() * think));
        if (process === registerConfig.writer) {
          const op = fabric.history.invoke('write', index);
          await register.write(encodeValue(index));
          fabric.history.ok(op, index);
        } else {
          const op = fabric.history.invoke('read', null);
          const value = decodeValue(await register.read());
          fabric.history.ok(op, value);
        }
      }
    };
  },
  check(history) {
    // Involved: the read, and the writes of the value it returned and of the values it was allowed to return.
    const writesOf = (values: readonly unknown[]) => history.filter((event) => event.type === 'invoke' && event.f === 'write' && values.some((value) => JSON.stringify(value) === JSON.stringify(event.value))).map((event) => event.op);
    return checkRegular(history).map((violation) => ({
      property: 'regularity',
      detail: violation.detail,
      involved: { processes: [violation.process], operations: [history[violation.index].op, ...writesOf([violation.value, ...violation.allowed])] },
    }));
  },
};
