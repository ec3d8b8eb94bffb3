import assert from 'node:assert/strict';
import { BltError } from '../../../src/core/errors.js';
import {
  checkNumber,
  describeNumber,
  intArg,
  numberArg,
  parseIntList,
  parseNumber,
  parseSize,
  sizeArg,
} from '../../../src/options/numeric.js';

function badOption(fn: () => unknown, message: RegExp): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof BltError);
    assert.equal(err.code, 'BAD_OPTION');
    assert.match(err.message, message);
    return true;
  });
}

describe('options/numeric: the one numeric parser', () => {
  it('describes the accepted numbers as the messages have always said', () => {
    assert.equal(describeNumber({}), 'a number');
    assert.equal(describeNumber({ integer: true }), 'an integer');
    assert.equal(describeNumber({ integer: true, min: 1 }), 'an integer >= 1');
    assert.equal(describeNumber({ integer: true, min: 0, max: 256 }), 'an integer in [0, 256]');
    assert.equal(describeNumber({ min: 0 }), 'a number >= 0');
    assert.equal(describeNumber({ expected: 'a finite number' }), 'a finite number');
  });

  it('parses typed text, refusing empty, non-numeric, fractional and out-of-range text by flag and text', () => {
    assert.equal(parseNumber('--threshold', '1.5'), 1.5);
    assert.equal(parseNumber('--threshold', ' 2e-3 '), 0.002);
    assert.equal(parseNumber('--workers', '0', { integer: true, min: 0, max: 256 }), 0);
    badOption(
      () => parseNumber('--threshold', 'abc'),
      /^Expected `--threshold` to be a number, got "abc" \(string\)\.$/,
    );
    badOption(() => parseNumber('--threshold', ''), /`--threshold` to be a number, got "" \(string\)/);
    badOption(() => parseNumber('--threshold', 'Infinity'), /got "Infinity"/);
    badOption(() => parseNumber('--workers', '1.5', { integer: true, min: 0, max: 256 }), /in \[0, 256\], got "1.5"/);
    badOption(() => parseNumber('--docs-per-task', '0', { integer: true, min: 1 }), /an integer >= 1, got "0"/);
    badOption(() => parseNumber('--x', undefined), /`--x` to be a number, got undefined/);
  });

  it('checks typed values (JSON) with the same rules', () => {
    assert.equal(checkNumber('threshold', 1.25, { expected: 'a finite number' }), 1.25);
    badOption(
      () => checkNumber('threshold', '1.5', { expected: 'a finite number' }),
      /`threshold` to be a finite number, got "1.5" \(string\)/,
    );
    badOption(() => checkNumber('maxPatchLength', 0, { integer: true, min: 1, max: 9 }), /integer in \[1, 9\], got 0/);
    badOption(() => checkNumber('n', NaN, {}), /got NaN \(number\)/);
  });

  it('commander adapters name the flag', () => {
    assert.equal(numberArg('--tolerance')('0.01'), 0.01);
    assert.equal(intArg('--port')('8080'), 8080);
    assert.equal(sizeArg('--shard-size')('64MiB'), 64 * 2 ** 20);
    badOption(() => intArg('--port')('http'), /`--port` to be an integer, got "http"/);
    badOption(() => intArg('--hash-functions', 1, 11)('12'), /`--hash-functions` to be an integer in \[1, 11\]/);
  });

  it('sizes take decimal and binary units; lists are comma-separated integers', () => {
    assert.equal(parseSize('--s', '128MB'), 128e6);
    assert.equal(parseSize('--s', '1.5k'), 1500);
    assert.equal(parseSize('--s', '2GiB'), 2 ** 31);
    badOption(() => parseSize('--s', '12 parsecs'), /a size such as 128MB/);
    badOption(() => parseSize('--s', '0'), /a size of at least 1 byte, got "0"/);
    assert.deepEqual(parseIntList('--ngram-sizes', '3, 4,5'), [3, 4, 5]);
    badOption(() => parseIntList('--ngram-sizes', '3,x'), /comma-separated list of integers/);
  });
});
