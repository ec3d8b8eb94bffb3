/**
 * A shard source with an exact position: the documents of one or more shard sets, epoch after
 * epoch, as token streams with their patch lengths.
 *
 * Order: the sets' shards form one list (set order, then manifest order); each epoch reads that
 * list in `epochShardOrder(seed, epoch, n, shuffle)` and every shard front to back. The position
 * is `{ epoch, shardIndex (in that epoch's order), rowInShard (rows already returned) }`.
 *
 * Resume cost: the state names a shard and a row; the shard reader has no row seek, so resuming
 * decodes the rows of that one shard before `rowInShard` (at most one shard: 128 MiB by default,
 * ~15 M tokens/s with only `patch_lengths` decoded). Earlier shards are not opened.
 *
 * Only `text` and `patch_lengths` are decoded (n-gram ids are recomputed on packed rows,
 * see batch-ngrams.ts). Each shard's size and sha256 are checked against its manifest before it is
 * first read, as readShardSet does.
 */
import { join } from 'node:path';
import { BltError } from '../../core/errors.js';
import { BOS_ID, EOS_ID, OFFSET } from '../../bytes/byte-vocab.js';
import { hashFile } from '../../shards/durable-file.js';
import { fingerprint } from '../../shards/fingerprint.js';
import { readManifest } from '../../shards/manifest.js';
import { readShardRows } from '../../shards/reader.js';
import type { ShardRow } from '../../shards/row.js';
import { epochShardOrder } from './shard-order.js';
import { defineState, stateError } from '../../core/state.js';

export interface ShardSourceState {
  kind: 'shard-source';
  v: 1;
  /** fingerprint of the sets' manifests (shard files, rows, sha256): the data this position is in */
  dataKey: string;
  shards: number;
  seed: number;
  shuffle: boolean;
  epoch: number;
  /** position in this epoch's shard order */
  shardIndex: number;
  /** rows of that shard already returned */
  rowInShard: number;
}

/** The shard source's state codec (src/core/state.ts); `ShardSource.open({ ..., state })` rebuilds it. */
const shardSourceCodec = defineState<ShardSourceState>({
  kind: 'shard-source',
  version: 1,
  label: 'shard-source state',
  fields: ['dataKey', 'shards', 'seed', 'shuffle', 'epoch', 'shardIndex', 'rowInShard'],
  hint: 'pass the object that getState() returned (after a JSON round trip is fine)',
  check: (r) => ({
    kind: 'shard-source',
    v: 1,
    dataKey: r.string('dataKey'),
    shards: r.count('shards'),
    seed: r.number('seed'),
    shuffle: r.bool('shuffle'),
    epoch: r.count('epoch'),
    shardIndex: r.count('shardIndex'),
    rowInShard: r.count('rowInShard'),
  }),
});

export interface ShardSourceOptions {
  dirs: readonly string[];
  seed: number;
  /** shuffle the shard order per epoch (default true) */
  shuffle?: boolean;
  /** epochs to read (default 1; Infinity loops forever) */
  epochs?: number;
  /** check size and sha256 of each shard against index.json before reading it (default true) */
  checksums?: boolean;
  state?: ShardSourceState;
}

/** One document: tokens [n] = [BOS, byte+4 …, EOS] and patch lengths [p], Σ = n, each ≥ 1. */
export interface SourceDoc {
  docId: string;
  tokens: Uint16Array;
  patchLengths: Int32Array;
}

interface ShardEntry {
  path: string;
  rows: number;
  bytes: number;
  sha256: string;
}

