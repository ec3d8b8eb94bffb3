import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { createProgress, formatField, resolveProgressMode } from '../../../src/cli/progress.js';

function capture(isTTY: boolean): { stream: PassThrough & { isTTY?: boolean; columns?: number }; text: () => string } {
  const stream = new PassThrough() as PassThrough & { isTTY?: boolean; columns?: number };
  stream.isTTY = isTTY;
  stream.columns = 160;
  const chunks: Buffer[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c));
  return { stream, text: () => Buffer.concat(chunks).toString('utf8') };
}

describe('cli progress reporter', () => {
  it('auto picks a bar on a TTY and JSON lines otherwise; explicit modes win', () => {
    assert.equal(resolveProgressMode('auto', { isTTY: true }), 'bar');
    assert.equal(resolveProgressMode(undefined, {}), 'json');
    assert.equal(resolveProgressMode('quiet', { isTTY: true }), 'quiet');
  });

  it('JSON mode writes one line per report (not per tick) with elapsed and ETA from the injected clock', async () => {
    const { stream, text } = capture(false);
    let t = 0;
    const p = createProgress({ total: 10, start: 2, label: 'train', stream, now: () => t });
    t = 1000;
    p.tick(3, { loss: 1 });
    p.report(4, { loss: 2.5, bpb: 3.6 });
    p.log('hello');
    p.stop();
    await new Promise((r) => setImmediate(r));
    const lines = text()
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.equal(lines.length, 2);
    assert.deepEqual(lines[0], {
      event: 'progress',
      label: 'train',
      value: 4,
      total: 10,
      loss: 2.5,
      bpb: 3.6,
      elapsed_s: 1,
      eta_s: 3,
    });
    assert.deepEqual(lines[1], { event: 'log', label: 'train', message: 'hello' });
  });

  it('quiet mode writes nothing', async () => {
    const { stream, text } = capture(true);
    const p = createProgress({ total: 5, mode: 'quiet', stream });
    p.report(1, { loss: 1 });
    p.log('x');
    p.stop();
    await new Promise((r) => setImmediate(r));
    assert.equal(text(), '');
  });

  it('bar mode draws the fields on a TTY stream', async () => {
    const { stream, text } = capture(true);
    const p = createProgress({ total: 5, label: 'train', stream });
    p.report(2, { loss: 1.23456, 'B/s': 4000 });
    p.stop();
    await new Promise((r) => setImmediate(r));
    assert.match(text(), /train .*2\/5 \| loss 1\.235 \| B\/s 4000/);
  });

  it('formats numbers to 4 significant digits', () => {
    assert.equal(formatField(3.14159), '3.142');
    assert.equal(formatField(12), '12');
    assert.equal(formatField(123456.7), '123457');
    assert.equal(formatField('x'), 'x');
  });
});
