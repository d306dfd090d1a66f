import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { checkLayoutConfig, swarmLayout, swarmRegions } from './layout.js';
import type { SwarmLayoutConfig } from './memorySet.js';

const config: SwarmLayoutConfig = { region: 'r', memories: [0, 1, 2], f: 1, clients: 3, records: 2, entries: 4, valueMax: 16, keyMax: 8, inPlace: true };

describe('SWARM layout (swarm.md §3)', () => {
  it('places meta, KEY, IP and notif in each record, ENT = 24 + valueMax, H = 8C + 8 + keyMax, REC = H + ENT + 8C', () => {
    const layout = swarmLayout(config);
    assert.equal(layout.entrySize, 40);
    assert.equal(layout.headerSize, 24 + 8 + 8);
    assert.equal(layout.recordSize, 40 + 40 + 24);
    assert.equal(layout.scanLength, 80);
    assert.equal(swarmLayout({ ...config, inPlace: false }).scanLength, 40);
    assert.equal(layout.metaOffset(0, 2), 16);
    assert.equal(layout.metaOffset(1, 0), 104);
    assert.equal(layout.keyOffset(1), 104 + 24);
    assert.equal(layout.inPlaceOffset(1), 104 + 40);
    assert.equal(layout.notifOffset(1, 1), 104 + 40 + 40 + 8);
    // Entry (j, e) at (j·E + e)·ENT of the writer's log.
    assert.equal(layout.entryOffset(0, 3), 3 * 40);
    assert.equal(layout.entryOffset(1, 2), (4 + 2) * 40);
    assert.equal(layout.logRegion(2), 'r.log.2');
  });

  it('refuses out-of-range records, writers and entries', () => {
    const layout = swarmLayout(config);
    assert.throws(() => layout.metaOffset(2, 0), RangeError);
    assert.throws(() => layout.metaOffset(0, 3), RangeError);
    assert.throws(() => layout.entryOffset(0, 4), RangeError);
    assert.throws(() => layout.logRegion(-1), RangeError);
  });

  it('builds an open rec region and one single-writer log per writer, owned by its process, readable by all', () => {
    const regions = swarmRegions(config);
    assert.deepEqual(regions[0], { name: 'r.rec', size: 2 * 104, policy: 'open', memories: [0, 1, 2] });
    assert.deepEqual(regions.slice(1).map((region) => [region.name, region.size, region.policy, region.owner, region.defaultAccess]), [
      ['r.log.0', 2 * 4 * 40, 'single-writer', 0, 'read'],
      ['r.log.1', 2 * 4 * 40, 'single-writer', 1, 'read'],
      ['r.log.2', 2 * 4 * 40, 'single-writer', 2, 'read'],
    ]);
    assert.deepEqual(swarmRegions(config, (writer) => writer + 5).map((region) => region.owner), [undefined, 5, 6, 7]);
  });

  it('checks the configuration with RangeErrors that say what is accepted', () => {
    assert.throws(() => checkLayoutConfig({ ...config, clients: 4097 }), /4097 clients \(accepted: 1\.\.4096\)/);
    assert.throws(() => checkLayoutConfig({ ...config, entries: 1 }), /E = 1 breaks Invariant D/);
    assert.throws(() => checkLayoutConfig({ ...config, entries: 2049 }), /accepted: 2\.\.2048/);
    assert.throws(() => checkLayoutConfig({ ...config, valueMax: 12 }), /multiple of 8/);
    assert.throws(() => checkLayoutConfig({ ...config, keyMax: 4 }), /multiple of 8/);
    assert.throws(() => checkLayoutConfig({ ...config, memories: [0, 1] }), /2f\+1/);
    assert.throws(() => checkLayoutConfig({ ...config, memories: [0, 1, 1] }), /distinct/);
    assert.throws(() => checkLayoutConfig({ ...config, records: 0 }), RangeError);
    assert.doesNotThrow(() => checkLayoutConfig({ ...config, clients: 4096, entries: 2048, f: 0, memories: [3] }));
  });
});