/** Row → tokens and patch lengths (copies: rows are views of their row group's buffers). */
function docFromRow(row: ShardRow, where: string): SourceDoc {
  const n = row.bytes.length + 2;
  const tokens = new Uint16Array(n);
  tokens[0] = BOS_ID;
  for (let i = 0; i < row.bytes.length; i++) tokens[i + 1] = (row.bytes[i] as number) + OFFSET;
  tokens[n - 1] = EOS_ID;
  const pl = row.patchLengths;
  if (!pl)
    throw new BltError(
      'BAD_INPUT',
      `${where}: the shard has no patch_lengths column.`,
      'the loader packs by patches; preprocess with patching, or run `blt repatch` on the set',
    );
  let sum = 0;
  for (const l of pl) {
    if (l < 1)
      throw new BltError(
        'BAD_INPUT',
        `${where} (doc ${JSON.stringify(row.docId)}): patch length ${l}, expected every patch ≥ 1.`,
        'the reference patcher trims zero-length patches; rebuild the shard set',
      );
    sum += l;
  }
  if (sum !== n)
    throw new BltError(
      'BAD_INPUT',
      `${where} (doc ${JSON.stringify(row.docId)}): patch lengths sum to ${sum}, expected n_tokens = ${n}.`,
      'run `blt verify` on the shard set',
    );
  return { docId: row.docId, tokens, patchLengths: pl.slice() };
}

/** rows.next(), with the reader's "no such column" turned into a loader message. */
async function nextRow(rows: AsyncGenerator<ShardRow>, path: string): Promise<IteratorResult<ShardRow>> {
  try {
    return await rows.next();
  } catch (err) {
    if (err instanceof BltError && err.code === 'BAD_OPTION' && err.message.includes('`columns`')) {
      throw new BltError(
        'BAD_INPUT',
        `${path}: the shard has no patch_lengths column.`,
        'the loader packs by patches; preprocess with patching, or run `blt repatch` on the set',
      );
    }
    throw err;
  }
}

export class ShardSource {
  private readonly shards: ShardEntry[];
  private readonly dataKey: string;
  private readonly seed: number;
  private readonly shuffle: boolean;
  private readonly epochs: number;
  private readonly checksums: boolean;
  private readonly verified = new Set<string>();
  private epoch = 0;
  private shardIndex = 0;
  private rowInShard = 0;
  private order: number[] = [];
  private orderEpoch = -1;
  private rows: AsyncGenerator<ShardRow> | null = null;

  private constructor(shards: ShardEntry[], dataKey: string, opts: ShardSourceOptions) {
    this.shards = shards;
    this.dataKey = dataKey;
    this.seed = opts.seed;
    this.shuffle = opts.shuffle ?? true;
    this.epochs = opts.epochs ?? 1;
    this.checksums = opts.checksums ?? true;
  }

  /** Reads the manifests (BAD_INPUT when the sets hold no document) and restores `opts.state`. */
  static async open(opts: ShardSourceOptions): Promise<ShardSource> {
    if (opts.dirs.length === 0)
      throw new BltError('BAD_OPTION', 'Expected at least one shard set directory, got none.');
    const shards: ShardEntry[] = [];
    const keys: object[] = [];
    for (const dir of opts.dirs) {
      const m = await readManifest(dir);
      for (const s of m.shards)
        shards.push({ path: join(dir, s.file), rows: s.rows, bytes: s.bytes, sha256: s.sha256 });
      keys.push({ fingerprints: m.fingerprints, shards: m.shards.map((s) => [s.file, s.rows, s.sha256]) });
    }
    if (shards.every((s) => s.rows === 0)) {
      throw new BltError(
        'BAD_INPUT',
        `The shard sets ${opts.dirs.join(', ')} hold no document.`,
        'check the paths, or preprocess some input first',
      );
    }
    const source = new ShardSource(shards, fingerprint(['blt-loader-data/1', ...keys]), opts);
    if (opts.state) source.restore(opts.state);
    return source;
  }

