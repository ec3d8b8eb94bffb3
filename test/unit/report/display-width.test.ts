import { strict as assert } from 'node:assert';
import { displayWidth } from '../../../src/report/terminal-figure.js';

describe('displayWidth (terminal columns of a character)', () => {
  it('0 for combining marks and the zero-width joiner, at both ends of each range', () => {
    for (const cp of [0x0300, 0x036f, 0x0900, 0x0903, 0x093a, 0x094f, 0x0610, 0x061a, 0x064b, 0x065f, 0x200d])
      assert.equal(displayWidth(String.fromCodePoint(cp)), 0, cp.toString(16));
  });
  it('2 for East Asian wide/fullwidth and emoji, at both ends of each range', () => {
    const wide = [0x1100, 0x115f, 0x2e80, 0xa4cf, 0xac00, 0xd7a3, 0xf900, 0xfaff, 0xfe30, 0xfe4f];
    for (const cp of [...wide, 0xff00, 0xff60, 0xffe0, 0xffe6, 0x1f300, 0x1faff, 0x20000, 0x3fffd])
      assert.equal(displayWidth(String.fromCodePoint(cp)), 2, cp.toString(16));
  });
  it('1 for everything else, including the code points just outside the ranges', () => {
    for (const ch of ['a', 'é', 'Ж', String.fromCodePoint(0x02ff), String.fromCodePoint(0x0370)])
      assert.equal(displayWidth(ch), 1, ch);
    for (const cp of [0x1160, 0x2e7f, 0xa4d0, 0xd7a4, 0xff61, 0x1f2ff, 0x1fb00, 0x3fffe])
      assert.equal(displayWidth(String.fromCodePoint(cp)), 1, cp.toString(16));
  });
});
