/**
 * `<out>/metrics.jsonl`: one JSON object per line, `{"event":"train"|"eval"|"start"|"end", "step", ...}`.
 * On resume from step s, lines with step > s (written after that checkpoint by the interrupted
 * run) are dropped first, so the file reads as one uninterrupted run.
 */
import { appendFile, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../../core/atomic.js';

export type MetricsRecord = { readonly event: string; readonly step: number } & Record<string, unknown>;

export class MetricsLog {
  readonly path: string;

  private constructor(path: string) {
    this.path = path;
  }

  /** A fresh log (any old file is replaced by an empty one). */
  static async create(outDir: string): Promise<MetricsLog> {
    const log = new MetricsLog(join(outDir, 'metrics.jsonl'));
    await writeFileAtomic(log.path, '');
    return log;
  }

  /** Continues an existing log at `step`: keeps only lines with step <= `step`. */
  static async resume(outDir: string, step: number): Promise<MetricsLog> {
    const log = new MetricsLog(join(outDir, 'metrics.jsonl'));
    let text = '';
    try {
      text = await readFile(log.path, 'utf8');
    } catch {
      // no log yet: start one
    }
    const kept = text.split('\n').filter((line) => {
      if (line.trim() === '') return false;
      try {
        const r = JSON.parse(line) as { step?: unknown };
        return typeof r.step === 'number' && r.step <= step;
      } catch {
        return false; // a torn last line from a kill
      }
    });
    await writeFileAtomic(log.path, kept.map((l) => `${l}\n`).join(''));
    return log;
  }

  async write(record: MetricsRecord): Promise<void> {
    await appendFile(this.path, `${JSON.stringify(record)}\n`);
  }
}
