import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * DESIGN.md's import table, enforced: who may import whom among the layers.
 * `trace/` (the trace format and its accounting) is a leaf that the layers
 * producing or reading traces share; `realtime/` is what the real backends
 * share (wall-clock time, the operation journal); see docs/architecture.md.
 */
const allowed: Record<string, readonly string[]> = {
  fabric: [],
  crypto: [],
  trace: [],
  check: [],
  sim: ['fabric', 'crypto', 'trace'],
  realtime: ['fabric'],
  shm: ['fabric', 'crypto', 'trace', 'realtime'],
  tcp: ['fabric', 'crypto', 'trace', 'realtime'],
  protocols: ['fabric', 'crypto'],
  scenarios: ['protocols', 'sim', 'shm', 'tcp', 'realtime', 'check', 'fabric', 'crypto', 'trace'],
  // External servers (etcd, Redis) as reference peers: processes and their wire clients, nothing of ours.
  peers: [],
  cli: ['*'],
  web: ['trace'],
  // The package's entry module (src/index.ts): lists the public API from every layer; no layer imports it.
  'index.ts': ['*'],
};

/**
 * Single files a layer may import from a layer it may not otherwise import:
 * the checkers read protocols' notes through the event catalogue, a leaf
 * module of fabric/ that imports nothing (docs/architecture.md).
 */
const allowedFiles: Record<string, readonly string[]> = {
  check: ['fabric/events.ts'],
};

// Tests run from dist/; read the TypeScript sources beside it.
const sourceRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', 'src');

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return name.endsWith('.ts') && !name.endsWith('.test.ts') ? [path] : [];
  });
}

function layerOf(path: string): string {
  return relative(sourceRoot, path).split(sep)[0];
}

/** Every relative import of a file, resolved to a path under src/. */
function importsOf(path: string): string[] {
  const text = readFileSync(path, 'utf8');
  const found: string[] = [];
  for (const match of text.matchAll(/(?:^|\n)\s*(?:import|export)[^'"]*?from\s*['"](\.[^'"]+)['"]/g)) found.push(resolve(dirname(path), match[1]));
  for (const match of text.matchAll(/import\(\s*['"](\.[^'"]+)['"]\s*\)/g)) found.push(resolve(dirname(path), match[1]));
  return found;
}

// The compiled modules beside this test: their imports are the ones that run (type-only imports are erased).
const compiledRoot = dirname(fileURLToPath(import.meta.url));

/** The runtime imports of every compiled module whose source still exists, by source path (`.ts`) under src/. */
function runtimeImportGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (name.endsWith('.js') && !name.endsWith('.test.js')) {
        const source = join(sourceRoot, relative(compiledRoot, path)).replace(/\.js$/, '.ts');
        if (!existsSync(source)) continue; // a stale output of a deleted source
        const text = readFileSync(path, 'utf8');
        const targets: string[] = [];
        for (const match of text.matchAll(/(?:^|\n)\s*(?:import|export)\b[^'"]*?['"](\.[^'"]+)['"]/g)) targets.push(match[1]);
        for (const match of text.matchAll(/import\(\s*['"](\.[^'"]+)['"]\s*\)/g)) targets.push(match[1]);
        graph.set(
          source,
          targets.map((target) => resolve(dirname(source), target).replace(/\.js$/, '.ts')),
        );
      }
    }
  };
  walk(compiledRoot);
  return graph;
}

/** Every module reachable from `start` through runtime imports, `start` included. */
function importClosure(graph: Map<string, string[]>, start: string): Set<string> {
  const seen = new Set<string>();
  const stack = [start];
  while (stack.length > 0) {
    const next = stack.pop() as string;
    if (seen.has(next)) continue;
    seen.add(next);
    stack.push(...(graph.get(next) ?? []));
  }
  return seen;
}

/** The import cycles of a graph, one per strongly connected group of modules (Tarjan), each as a path that returns to its start. */
function importCycles(graph: Map<string, string[]>): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const groups: string[][] = [];
  const visit = (node: string) => {
    index.set(node, counter);
    low.set(node, counter++);
    stack.push(node);
    onStack.add(node);
    for (const target of graph.get(node) ?? []) {
      if (!index.has(target)) {
        visit(target);
        low.set(node, Math.min(low.get(node) as number, low.get(target) as number));
      } else if (onStack.has(target)) low.set(node, Math.min(low.get(node) as number, index.get(target) as number));
    }
    if (low.get(node) === index.get(node)) {
      const group: string[] = [];
      let member: string;
      do {
        member = stack.pop() as string;
        onStack.delete(member);
        group.push(member);
      } while (member !== node);
      const selfImport = (graph.get(node) ?? []).includes(node);
      if (group.length > 1 || selfImport) groups.push(group);
    }
  };
  for (const node of graph.keys()) if (!index.has(node)) visit(node);
  // Name each group by one concrete cycle through it: follow imports that stay in the group back to the start.
  return groups.map((group) => {
    const members = new Set(group);
    const start = [...group].sort()[0];
    const path = [start];
    const seen = new Set([start]);
    for (;;) {
      const targets = (graph.get(path[path.length - 1]) ?? []).filter((target) => members.has(target));
      const back = targets.find((target) => target === start);
      if (back !== undefined) return [...path, start];
      const next = targets.find((target) => !seen.has(target)) ?? targets[0];
      if (seen.has(next)) return [...path, next];
      path.push(next);
      seen.add(next);
    }
  });
}

