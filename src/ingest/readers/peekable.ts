/**
 * A one-shot byte stream (stdin) that can be looked into before it is read: `fill` buffers
 * chunks until a condition holds, `stream()` then yields the buffered chunks and the rest.
 * A read error met while peeking is kept and thrown by `stream()` in its place.
 */
import { invariant } from '../../core/errors.js';

export class PeekableBytes {
  readonly #it: AsyncIterator<Uint8Array>;
  readonly #buffered: Uint8Array[] = [];
  #ended = false;
  #error: { err: unknown } | undefined;
  #streamed = false;

  constructor(source: AsyncIterable<Uint8Array>) {
    this.#it = source[Symbol.asyncIterator]();
  }

  /** The chunks buffered so far (read until `enough(chunks)` is true or the stream ends). */
  async fill(enough: (chunks: readonly Uint8Array[]) => boolean): Promise<readonly Uint8Array[]> {
    while (!this.#ended && this.#error === undefined && !enough(this.#buffered)) {
      try {
        const r = await this.#it.next();
        if (r.done === true) this.#ended = true;
        else this.#buffered.push(r.value);
      } catch (err) {
        this.#error = { err };
      }
    }
    return this.#buffered;
  }

  /** The first `n` bytes (fewer at the end of the stream). */
  async head(n: number): Promise<Uint8Array> {
    const chunks = await this.fill((cs) => cs.reduce((s, c) => s + c.length, 0) >= n);
    const out = new Uint8Array(
      Math.min(
        n,
        chunks.reduce((s, c) => s + c.length, 0),
      ),
    );
    let off = 0;
    for (const c of chunks) {
      if (off >= out.length) break;
      const part = c.subarray(0, out.length - off);
      out.set(part, off);
      off += part.length;
    }
    return out;
  }

  /** The first byte that is not ASCII whitespace, or undefined when there is none. */
  async firstNonSpace(): Promise<number | undefined> {
    const find = (cs: readonly Uint8Array[]): number | undefined => {
      for (const c of cs) for (const b of c) if (b !== 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d) return b;
      return undefined;
    };
    return find(await this.fill((cs) => find(cs) !== undefined));
  }

  async *stream(): AsyncGenerator<Uint8Array> {
    invariant(!this.#streamed, 'PeekableBytes.stream() is called once (stdin can be read once)');
    this.#streamed = true;
    yield* this.#buffered.splice(0);
    if (this.#error !== undefined) throw this.#error.err;
    if (this.#ended) return;
    for (;;) {
      const r = await this.#it.next();
      if (r.done === true) return;
      yield r.value;
    }
  }
}