  private restore(value: ShardSourceState): void {
    const o = shardSourceCodec.decode(value);
    if (o.dataKey !== this.dataKey || o.shards !== this.shards.length) {
      throw new BltError(
        'STATE_FORMAT',
        `The loader state was saved on other data (${String(o.shards)} shards, ` +
          `key ${String(o.dataKey).slice(0, 12)}…); these sets have ${this.shards.length} shards, ` +
          `key ${this.dataKey.slice(0, 12)}….`,
        'resume with the same shard set directories, in the same order, unchanged since the state was saved',
      );
    }
    const site = { label: 'shard-source state', path: '' };
    if (o.seed !== this.seed || o.shuffle !== this.shuffle) {
      const what = `expected seed/shuffle ${this.seed}/${this.shuffle} (this loader's), got ${o.seed}/${o.shuffle}`;
      throw stateError(site, what);
    }
    if (o.shardIndex >= this.shards.length)
      throw stateError(site, `expected \`shardIndex\` < ${this.shards.length}, got ${o.shardIndex}`);
    this.epoch = o.epoch;
    this.shardIndex = o.shardIndex;
    this.rowInShard = o.rowInShard;
  }

  /** The position after the last document returned. */
  getState(): ShardSourceState {
    return {
      kind: 'shard-source',
      v: 1,
      dataKey: this.dataKey,
      shards: this.shards.length,
      seed: this.seed,
      shuffle: this.shuffle,
      epoch: this.epoch,
      shardIndex: this.shardIndex,
      rowInShard: this.rowInShard,
    };
  }

  /** The epoch of the next document. */
  get currentEpoch(): number {
    return this.epoch;
  }

  /** The next document, or null after the last epoch. */
  async next(): Promise<SourceDoc | null> {
    for (;;) {
      if (this.epoch >= this.epochs) return null;
      if (this.orderEpoch !== this.epoch) {
        this.order = epochShardOrder(this.seed, this.epoch, this.shards.length, this.shuffle);
        this.orderEpoch = this.epoch;
      }
      const shard = this.shards[this.order[this.shardIndex] as number] as ShardEntry;
      if (this.rowInShard >= shard.rows) {
        await this.closeShard();
        this.rowInShard = 0;
        if (++this.shardIndex === this.shards.length) [this.epoch, this.shardIndex] = [this.epoch + 1, 0];
        continue;
      }
      this.rows ??= await this.openShard(shard);
      const r = await nextRow(this.rows, shard.path);
      if (r.done)
        throw new BltError(
          'SHARD_FORMAT',
          `${shard.path}: index.json records ${shard.rows} rows, the file holds ${this.rowInShard}.`,
          '`blt verify <dir>` lists every mismatch',
        );
      this.rowInShard += 1;
      return docFromRow(r.value, shard.path);
    }
  }

  private async openShard(shard: ShardEntry): Promise<AsyncGenerator<ShardRow>> {
    if (this.checksums && !this.verified.has(shard.path)) {
      const got = await hashFile(shard.path).catch((err: NodeJS.ErrnoException) => {
        throw err.code === 'ENOENT'
          ? new BltError(
              'NOT_FOUND',
              `Shard file ${shard.path} is listed in index.json but missing.`,
              '`blt verify <dir>` lists every problem',
            )
          : err;
      });
      if (got.bytes !== shard.bytes || got.sha256 !== shard.sha256) {
        throw new BltError(
          'SHARD_FORMAT',
          `${shard.path}: expected ${shard.bytes} bytes with sha256 ${shard.sha256} (index.json), ` +
            `found ${got.bytes} bytes with sha256 ${got.sha256}.`,
          'the file changed or is damaged; rebuild the shard set',
        );
      }
      this.verified.add(shard.path);
    }
    const rows = readShardRows(shard.path, { columns: ['patch_lengths'] });
    for (let i = 0; i < this.rowInShard; i++) {
      if ((await nextRow(rows, shard.path)).done)
        throw new BltError(
          'SHARD_FORMAT',
          `${shard.path}: cannot skip to row ${this.rowInShard}; the file holds ${i} rows.`,
        );
    }
    return rows;
  }

  private async closeShard(): Promise<void> {
    const rows = this.rows;
    this.rows = null;
    await rows?.return(undefined);
  }

  async close(): Promise<void> {
    await this.closeShard();
  }
}
