/**
 * Shared progress reporter for long CLI commands.
 *
 * - `bar`   (default on a TTY): a cli-progress bar with the caller's fields and an ETA;
 * - `json`  (default otherwise): one JSON line per `report()` call, `{"event":"progress", ...}`;
 * - `quiet`: nothing.
 *
 * `tick()` only redraws the bar (cheap, call it every step); `report()` also writes the JSON line
 * (call it once per log interval). Output goes to stderr unless another stream is given, so a
 * command's `--json` result on stdout stays parseable.
 */
import cliProgress from 'cli-progress';

export type ProgressMode = 'bar' | 'json' | 'quiet';
export type ProgressFields = Record<string, number | string>;

export interface ProgressOptions {
  readonly total: number;
  /** Value the run starts from (a resumed run); ETA is computed from the progress since. */
  readonly start?: number;
  readonly label?: string;
  /** `auto`: bar on a TTY, json otherwise. */
  readonly mode?: ProgressMode | 'auto';
  readonly stream?: NodeJS.WritableStream & { isTTY?: boolean };
  /** Clock for elapsed/ETA (tests inject one). */
  readonly now?: () => number;
}

export interface ProgressReporter {
  readonly mode: ProgressMode;
  tick(value: number, fields?: ProgressFields): void;
  report(value: number, fields?: ProgressFields): void;
  /** A one-off message (above the bar, or `{"event":"log"}`). */
  log(message: string): void;
  stop(): void;
}

/** Numbers as 4 significant digits (integers as is), for the bar. */
export function formatField(v: number | string): string {
  if (typeof v === 'string') return v;
  if (Number.isInteger(v)) return String(v);
  return Math.abs(v) >= 1e4 ? v.toFixed(0) : v.toPrecision(4);
}

export function resolveProgressMode(
  mode: ProgressMode | 'auto' | undefined,
  stream: { isTTY?: boolean },
): ProgressMode {
  if (mode && mode !== 'auto') return mode;
  return stream.isTTY ? 'bar' : 'json';
}

export function createProgress(opts: ProgressOptions): ProgressReporter {
  const stream = opts.stream ?? process.stderr;
  const mode = resolveProgressMode(opts.mode, stream);
  const label = opts.label ?? 'progress';
  const now = opts.now ?? (() => performance.now());
  const t0 = now();
  const v0 = opts.start ?? 0;
  if (mode === 'quiet') return { mode, tick: () => {}, report: () => {}, log: () => {}, stop: () => {} };

  if (mode === 'json') {
    const write = (o: object): void => void stream.write(`${JSON.stringify(o)}\n`);
    return {
      mode,
      tick: () => {},
      report: (value, fields = {}) => {
        const elapsed = (now() - t0) / 1000;
        const done = value - v0;
        const eta = done > 0 ? (elapsed / done) * Math.max(0, opts.total - value) : null;
        write({
          event: 'progress',
          label,
          value,
          total: opts.total,
          ...fields,
          elapsed_s: round3(elapsed),
          eta_s: eta === null ? null : round3(eta),
        });
      },
      log: (message) => write({ event: 'log', label, message }),
      stop: () => {},
    };
  }

  const bar = new cliProgress.SingleBar(
    {
      format: `${label} [{bar}] {value}/{total} {details} | ETA {eta_formatted}`,
      stream,
      hideCursor: true,
      gracefulExit: false,
      progressCalculationRelative: true,
      barsize: 24,
      etaBuffer: 20,
      fps: 5,
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(opts.total, v0, { details: '' });
  const details = (fields: ProgressFields): string =>
    Object.entries(fields)
      .map(([k, v]) => `| ${k} ${formatField(v)}`)
      .join(' ');
  let stopped = false;
  const tick = (value: number, fields: ProgressFields = {}): void => bar.update(value, { details: details(fields) });
  return {
    mode,
    tick,
    report: tick,
    log: (message) => {
      stream.write(`\r\x1b[K${message}\n`);
      bar.render();
    },
    stop: () => {
      if (!stopped) bar.stop();
      stopped = true;
    },
  };
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}

/** What `pipelineProgressHook` needs of a preprocess/repatch progress event (PreprocessProgress). */
export interface PipelineProgressEvent {
  documents: number;
  quarantined: number;
  /** document text bytes done */
  bytes: number;
  /** input bytes on disk read up to the last committed task, where this run started, and the total (null: unknown) */
  inputBytes: number;
  inputStartBytes: number;
  inputTotalBytes: number | null;
}

/**
 * The progress hook of `blt preprocess` / `blt repatch`: the bar's value and total are input MB
 * on disk (read up to the last committed task), so the ETA holds for JSONL, Parquet and text
 * alike; without a known total (stdin) the value is the document count. The reporter is
 * created at the first event; the JSON line is written at most every 2 s.
 */
export function pipelineProgressHook(
  label: string,
  mode: ProgressMode | 'auto',
  now: () => number = () => performance.now(),
  stream?: ProgressOptions['stream'],
): {
  onProgress: (p: PipelineProgressEvent) => void;
  reporter: () => ProgressReporter | undefined;
} {
  let bar: ProgressReporter | undefined;
  let lastReport = -Infinity;
  const t0 = now();
  const mb = (b: number): number => Math.round((b / 1e6) * 100) / 100;
  return {
    reporter: () => bar,
    onProgress: (p) => {
      const total = p.inputTotalBytes;
      bar ??= createProgress({
        total: total !== null && total > 0 ? mb(total) : p.documents,
        label,
        mode,
        now,
        ...(total !== null && total > 0 ? { start: mb(p.inputStartBytes) } : {}),
        ...(stream ? { stream } : {}),
      });
      const rate = p.bytes / 1e6 / Math.max(1e-3, (now() - t0) / 1000);
      const fields = {
        docs: p.documents,
        'text MB': mb(p.bytes),
        'MB/s': Math.round(rate * 1000) / 1000,
        quarantined: p.quarantined,
      };
      const value = total !== null && total > 0 ? mb(p.inputBytes) : p.documents;
      const t = now();
      if (t - lastReport > 2000) {
        bar.report(value, fields);
        lastReport = t;
      } else bar.tick(value, fields);
    },
  };
}
