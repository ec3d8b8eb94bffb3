/**
 * A bounded, order-keeping prefetch queue: `produce` runs ahead of the consumer until `capacity`
 * items wait (0 = produce on demand only). An error is queued after the items before it, so the
 * consumer sees the same sequence with or without prefetch.
 *
 * It runs on the consumer's thread: producing advances while the consumer awaits (I/O, a
 * tf.data() read, a timer), not during a synchronous training step. The loader's CPU work is
 * small next to a BLT step (docs/blt-loader.md), so a worker thread is not worth its copies.
 */
type Entry<T> = { value: T | null } | { error: unknown };

export class PrefetchQueue<T> {
  private readonly queue: Entry<T>[] = [];
  private finished = false;
  private stopped = false;
  private pumping: Promise<void> | null = null;
  private wake: (() => void) | null = null;

  constructor(
    private readonly produce: () => Promise<T | null>,
    private readonly capacity: number,
  ) {}

  /** The next item, or null after the last. */
  async next(): Promise<T | null> {
    for (;;) {
      const e = this.queue.shift();
      if (e) {
        if (this.capacity > 0) this.kick(this.capacity);
        if ('error' in e) throw e.error;
        return e.value;
      }
      if (this.finished || this.stopped) return null;
      this.kick(Math.max(1, this.capacity));
      await new Promise<void>((resolve) => {
        this.wake = resolve;
        if (this.queue.length > 0 || !this.pumping) resolve();
      });
    }
  }

  private kick(limit: number): void {
    if (this.pumping || this.finished || this.stopped) return;
    this.pumping = this.pump(limit).finally(() => {
      this.pumping = null;
      this.signal();
    });
  }

  private async pump(limit: number): Promise<void> {
    while (!this.finished && !this.stopped && this.queue.length < limit) {
      let entry: Entry<T>;
      try {
        const value = await this.produce();
        entry = { value };
        if (value === null) this.finished = true;
      } catch (error) {
        entry = { error };
        this.finished = true;
      }
      if (this.stopped) return;
      this.queue.push(entry);
      this.signal();
    }
  }

  private signal(): void {
    const w = this.wake;
    this.wake = null;
    w?.();
  }

  /** Stops producing and waits for the item in production to finish (it is discarded). */
  async close(): Promise<void> {
    this.stopped = true;
    this.queue.length = 0;
    await this.pumping;
  }
}
