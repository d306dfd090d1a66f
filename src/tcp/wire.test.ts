import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FrameReader, decodeRequest, encodeFrame, encodeRequest, verbCodes, type Frame, type Request } from './wire.js';

function frameOf(bytes: Buffer): Frame {
  const frames = new FrameReader().push(bytes);
  assert.ok(Array.isArray(frames) && frames.length === 1, 'one whole frame');
  return frames[0];
}

describe('wire: the permission verb', () => {
  const cases: readonly Request[] = [
    { verb: 'permission', region: 3, access: 'read-write' },
    { verb: 'permission', region: 3, access: 'read-write', proposal: 0n },
    { verb: 'permission', region: 65535, access: 'read', proposal: (1n << 64n) - 1n },
  ];
  for (const request of cases) {
    it(`round-trips ${request.verb === 'permission' && request.proposal !== undefined ? `proposal ${request.proposal}` : 'no proposal'}`, () => {
      const frame = frameOf(encodeRequest(7, request));
      assert.equal(frame.body.length, request.verb === 'permission' && request.proposal !== undefined ? 11 : 3, 'u16 region, u8 access, then the u64 proposal only when there is one');
      assert.deepEqual(decodeRequest(frame), request);
    });
  }

  it('a proposal of 0 is not the same as none', () => {
    assert.notDeepEqual(decodeRequest(frameOf(encodeRequest(1, cases[1]))), decodeRequest(frameOf(encodeRequest(1, cases[0]))));
  });

  it('operands of any other length are malformed, saying what is expected', () => {
    for (const length of [2, 4, 10, 12]) {
      const decoded = decodeRequest(frameOf(encodeFrame(1, verbCodes.permission, Buffer.alloc(length, 2))));
      assert.ok('error' in decoded && decoded.error === 'malformed', `length ${length}`);
      assert.match(decoded.message, /expected 3 \(no proposal\) or 11 \(with a u64 proposal\)/);
    }
  });
});