describe('architecture', () => {
  it("follows DESIGN.md's import table", () => {
    const breaches: string[] = [];
    const files = sources(sourceRoot);
    assert.ok(files.length > 20, `found the sources (${files.length} files in ${sourceRoot})`);
    for (const file of files) {
      const layer = layerOf(file);
      if (!(layer in allowed)) {
        breaches.push(`${relative(sourceRoot, file)}: folder '${layer}' is not a layer of DESIGN.md`);
        continue;
      }
      for (const target of importsOf(file)) {
        const other = layerOf(target);
        if (other === layer || allowed[layer].includes('*') || allowed[layer].includes(other)) continue;
        if (allowedFiles[layer]?.includes(relative(sourceRoot, target).split(sep).join('/').replace(/\.js$/, '.ts'))) continue;
        breaches.push(`${relative(sourceRoot, file)} (${layer}/) imports ${relative(sourceRoot, target)} (${other}/)`);
      }
    }
    assert.deepEqual(breaches, []);
  });

  it("keeps protocols' own tests on the fabric too (tests that run the simulator or a backend live in scenarios/)", () => {
    const testsOf = (dir: string): string[] =>
      readdirSync(dir).flatMap((name) => {
        const path = join(dir, name);
        if (statSync(path).isDirectory()) return testsOf(path);
        return name.endsWith('.test.ts') ? [path] : [];
      });
    const breaches: string[] = [];
    for (const file of testsOf(join(sourceRoot, 'protocols'))) {
      for (const target of importsOf(file)) {
        const other = layerOf(target);
        if (other !== 'protocols' && !allowed.protocols.includes(other)) breaches.push(`${relative(sourceRoot, file)} imports ${relative(sourceRoot, target)} (${other}/)`);
      }
    }
    assert.deepEqual(breaches, []);
  });

  it('keeps the event catalogue a leaf (check/ may import it, so it imports nothing of ours)', () => {
    for (const files of Object.values(allowedFiles)) {
      for (const file of files) assert.deepEqual(importsOf(join(sourceRoot, file)).map((target) => relative(sourceRoot, target)), [], `${file} imports nothing of ours`);
    }
  });

  it('keeps protocols and the simulator free of wall clocks and Math.random', () => {
    const offenders = sources(sourceRoot)
      .filter((file) => ['protocols', 'sim', 'fabric'].includes(layerOf(file)))
      .filter((file) => /Math\.random|Date\.now\(|performance\.now\(|new Date\(|setTimeout\(|setInterval\(/.test(readFileSync(file, 'utf8').replace(/\/\/.*$/gm, '')));
    assert.deepEqual(offenders.map((file) => relative(sourceRoot, file)), []);
  });

  it('has no import cycle under src/ (runtime imports)', () => {
    const graph = runtimeImportGraph();
    assert.ok(graph.size > 20, `found the compiled modules (${graph.size} in ${compiledRoot})`);
    const cycles = importCycles(graph).map((cycle) => cycle.map((file) => relative(sourceRoot, file)).join(' -> '));
    assert.deepEqual(cycles, []);
  });

  it('finds an import cycle when there is one (the detector itself)', () => {
    const graph = new Map([
      ['a.ts', ['b.ts']],
      ['b.ts', ['c.ts']],
      ['c.ts', ['a.ts', 'd.ts']],
      ['d.ts', []],
      ['e.ts', ['e.ts']],
    ]);
    assert.deepEqual(importCycles(graph), [['a.ts', 'b.ts', 'c.ts', 'a.ts'], ['e.ts', 'e.ts']]);
    assert.deepEqual(importCycles(new Map([['a.ts', ['b.ts']], ['b.ts', []]])), []);
  });

  it('keeps the simulator and the runners out of what a worker loads (scenarios/workerEntry.ts)', () => {
    const graph = runtimeImportGraph();
    const entry = join(sourceRoot, 'scenarios', 'workerEntry.ts');
    assert.ok(graph.has(entry), 'the worker entry is compiled');
    const closure = [...importClosure(graph, entry)].map((file) => relative(sourceRoot, file).split(sep).join('/'));
    assert.ok(closure.includes('scenarios/registry.ts'), 'the worker entry reaches the registry');
    // The seeded random stream and the latency models are leaves that scenarios size themselves with; the simulator is the rest of sim/.
    const pureLeaves = new Set(['sim/prng.ts', 'sim/latency.ts']);
    const forbidden = closure.filter((file) => (file.startsWith('sim/') && !pureLeaves.has(file)) || ['scenarios/runner.ts', 'scenarios/realRunner.ts', 'scenarios/index.ts'].includes(file));
    assert.deepEqual(forbidden, []);
  });
});
