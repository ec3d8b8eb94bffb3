/**
 * `readAhead(source, depth)`: lets an async iterator run up to `depth` items ahead of its
 * consumer. Repatching reads and patches the next tasks' rows (CPU: Parquet decoding, patching)
 * while the shard writer waits for the current task's fsyncs, instead of taking turns.
 * Order is kept; an error is thrown at the item where it happened.
 */
export async function* readAhead<T>(source: AsyncIterator<T>, depth: number): AsyncGenerator<T> {
  const queue: Array<Promise<IteratorResult<T>>> = [];
  try {
    for (;;) {
      while (queue.length < Math.max(1, depth)) {
        const p = source.next();
        p.catch(() => undefined); // observed below, in order
        queue.push(p);
      }
      const r = await (queue.shift() as Promise<IteratorResult<T>>);
      if (r.done) return;
      yield r.value;
    }
  } finally {
    await Promise.allSettled(queue);
    await source.return?.(undefined);
  }
}
