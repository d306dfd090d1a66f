import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { checkLinearizability } from './linearizability.js';
import { models } from './models/index.js';
import { readHistory } from './readHistory.js';
import { replayLinearization, replayPrefix } from './replay.js';

/**
 * Peers' suites with known verdicts (fixtures/porcupine: Porcupine's Jepsen
 * etcd logs and kv histories; fixtures/knossos: Knossos' cas-register
 * histories in mnm's format): every file must get exactly its expected
 * verdict, and its witness must replay.
 */
const fixtures = fileURLToPath(new URL('../../fixtures/', import.meta.url));

interface Expected {
  readonly linearizable: Record<string, boolean>;
  readonly files?: Record<string, { model: string }>;
}

function expected(suite: string): Expected {
  return JSON.parse(readFileSync(`${fixtures}${suite}/expected.json`, 'utf8')) as Expected;
}

function checkFile(path: string, modelName: string, linearizable: boolean): void {
  const { operations } = readHistory(readFileSync(path, 'utf8'));
  const model = models[modelName];
  const result = checkLinearizability(operations, model);
  assert.equal(result.verdict, linearizable ? 'linearizable' : 'not-linearizable', path);
  for (const part of result.partitions) {
    const members = model.keyed ? operations.filter((operation) => operation.key === part.key) : operations;
    if (part.linearization) assert.equal(replayLinearization(model, members, part.linearization), undefined, `${path} key ${part.key}`);
    if (part.verdict === 'not-linearizable') assert.equal(replayPrefix(model, members, part.prefix ?? [], part.unplaced ?? []), undefined, `${path} key ${part.key}`);
  }
}

describe('the Porcupine suite', () => {
  const suite = expected('porcupine');
  const files = Object.entries(suite.linearizable);
  it('lists all 102 etcd logs and 6 kv files', () => {
    assert.equal(files.filter(([file]) => file.startsWith('jepsen/')).length, 102);
    assert.equal(files.filter(([file]) => file.startsWith('kv/')).length, 6);
  });
  it('etcd logs (cas-register) get their expected verdicts', () => {
    for (const [file, linearizable] of files) if (file.startsWith('jepsen/')) checkFile(`${fixtures}porcupine/${file}`, 'cas-register', linearizable);
  });
  for (const [file, linearizable] of files) {
    if (!file.startsWith('kv/')) continue;
    it(`${file} (kv, per key) is ${linearizable ? '' : 'not '}linearizable`, () => checkFile(`${fixtures}porcupine/${file}`, 'kv', linearizable));
  }
});

describe('the Knossos suite', () => {
  const suite = expected('knossos');
  for (const [file, linearizable] of Object.entries(suite.linearizable)) {
    const modelName = suite.files?.[file]?.model ?? 'unknown';
    if (!models[modelName]) {
      // mutex and multi-register: models mnm does not have (the suite's README allows skipping them).
      it(`${file} needs model ${modelName}`, { skip: `no ${modelName} model` }, () => {});
      continue;
    }
    it(`${file} is ${linearizable ? '' : 'not '}linearizable`, () => checkFile(`${fixtures}knossos/${file}`, modelName, linearizable));
  }
});
