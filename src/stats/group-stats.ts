/**
 * Per-group totals (one group per source, one per language): documents, bytes, tokens,
 * patches, the patch-length distribution (built on PatchStatsAccumulator), mean entropy and
 * character-splitting boundaries. Memory: O(distinct patch lengths) per group.
 */
import { PatchStatsAccumulator } from '../patching/patch-stats.js';

export interface GroupStats {
  key: string;
  /** language groups: where the key came from ('column' = the shard's lang, 'script' = detected) */
  origin?: 'column' | 'script';
  documents: number;
  bytes: number;
  tokens: number;
  patches: number;
  /** tokens / patches (patch lengths count BOS and EOS, as stored) */
  meanPatchLength: number;
  medianPatchLength: number;
  p90PatchLength: number;
  /** bytes / patches: text bytes per patch, the figure that compares languages */
  bytesPerPatch: number;
  /** mean of the entropies that predict a byte or EOS (null without an entropies column) */
  meanEntropy: number | null;
  /** share of patch boundaries that start inside a multi-byte character */
  insideCharacterShare: number;
}

class GroupAccumulator {
  private documents = 0;
  private bytes = 0;
  private readonly patches = new PatchStatsAccumulator();
  private entropySum = 0;
  private entropyCount = 0;
  private boundaries = 0;
  private inside = 0;

  constructor(
    readonly key: string,
    readonly origin?: 'column' | 'script',
  ) {}

  addDocument(bytes: number, lengths: ArrayLike<number> | undefined): void {
    this.documents++;
    this.bytes += bytes;
    if (lengths) this.patches.add(lengths);
  }

  addEntropies(sum: number, count: number): void {
    this.entropySum += sum;
    this.entropyCount += count;
  }

  addBoundaries(boundaries: number, inside: number): void {
    this.boundaries += boundaries;
    this.inside += inside;
  }

  result(): GroupStats {
    const p = this.patches.result();
    return {
      key: this.key,
      ...(this.origin ? { origin: this.origin } : {}),
      documents: this.documents,
      bytes: this.bytes,
      tokens: p.tokens,
      patches: p.patches,
      meanPatchLength: p.mean,
      medianPatchLength: p.median,
      p90PatchLength: p.p90,
      bytesPerPatch: p.patches ? this.bytes / p.patches : 0,
      meanEntropy: this.entropyCount ? this.entropySum / this.entropyCount : null,
      insideCharacterShare: this.boundaries ? this.inside / this.boundaries : 0,
    };
  }
}

/** A map of groups by key, created on first use; results sorted by bytes (largest first). */
export class GroupTable {
  private readonly groups = new Map<string, GroupAccumulator>();

  get(key: string, origin?: 'column' | 'script'): GroupAccumulator {
    const id = origin ? `${origin}\u0000${key}` : key;
    let g = this.groups.get(id);
    if (!g) this.groups.set(id, (g = new GroupAccumulator(key, origin)));
    return g;
  }

  get size(): number {
    return this.groups.size;
  }

  result(): GroupStats[] {
    return [...this.groups.values()]
      .map((g) => g.result())
      .sort((a, b) => b.bytes - a.bytes || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }
}
