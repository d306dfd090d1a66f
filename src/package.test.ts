import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The package as a user gets it: packed from a copy of the sources (so that
 * packing must build; the repository's own dist/ is in use by the running
 * suite and stays untouched), installed from the tarball alone into a fresh
 * project, a TypeScript program and the examples compiled against the
 * installed declarations (strict, NodeNext) and run, and the installed `mnm`
 * command run. Nothing here measures time: the limits on each step only turn
 * a hang into a failure with its output.
 */

const repository = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const stepLimitMilliseconds = 300_000;

interface Outcome {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** npm's own variables from an enclosing `npm test` would leak its settings into the nested npm; drop them. */
function cleanEnvironment(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.toLowerCase().startsWith('npm_')));
}

function run(command: string, args: readonly string[], cwd: string): Promise<Outcome> {
  return new Promise((done) => {
    execFile(command, args, { cwd, env: cleanEnvironment(), timeout: stepLimitMilliseconds, maxBuffer: 64 << 20 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      done({ code, stdout, stderr });
    });
  });
}

/** Runs a step that must succeed; a failure shows its output. */
async function succeed(command: string, args: readonly string[], cwd: string): Promise<string> {
  const outcome = await run(command, args, cwd);
  assert.equal(outcome.code, 0, `${command} ${args.join(' ')} (in ${cwd}) exited ${outcome.code}\nstdout:\n${outcome.stdout}\nstderr:\n${outcome.stderr}`);
  return outcome.stdout;
}

/** The whole programs of docs/api.md: each a ```ts block whose first line is `// file: <name>.ts`. */
function documentedPrograms(): { name: string; text: string }[] {
  const markdown = readFileSync(join(repository, 'docs', 'api.md'), 'utf8');
  return [...markdown.matchAll(/^```ts\n\/\/ file: ([\w-]+\.ts)\n([\s\S]*?)^```$/gm)].map((match) => ({ name: match[1], text: match[2] }));
}

const node = process.execPath;
const tsc = join(repository, 'node_modules', 'typescript', 'bin', 'tsc');

/** What a consumer writes: names from every family, type-checked against the installed declarations, then run. */
const consumer = `
import {
  Simulation, unitLatency, forEachMemory, majority, PermissionDenied, QuorumFailed,
  checkLinearizability, models, pairOperations, checkRunLinearizable,
  runScenario, scenarios, Signer, runKeys,
  type Fabric, type HistoryEvent, type HistoryLine, type RunReport, type SimulationResult, type CheckResult, type ShmRunConfig,
} from 'mnm';

// The simulator, with a verb refused by a region's policy.
const simulation = new Simulation({
  scenario: 'consumer', seed: 7, params: {}, processCount: 2, memoryCount: 3, latency: unitLatency, horizon: 100,
  regions: [{ name: 'mine', size: 8, policy: 'single-writer', owner: 0 }],
});
const refusals: string[] = [];
const body = async (fabric: Fabric): Promise<void> => {
  const op = fabric.history.invoke('write', fabric.self);
  try {
    await forEachMemory([0, 1, 2], majority(3), (memory) => fabric.write({ memory, region: 'mine', offset: 0 }, new Uint8Array(8).fill(fabric.self + 1)));
    fabric.history.ok(op, fabric.self);
  } catch (error) {
    const refusal = error instanceof QuorumFailed ? error.errors[0]?.error : error;
    if (refusal instanceof PermissionDenied) refusals.push(refusal.code);
    fabric.history.fail(op, fabric.self);
  }
};
simulation.spawn(0, body);
simulation.spawn(1, body);
const result: SimulationResult = await simulation.run();
const history: readonly HistoryEvent[] = result.history;
console.log('simulation', result.end, history.length, refusals.join(','));

// The checkers, on a run's own history and on events built by hand.
const verdict: CheckResult = checkRunLinearizable(result.history, 'register');
const lines: HistoryLine[] = [
  { process: 0, type: 'invoke', f: 'write', value: 1, line: 1 },
  { process: 0, type: 'ok', f: 'write', value: 1, line: 2 },
  { process: 1, type: 'invoke', f: 'read', value: null, line: 3 },
  { process: 1, type: 'ok', f: 'read', value: 2, line: 4 },
];
console.log('checks', verdict.verdict, checkLinearizability(pairOperations(lines), models.register).verdict);

// A scenario, judged.
const report: RunReport = await runScenario({ protocol: 'register', seed: 3, latency: 'unit', faults: 'crash' });
console.log('scenario', report.protocol, report.ok, scenarios.length > 0);

// Signatures.
const signer = new Signer(0, runKeys(1), 2);
const statement = { purpose: 'broadcast' as const, sender: 0, sequence: 1, message: new Uint8Array([1, 2, 3]) };
console.log('signature', new Signer(1, runKeys(1), 2).verify(0, statement, signer.sign(statement)));

// A real backend's config is a plain object.
const config: ShmRunConfig = { processCount: 1, memoryCount: 0, regions: [], seed: 0, deadlineMilliseconds: 1, body: { module: 'file:///none.js', export: 'none', args: null } };
console.log('config', config.processCount);

// Internals stay internal: the package exports only its entry.
await import('mnm/dist/sim/memory.js' as string).then(
  () => console.log('internals reachable'),
  (error: NodeJS.ErrnoException) => console.log('internals', error.code),
);
`;

