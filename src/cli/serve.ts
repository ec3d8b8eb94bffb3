import type { Command } from 'commander';
import { engineOption, modelOption } from '../options/preprocess.js';
import { BltError } from '../core/errors.js';
import { intArg, sizeArg } from '../options/numeric.js';
import { canonicalModelSpec } from '../entropy/model-format/resolve-model.js';
import { MODEL_PATH_HELP } from './model-option.js';

interface ServeCli {
  port: number;
  host: string;
  cacheDir: string;
  entropyModel?: string;
  engine: 'auto' | 'onnx' | 'tfjs';
  roots?: string[];
  jobConcurrency: number;
  workers?: number;
  bodyLimit: number;
  maxDocuments: number;
  quiet?: boolean;
}

const list = (v: string): string[] =>
  v
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');

/** `blt serve`: the HTTP service (docs/serve.md). */
export function register(program: Command): void {
  program
    .command('serve')
    .description(
      'the toolkit over HTTP: /v1/patch, preprocessing jobs, /v1/stats, a web page at /, /metrics (docs/serve.md)',
    )
    .option('-p, --port <n>', 'TCP port (0: any free port)', intArg('--port'), 8080)
    .option('--host <addr>', 'address to listen on (127.0.0.1: this machine only)', '127.0.0.1')
    .option(
      '--cache-dir <dir>',
      'state directory: job records (jobs/) and default job outputs (shards/); queued jobs survive restarts here',
      '.blt-serve',
    )
    .addOption(
      modelOption(
        '--entropy-model <path>',
        `entropy model, loaded once: ${MODEL_PATH_HELP} (default: the shipped model)`,
      ),
    )
    .addOption(engineOption())
    .option(
      '--roots <dir,...>',
      'directories jobs may read and write and /v1/stats may read (default: none, jobs refused)',
      list,
    )
    .option('--job-concurrency <n>', 'preprocessing jobs running at once', intArg('--job-concurrency'), 1)
    .option(
      '--workers <n>',
      'worker threads of a job (default: cores); also the most a job may ask for',
      intArg('--workers'),
    )
    .option('--body-limit <size>', 'largest /v1/patch and /v1/figure request body', sizeArg('--body-limit'), 1 << 20)
    .option('--max-documents <n>', 'most documents in one /v1/patch batch', intArg('--max-documents'), 1024)
    .option('-q, --quiet', 'no log lines on stderr')
    .addHelpText(
      'after',
      `
Examples:
  blt serve --port 8080 --roots data/samples       # then open http://127.0.0.1:8080/
  curl -s localhost:8080/v1/patch -H 'content-type: application/json' -d '{"text": "Hello, world"}'
  curl -s localhost:8080/v1/jobs -H 'content-type: application/json' -d '{"inputs": ["multilingual.jsonl"]}'
SIGTERM/SIGINT: stop accepting, let running jobs commit their tasks in flight (they resume at the next
start), then exit; a second signal exits at once.`,
    )
    .action(async (opts: ServeCli) => runServe(opts));
}

async function runServe(o: ServeCli): Promise<void> {
  const { createServer } = await import('../serve/server.js');
  const log = (m: string): void => {
    if (!o.quiet) process.stderr.write(`${new Date().toISOString()} blt serve: ${m}\n`);
  };
  if (o.port < 0 || o.port > 65535) throw new BltError('BAD_OPTION', `Expected --port in [0, 65535], got ${o.port}.`);
  const server = await createServer({
    cacheDir: o.cacheDir,
    engine: o.engine,
    roots: o.roots ?? [],
    jobConcurrency: o.jobConcurrency,
    bodyLimit: o.bodyLimit,
    maxDocuments: o.maxDocuments,
    log,
    ...(o.entropyModel === undefined ? {} : { entropyModel: canonicalModelSpec(o.entropyModel, '--entropy-model') }),
    ...(o.workers === undefined ? {} : { workers: o.workers }),
  });
  let stopping = false;
  const onSignal = (sig: NodeJS.Signals): void => {
    if (stopping) {
      log(`${sig} again: exiting now (committed tasks are safe; jobs resume at the next start)`);
      process.exit(130);
    }
    stopping = true;
    log(`${sig}: shutting down (no new requests; running jobs stop after their tasks in flight)`);
    server.close().then(
      () => {
        log('stopped');
        process.exit(0);
      },
      (err: unknown) => {
        log(`shutdown failed: ${err instanceof Error ? err.message : String(err)}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  let url: string;
  try {
    url = await server.listen(o.port, o.host);
  } catch (err) {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await server.close();
    throw err;
  }
  process.stdout.write(`listening on ${url}\n`);
}
