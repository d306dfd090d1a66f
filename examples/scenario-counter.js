// A user scenario for `mnm run --scenario` and `mnm sweep --scenario`: a shared
// counter on one memory. Every process adds 1 to it `ops` times with
// fetch-and-add and records each add as an operation; the property is that of
// a fetch-and-add counter: the completed adds returned distinct previous
// values, each below the number of adds invoked. Plain JavaScript, no imports:
// the fabric is handed to each process's body.
//
//   mnm run --scenario examples/scenario-counter.js --n 4 --faults crash
//   mnm run --scenario examples/scenario-counter.js --backend shm
//   mnm sweep --scenario examples/scenario-counter.js --seeds 200 --mix

const counter = { memory: 0, region: 'counter', offset: 0 };

// The fields mnm requires: name, defaults, tolerance, regions, body, check (the rest are optional).
export default {
  name: 'counter',
  summary: 'a fetch-and-add counter on one memory: every add returns a distinct previous value',
  defaults: { n: 3, memories: 1, ops: 5 },
  validate(options) {
    if (options.memories !== 1) throw new Error(`--memories ${options.memories}: the counter lives on one memory (accepted: 1)`);
  },
  // Any process may crash (the others still finish their adds); the one memory may not.
  tolerance: (options) => ({ processes: options.n - 1, memories: 0 }),
  // Faults strike while the adds run (each add is one round trip, two delays).
  faultWindow: (options) => 2 * options.ops,
  regions: () => [{ name: 'counter', size: 8, policy: 'open' }],
  body: (options) => async (fabric) => {
    for (let add = 0; add < options.ops; add++) {
      const operation = fabric.history.invoke('add', 1);
      const before = await fabric.faa(counter, 1n);
      fabric.history.ok(operation, Number(before));
    }
  },
  check(history) {
    const invoked = history.filter((event) => event.type === 'invoke').length;
    const returned = history.filter((event) => event.type === 'ok').map((event) => event.value);
    const violations = [];
    const seen = new Set();
    for (const value of returned) {
      if (seen.has(value)) violations.push({ property: 'atomicity', detail: `two adds returned ${value}` });
      if (!(value >= 0 && value < invoked)) violations.push({ property: 'atomicity', detail: `an add returned ${value}, but only ${invoked} adds were invoked` });
      seen.add(value);
    }
    return violations;
  },
};