describe('package', () => {
  let scratch = '';
  let project = '';
  let packed: { filename: string; files: { path: string }[] } | undefined;

  before(async () => {
    scratch = mkdtempSync(join(tmpdir(), 'mnm-package-'));
    const source = join(scratch, 'source');
    mkdirSync(source);
    for (const entry of ['package.json', 'package-lock.json', 'tsconfig.json', 'README.md', 'LICENSE', 'bin', 'scripts', 'src', 'docs']) {
      if (existsSync(join(repository, entry))) cpSync(join(repository, entry), join(source, entry), { recursive: true });
    }
    symlinkSync(join(repository, 'node_modules'), join(source, 'node_modules'), 'dir');
    const output = await succeed('npm', ['pack', '--json', '--pack-destination', scratch], source);
    // Lifecycle scripts may print before npm's JSON; the JSON array starts on a line of its own.
    const start = output.search(/^\[/m);
    assert.ok(start >= 0, `npm pack printed no JSON:\n${output}`);
    [packed] = JSON.parse(output.slice(start)) as { filename: string; files: { path: string }[] }[];

    project = join(scratch, 'project');
    mkdirSync(join(project, 'src'), { recursive: true });
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'mnm-consumer', private: true, type: 'module' }));
    writeFileSync(
      join(project, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          target: 'ES2022',
          lib: ['ES2022'],
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          strict: true,
          skipLibCheck: false,
          typeRoots: [join(repository, 'node_modules', '@types')],
          types: ['node'],
          rootDir: 'src',
          outDir: 'out',
        },
        include: ['src/**/*.ts'],
      }),
    );
    writeFileSync(join(project, 'src', 'consumer.ts'), consumer);
    for (const name of readdirSync(join(repository, 'examples')).filter((file) => file.endsWith('.ts'))) {
      cpSync(join(repository, 'examples', name), join(project, 'src', name));
    }
    mkdirSync(join(project, 'src', 'docs'));
    for (const program of documentedPrograms()) writeFileSync(join(project, 'src', 'docs', program.name), program.text);
    await succeed('npm', ['install', '--offline', '--no-audit', '--no-fund', '--cache', join(scratch, 'npm-cache'), join(scratch, packed.filename)], project);
    await succeed(node, [tsc, '-p', join(project, 'tsconfig.json')], project);
  });

  after(() => {
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  it('packs compiled code and declarations, and no tests, helpers, maps or fixtures', () => {
    const paths = packed!.files.map((file) => file.path);
    for (const needed of ['package.json', 'README.md', 'bin/mnm.js', 'dist/index.js', 'dist/index.d.ts', 'dist/cli/main.js', 'dist/shm/worker.js', 'dist/tcp/processMain.js', 'docs/api.md']) {
      assert.ok(paths.includes(needed), `the tarball lacks ${needed}`);
    }
    const unwanted = paths.filter((path) => /\.test\.|(^|\/)_[^/]*$|\.map$|^fixtures\/|^src\/|^examples\//.test(path));
    assert.deepEqual(unwanted, []);
  });

  it('runs a TypeScript program compiled against the installed package', async () => {
    const output = await succeed(node, [join(project, 'out', 'consumer.js')], project);
    assert.match(output, /^simulation done 4 permission-denied$/m, 'p0 writes its own region; p1 is refused');
    assert.match(output, /^checks linearizable not-linearizable$/m);
    assert.match(output, /^scenario register true true$/m);
    assert.match(output, /^signature true$/m);
    assert.match(output, /^config 1$/m);
    assert.match(output, /^internals ERR_PACKAGE_PATH_NOT_EXPORTED$/m);
  });

  it('runs the examples against the installed package', async () => {
    const simulated = await succeed(node, [join(project, 'out', 'simulator-crash.js')], project);
    assert.match(simulated, /crashed processes \[2\], memories \[2\]/);
    assert.match(simulated, /^regular:/m);
    const counted = await succeed(node, [join(project, 'out', 'shm-counter.js'), '200'], project);
    assert.match(counted, /^final count 800 of 4 × 200 = 800$/m);
    const checked = await succeed(node, [join(project, 'out', 'check-history.js')], project);
    assert.match(checked, /^overlapping: linearizable$/m);
    assert.match(checked, /^stale: not-linearizable$/m);
  });

  it('runs every program of docs/api.md against the installed package', async () => {
    const programs = documentedPrograms().filter((program) => !program.name.endsWith('-body.ts'));
    assert.ok(programs.length >= 5, `found ${programs.length} programs in docs/api.md`);
    for (const program of programs) await succeed(node, [join(project, 'out', 'docs', program.name.replace(/\.ts$/, '.js'))], project);
  });

  it('installs a working mnm command', async () => {
    const mnm = join(project, 'node_modules', '.bin', 'mnm');
    assert.match(await succeed(mnm, ['--help'], project), /usage: mnm <command>/);
    const report = JSON.parse(await succeed(mnm, ['run', 'register', '--seed', '2', '--json'], project)) as { ok: boolean; protocol: string; mnmVersion: string };
    assert.deepEqual([report.protocol, report.ok], ['register', true]);
    // The installed copy finds its own package.json for its provenance.
    assert.equal(report.mnmVersion, JSON.parse(readFileSync(join(repository, 'package.json'), 'utf8')).version);
  });
});
