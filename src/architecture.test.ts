import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
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
  cli: ['*'],
  web: ['trace'],
  // The package's entry module (src/index.ts): lists the public API from every layer; no layer imports it.
  'index.ts': ['*'],
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
        breaches.push(`${relative(sourceRoot, file)} (${layer}/) imports ${relative(sourceRoot, target)} (${other}/)`);
      }
    }
    assert.deepEqual(breaches, []);
  });

  it('keeps protocols and the simulator free of wall clocks and Math.random', () => {
    const offenders = sources(sourceRoot)
      .filter((file) => ['protocols', 'sim', 'fabric'].includes(layerOf(file)))
      .filter((file) => /Math\.random|Date\.now\(|performance\.now\(|new Date\(|setTimeout\(|setInterval\(/.test(readFileSync(file, 'utf8').replace(/\/\/.*$/gm, '')));
    assert.deepEqual(offenders.map((file) => relative(sourceRoot, file)), []);
  });
});
