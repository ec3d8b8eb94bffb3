/**
 * The thread that decodes Parquet for `read-parquet.ts`.
 *
 * Why a thread: parquet-wasm answers some corrupt pages with a Rust panic (`RuntimeError:
 * unreachable`) thrown from inside its async reader, where no caller can catch it. On the
 * main thread that kills the run, or leaves a promise pending forever. In a worker it only
 * ends the worker: its pending requests are rejected with `ParquetWorkerCrash`, the reader
 * reports the rows it could not read as BadRecords, and the next request starts a fresh
 * worker. Decoding off the main thread is a bonus.
 *
 * One worker per process (`parquetWorker()`), started on first use (loading parquet-wasm
 * takes a moment) and unref'd while idle, so it never keeps the process alive. Requests are
 * answered one at a time, in order; each names the open file (`handle`) it is about. A reader
 * asks for one batch at a time, so at most one batch per file is decoded ahead; batches come
 * back as Arrow IPC bytes, transferred (not copied).
 *
 * The worker's code is plain JavaScript evaluated from the string below, so this file works
 * from the TypeScript sources (tsx) and from the build alike; it imports only parquet-wasm
 * (resolved here, passed in) and node built-ins.
 */
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';

export type WorkerRequest =
  | { type: 'open'; handle: number; path: string }
  | { type: 'group'; handle: number; group: number; batchRows: number; columns: string[] }
  | { type: 'next'; handle: number }
  | { type: 'close'; handle: number };

export type WorkerReply =
  | { type: 'opened'; schema: Uint8Array; groupRows: number[] }
  | { type: 'ready' }
  | { type: 'batch'; ipc: Uint8Array }
  | { type: 'end' }
  | { type: 'closed' };

/** The worker died (e.g. a parquet-wasm panic) while a request was pending. */
class ParquetWorkerCrash extends Error {}

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { openAsBlob } = require('node:fs');
const open = new Map(); // handle → { file, batches }
const handlers = {
  async open(pw, req) {
    const old = open.get(req.handle);
    open.delete(req.handle);
    if (old) old.file.free();
    const file = await pw.ParquetFile.fromFile(await openAsBlob(req.path));
    open.set(req.handle, { file, batches: undefined });
    const meta = file.metadata();
    const groupRows = meta.rowGroups().map((g) => g.numRows());
    meta.free();
    return { type: 'opened', schema: file.schema().intoIPCStream(), groupRows };
  },
  async group(pw, req) {
    const f = get(req.handle);
    const stream = await f.file.stream({ rowGroups: [req.group], batchSize: req.batchRows, columns: req.columns });
    f.batches = stream[Symbol.asyncIterator]();
    return { type: 'ready' };
  },
  async next(pw, req) {
    const r = await get(req.handle).batches.next();
    return r.done ? { type: 'end' } : { type: 'batch', ipc: r.value.intoIPCStream() };
  },
  async close(pw, req) {
    const f = open.get(req.handle);
    open.delete(req.handle);
    if (f) f.file.free();
    return { type: 'closed' };
  },
};
function get(handle) {
  const f = open.get(handle);
  if (!f) throw new Error('no open Parquet file with handle ' + handle);
  return f;
}
const loaded = import(workerData.parquetWasm);
parentPort.on('message', (req) => {
  loaded.then((pw) => handlers[req.type](pw, req)).then(
    (reply) => {
      const bytes = reply.ipc || reply.schema;
      parentPort.postMessage({ ok: reply }, bytes ? [bytes.buffer] : []);
    },
    (err) => parentPort.postMessage({ error: String((err && err.message) || err) }),
  );
});
`;

/** parquet-wasm's Node entry, for the worker to import (createRequire: works under tsx's CJS mode too). */
const PARQUET_WASM_URL = pathToFileURL(createRequire(import.meta.url).resolve('parquet-wasm')).href;

interface Pending {
  resolve: (r: WorkerReply) => void;
  reject: (e: Error) => void;
}

class ParquetWorker {
  readonly #worker: Worker;
  readonly #pending: Pending[] = []; // answered in order
  #dead: Error | undefined;

  constructor() {
    this.#worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { parquetWasm: PARQUET_WASM_URL } });
    this.#worker.unref();
    this.#worker.on('message', (m: { ok?: WorkerReply; error?: string }) => {
      const p = this.#pending.shift();
      if (this.#pending.length === 0) this.#worker.unref();
      if (m.ok !== undefined) p?.resolve(m.ok);
      else p?.reject(new Error(m.error ?? 'unknown parquet-wasm error'));
    });
    this.#worker.on('error', (err) =>
      this.#die(new ParquetWorkerCrash(`parquet-wasm crashed (${err.message}), typically on corrupt data`)),
    );
    this.#worker.on('exit', (code) => this.#die(new ParquetWorkerCrash(`the Parquet worker exited (code ${code})`)));
  }

  get alive(): boolean {
    return this.#dead === undefined;
  }

  /** Sends one request; rejects with the worker's error, or ParquetWorkerCrash if it died. */
  request(req: WorkerRequest): Promise<WorkerReply> {
    if (this.#dead !== undefined) return Promise.reject(this.#dead);
    return new Promise((resolve, reject) => {
      this.#pending.push({ resolve, reject });
      this.#worker.ref(); // keep the process alive while an answer is due
      this.#worker.postMessage(req);
    });
  }

  async terminate(): Promise<void> {
    this.#dead ??= new ParquetWorkerCrash('the Parquet worker was terminated');
    await this.#worker.terminate();
  }

  #die(err: Error): void {
    this.#dead ??= err;
    for (const p of this.#pending.splice(0)) p.reject(err);
    this.#worker.unref();
  }
}

let shared: ParquetWorker | undefined;
let nextHandle = 1;

/** The process's Parquet worker: the current one, or a new one after a crash. */
export function parquetWorker(): ParquetWorker {
  if (shared === undefined || !shared.alive) shared = new ParquetWorker();
  return shared;
}

/** Frees a file in the worker, if the worker that opened it still lives. */
export async function closeParquetHandle(handle: number): Promise<void> {
  if (shared?.alive === true) await shared.request({ type: 'close', handle }).catch(() => undefined);
}

/** A fresh handle to name one open file in worker requests. */
export function newParquetHandle(): number {
  return nextHandle++;
}
