import assert from 'node:assert/strict';
import fc from 'fast-check';
import { decodeBytes, encodeBytes, tokensToBytes } from '../../../src/index.js';
import { BltError } from '../../../src/core/errors.js';

describe('byte tokenizer (docs/reference.md §1)', () => {
  it('matches the reference fixture (fixtures/tokenizer_data.json)', () => {
    const expected = [
      1, 80, 105, 120, 43, 119, 36, 103, 108, 105, 103, 111, 36, 109, 106, 36, 120, 108, 105, 119, 105, 36, 120, 115,
      111, 105, 114, 109, 126, 105, 118, 119, 36, 113, 101, 120, 103, 108, 37, 2,
    ];
    assert.deepEqual(Array.from(encodeBytes("Let's check if these tokenizers match!")), expected);
  });

  it('adds BOS and EOS by default and on request only', () => {
    assert.deepEqual(Array.from(encodeBytes('a')), [1, 101, 2]);
    assert.deepEqual(Array.from(encodeBytes('a', { eos: false })), [1, 101]);
    assert.deepEqual(Array.from(encodeBytes('a', { bos: false, eos: false })), [101]);
    assert.deepEqual(Array.from(encodeBytes('')), [1, 2]);
  });

  it('encodes multi-byte UTF-8 byte by byte (+4)', () => {
    // é = C3 A9, 世 = E4 B8 96, 😀 = F0 9F 98 80
    assert.deepEqual(
      Array.from(encodeBytes('é世😀', { bos: false, eos: false })),
      [0xc3, 0xa9, 0xe4, 0xb8, 0x96, 0xf0, 0x9f, 0x98, 0x80].map((b) => b + 4),
    );
  });

  it('drops unpaired surrogates like Python errors="ignore" (not U+FFFD)', () => {
    assert.deepEqual(Array.from(encodeBytes('a\uD800b', { bos: false, eos: false })), [101, 102]);
    assert.deepEqual(Array.from(encodeBytes('a\uDC00b\uD83D', { bos: false, eos: false })), [101, 102]);
    // a valid pair is kept
    assert.equal(encodeBytes('\uD83D\uDE00', { bos: false, eos: false }).length, 4);
  });

  it('takes raw bytes as they are, invalid UTF-8 included', () => {
    assert.deepEqual(Array.from(encodeBytes(new Uint8Array([0xff, 0x00, 0x80]))), [1, 259, 4, 132, 2]);
  });

  it('decode drops specials and invalid UTF-8 (errors="ignore")', () => {
    assert.equal(decodeBytes([1, 108, 109, 2]), 'hi');
    // lone continuation, truncated 3-byte sequence, overlong C0 80, then valid 'a'
    const bytes = [0x80, 0xe4, 0xb8, 0xc0, 0x80, 0x61];
    assert.equal(decodeBytes(bytes.map((b) => b + 4)), 'a');
    // a truncated sequence followed by a valid one: the valid one survives
    assert.equal(decodeBytes([0xe4, 0xb8, 0xc3, 0xa9].map((b) => b + 4)), 'é');
    // a real U+FFFD in the input is kept
    assert.equal(decodeBytes([0xef, 0xbf, 0xbd].map((b) => b + 4)), '\uFFFD');
    // surrogate code points encoded in UTF-8 (ED A0 80) are invalid
    assert.equal(decodeBytes([0xed, 0xa0, 0x80, 0x62].map((b) => b + 4)), 'b');
  });

  it('rejects token ids outside the vocabulary with a clear error', () => {
    assert.throws(
      () => tokensToBytes([1, 260]),
      (e: unknown) => e instanceof BltError && e.code === 'BAD_INPUT' && /\[0, 260\)/.test(e.message),
    );
    assert.throws(() => decodeBytes([-1]), BltError);
  });

  it('decode(encode(x)) == x for any well-formed string (property)', () => {
    fc.assert(fc.property(fc.string({ unit: 'grapheme', maxLength: 200 }), (s) => decodeBytes(encodeBytes(s)) === s));
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary', maxLength: 200 }),
        (s) =>
          decodeBytes(encodeBytes(s)) ===
          s.toWellFormed().replace(/\uFFFD/g, (m, off: number) => (s[off] === '\uFFFD' ? m : '')),
      ),
    );
  });

  it('encode agrees with TextEncoder on well-formed strings (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 100 }), (s) => {
        const bytes = new TextEncoder().encode(s);
        const tokens = encodeBytes(s, { bos: false, eos: false });
        return tokens.length === bytes.length && tokens.every((t, i) => t === (bytes[i] as number) + 4);
      }),
    );
  });
});
