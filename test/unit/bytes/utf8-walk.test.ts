import assert from 'node:assert/strict';
import fc from 'fast-check';
import { codePointAt, utf8DecodeIgnore, utf8SequenceLength, walkUtf8 } from '../../../src/bytes/utf8.js';
import { insideCharacterMask } from '../../../src/stats/utf8-boundaries.js';
import { detectScript } from '../../../src/stats/script-bucket.js';

/** Random bytes biased towards UTF-8 lead and continuation bytes, so both valid and broken sequences occur. */
const bytesArb = fc
  .array(fc.oneof(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0x80, max: 0xbf }), fc.constant(0xe2)), {
    maxLength: 64,
  })
  .map((a) => Uint8Array.from(a));

describe('walkUtf8 (the one UTF-8 walk)', () => {
  it('covers every byte once: well-formed sequences whole, other bytes one by one (property)', () => {
    fc.assert(
      fc.property(bytesArb, (bytes) => {
        let next = 0;
        walkUtf8(bytes, (i, len) => {
          assert.equal(i, next);
          assert.equal(len, utf8SequenceLength(bytes, i));
          next = i + Math.max(len, 1);
        });
        assert.equal(next, bytes.length);
      }),
    );
  });

  it('its sequences decode as TextDecoder decodes them; the ignore-decoder keeps exactly those', () => {
    fc.assert(
      fc.property(bytesArb, (bytes) => {
        let text = '';
        walkUtf8(bytes, (i, len) => {
          if (len === 0) return;
          const one = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(i, i + len));
          assert.equal(codePointAt(bytes, i, len), one.codePointAt(0));
          text += one;
        });
        assert.equal(utf8DecodeIgnore(Uint8Array.from([0x61, ...bytes])), `a${text}`);
      }),
    );
  });

  it('stops where visit returns false, and walks only starts before `end`', () => {
    const bytes = Uint8Array.from([0x61, 0xc3, 0xa9, 0xff, 0x62]); // a é <ff> b
    const ok = Buffer.from('aé€b');
    assert.equal(
      walkUtf8(ok, (_, len) => len !== 3),
      3,
    );
    assert.equal(
      walkUtf8(bytes, (_, len) => len !== 0),
      3,
    );
    const starts: number[] = [];
    walkUtf8(ok, (i) => void starts.push(i), 2);
    assert.deepEqual(starts, [0, 1]);
  });

  it('its users: the inside-character mask and the script of a text', () => {
    assert.deepEqual([...insideCharacterMask(Buffer.from('aé€'))], [0, 0, 1, 0, 1, 1]);
    assert.deepEqual([...insideCharacterMask(Uint8Array.from([0xa9, 0xc3, 0xa9]))], [0, 0, 1]);
    assert.equal(detectScript(Buffer.from('Здравствуй, мир! ok')), 'script:Cyrillic');
    assert.equal(detectScript(Buffer.from('hello мир')), 'script:Latin');
  });
});
