import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decimal } from './decimal.js';

describe('decimal', () => {
  it('rounds floating-point noise away and keeps three decimals', () => {
    assert.equal(decimal(27.23001081354916), '27.23');
    assert.equal(decimal(12.030000000000001), '12.03');
    assert.equal(decimal(2.0000000000000036), '2');
    assert.equal(decimal(521.58649), '521.586');
    assert.equal(decimal(-3.14159), '-3.142');
  });

  it('keeps integers whole and small numbers to three significant digits', () => {
    assert.equal(decimal(80616), '80616');
    assert.equal(decimal(0), '0');
    assert.equal(decimal(0.33333333), '0.333');
    assert.equal(decimal(0.000123456), '0.000123');
    assert.equal(decimal(-0.0000001), '-1e-7');
  });

  it('prints infinities and NaN as JavaScript does', () => {
    assert.equal(decimal(Infinity), 'Infinity');
    assert.equal(decimal(Number.NaN), 'NaN');
  });
});
