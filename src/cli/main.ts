#!/usr/bin/env node
/**
 * The `blt` command. Each subcommand lives in its own file under src/cli/ and exports
 * `register(program)`. Only src/cli/ reads argv and the environment.
 */
import { realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { Command, CommanderError } from 'commander';
import { BltError } from '../core/errors.js';
import { fileSystemError, isUsageError, jsonRequested, usageError } from './cli-errors.js';
import { packageVersion } from '../core/package-info.js';
import { register as registerDoctor } from './doctor.js';
import { register as registerPatch } from './patch.js';
import { register as registerEntropy } from './entropy.js';
import { register as registerInspect } from './inspect.js';
import { register as registerStats } from './stats.js';
import { register as registerCalibrate } from './calibrate.js';
import { register as registerPreprocess } from './preprocess.js';
import { register as registerShardTools } from './shard-tools.js';
import { register as registerExport } from './export.js';
import { register as registerRepatch } from './repatch.js';
import { register as registerCache } from './cache.js';
import { register as registerServe } from './serve.js';
import { register as registerTrain } from './train.js';
import { register as registerEval } from './eval.js';
import { register as registerGenerate } from './generate.js';

export function buildProgram(): Command {
  const program = new Command('blt')
    .description('Byte Latent Transformer toolkit: byte patching, entropy models, shards and training')
    .version(packageVersion(), '-V, --version', 'print the version')
    .configureHelp({ sortSubcommands: false })
    // usage errors come back as CommanderErrors and are printed by reportError (coded, exit 2);
    // set before the subcommands are added so that every one of them inherits it
    .exitOverride()
    .configureOutput({ outputError: () => undefined });
  registerDoctor(program);
  registerPatch(program);
  registerEntropy(program);
  registerInspect(program);
  registerStats(program);
  registerCalibrate(program);
  registerPreprocess(program);
  registerShardTools(program);
  registerExport(program);
  registerRepatch(program);
  registerCache(program);
  registerServe(program);
  registerTrain(program);
  registerEval(program);
  registerGenerate(program);
  return program;
}

/** Prints `err` (`blt: error [CODE]: message`, or one JSON object on stdout under --json) and returns the exit code. */
export function reportError(err: unknown, argv: readonly string[] = []): number {
  let e: BltError;
  if (err instanceof CommanderError) {
    e = usageError(err, argv) ?? new BltError('INTERNAL', err.message);
    if (!isUsageError(err)) return err.exitCode; // --help, --version, interrupted runs (130/143)
  } else if (err instanceof BltError) e = err;
  else {
    const fs = fileSystemError(err);
    if (!fs) {
      process.stderr.write(
        `blt: unexpected error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
      );
      return 70;
    }
    e = fs;
  }
  const code = e.code === 'INTERNAL' ? 70 : 2;
  if (jsonRequested(argv)) {
    const message =
      e.hint === undefined ? e.message : e.message.slice(0, e.message.length - `\n  hint: ${e.hint}`.length);
    process.stdout.write(
      JSON.stringify({
        error: { code: e.code, message, ...(e.hint === undefined ? {} : { hint: e.hint }), exitCode: code },
      }) + '\n',
    );
  } else {
    process.stderr.write(`blt: error [${e.code}]: ${e.message}\n`);
  }
  return code;
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (err) {
    return reportError(err, argv);
  }
}

const isEntry = process.argv[1] !== undefined && import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href;
if (isEntry) {
  // `blt ... | head -1`: the reader went away; the output is no longer wanted, so leave quietly
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(0);
    throw err;
  });
  main(process.argv.slice(2)).then((code) => {
    // a command may have set its own exit status (verify: 1, interrupted runs: 130)
    if (code !== 0 || process.exitCode === undefined) process.exitCode = code;
  });
}
