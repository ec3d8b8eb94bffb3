/**
 * The documents a calibration runs on: their entropies, concatenated into one growable
 * Float32Array with per-document offsets (4 bytes per token: 8 MiB of text ≈ 34 MB).
 */
export class CalibrationSample {
  private data = new Float32Array(1 << 16);
  private offs: number[] = [0];
  private keys: string[] = [];
  documents = 0;
  bytes = 0;

  /** entropies [nTokens] of one document (one per token incl. BOS/EOS); copied. `key`: its group (its script bucket,
   * for per-script calibration). */
  add(entropies: Float32Array, key = ''): void {
    const end = (this.offs[this.offs.length - 1] as number) + entropies.length;
    if (end > this.data.length) {
      let size = this.data.length;
      while (size < end) size *= 2;
      const grown = new Float32Array(size);
      grown.set(this.data.subarray(0, this.offs[this.offs.length - 1]));
      this.data = grown;
    }
    this.data.set(entropies, end - entropies.length);
    this.offs.push(end);
    this.keys.push(key);
    this.documents++;
    this.bytes += Math.max(0, entropies.length - 2);
  }

  get tokens(): number {
    return this.offs[this.offs.length - 1] as number;
  }

  /** the group key of document d */
  key(d: number): string {
    return this.keys[d] ?? '';
  }

  /** entropies of document d (a view) */
  doc(d: number): Float32Array {
    return this.data.subarray(this.offs[d] as number, this.offs[d + 1] as number);
  }
}
