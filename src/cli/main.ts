#!/usr/bin/env node
/**
 * The `blt` command. Each subcommand lives in its own file under src/cli/ and exports
 * `register(program)`. Only src/cli/ reads argv and the environment.
 */
import { realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { Command, CommanderError } from 'commander';
import { BltError } from '../core/errors.js';
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
import { register as registerPlanned } from './planned.js';

export function buildProgram(): Command {
  const program = new Command('blt')
    .description('Byte Latent Transformer toolkit: byte patching, entropy models, shards and training')
    .version(packageVersion(), '-V, --version', 'print the version')
    .showHelpAfterError('(run with --help for usage)')
    .configureHelp({ sortSubcommands: false });
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
  registerPlanned(program);
  return program;
}

/** Prints a BltError as `blt: error [CODE]: message` and returns the exit code. */
export function reportError(err: unknown): number {
  if (err instanceof CommanderError) return err.exitCode;
  if (err instanceof BltError) {
    process.stderr.write(`blt: error [${err.code}]: ${err.message}\n`);
    return err.code === 'INTERNAL' ? 70 : 2;
  }
  process.stderr.write(`blt: unexpected error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  return 70;
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram().exitOverride();
  try {
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (err) {
    return reportError(err);
  }
}

const isEntry = process.argv[1] !== undefined && import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href;
if (isEntry) {
  main(process.argv.slice(2)).then((code) => {
    // a command may have set its own exit status (verify: 1, interrupted runs: 130)
    if (code !== 0 || process.exitCode === undefined) process.exitCode = code;
  });
}
