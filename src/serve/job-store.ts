/**
 * Persisted job records: one JSON file per job under `<state-dir>/jobs/`, each write atomic
 * (temp file, fsync, rename: src/core/atomic.ts) and the writes of one job serialised, so a
 * record on disk is always a whole, recent version, whatever moment the server is killed at.
 */
import { mkdir, readdir, readFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../core/atomic.js';
import { jobRecordCodec, type JobRecord } from './job-record.js';

export const JOBS_DIR = 'jobs';

export class JobStore {
  private readonly dir: string;
  private readonly writes = new Map<string, Promise<void>>();

  constructor(
    stateDir: string,
    private readonly log: (m: string) => void = () => undefined,
  ) {
    this.dir = join(stateDir, JOBS_DIR);
  }

  /** Every readable record; an unreadable one is moved aside (`<name>.bad`) and reported. */
  async load(): Promise<JobRecord[]> {
    await mkdir(this.dir, { recursive: true });
    const out: JobRecord[] = [];
    for (const name of (await readdir(this.dir)).filter((n) => n.endsWith('.json')).sort()) {
      const path = join(this.dir, name);
      try {
        const r = jobRecordCodec.decode(JSON.parse(await readFile(path, 'utf8')), path);
        if (`${r.id}.json` !== name) throw new Error(`the record of ${r.id} is not named ${r.id}.json`);
        out.push(r);
      } catch (err) {
        this.log(`job record ${path} is unreadable (${(err as Error).message}); moved aside to ${name}.bad`);
        await rename(path, `${path}.bad`).catch(() => undefined);
      }
    }
    return out;
  }

  /** Writes a snapshot of the record (after the previous write of the same job). */
  save(r: JobRecord): Promise<void> {
    const data = `${JSON.stringify(r, null, 1)}\n`;
    const prev = this.writes.get(r.id) ?? Promise.resolve();
    const next = prev.catch(() => undefined).then(() => writeFileAtomic(join(this.dir, `${r.id}.json`), data));
    this.writes.set(r.id, next);
    void next
      .finally(() => {
        if (this.writes.get(r.id) === next) this.writes.delete(r.id);
      })
      .catch(() => undefined);
    return next;
  }

  /** Waits for every pending write. */
  async flush(): Promise<void> {
    await Promise.allSettled([...this.writes.values()]);
  }
}
