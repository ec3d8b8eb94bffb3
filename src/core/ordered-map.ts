/**
 * `orderedMap(source, fn, window)`: applies an async `fn` to every item of `source` with at most
 * `window` calls in flight, and yields the results in input order (a reorder buffer keyed by
 * sequence number). Pulling stops while the window is full, so memory is bounded by `window`
 * items whatever the speed of the consumer — this is the pipeline's backpressure.
 *
 * If `fn` fails, the failure is thrown when its turn to be yielded comes, after the results
 * before it; calls already in flight are awaited (never left dangling) before it is rethrown.
 */
export async function* orderedMap<T, R>(
  source: AsyncIterable<T> | Iterable<T>,
  fn: (item: T, index: number) => Promise<R>,
  window: number,
): AsyncGenerator<R> {
  const inFlight = new Map<number, Promise<R>>();
  const it = (
    Symbol.asyncIterator in source ? source[Symbol.asyncIterator]() : (source as Iterable<T>)[Symbol.iterator]()
  ) as AsyncIterator<T> | Iterator<T>;
  let next = 0; // index of the next item to start
  let emit = 0; // index of the next result to yield
  let done = false;
  try {
    for (;;) {
      while (!done && inFlight.size < Math.max(1, window)) {
        const r = await it.next();
        if (r.done) {
          done = true;
          break;
        }
        const p = fn(r.value, next);
        p.catch(() => undefined); // observed below, in order
        inFlight.set(next++, p);
      }
      const p = inFlight.get(emit);
      if (!p) return;
      const value = await p;
      inFlight.delete(emit++);
      yield value;
    }
  } finally {
    await Promise.allSettled(inFlight.values());
    if (!done) await it.return?.();
  }
}
