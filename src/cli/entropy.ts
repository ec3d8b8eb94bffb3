import type { Command } from 'commander';
import { BltError } from '../core/errors.js';

/** `blt entropy <train|eval>`: entropy models (owned by the entropy-training work). */
export function register(program: Command): void {
  const entropy = program.command('entropy').description('train and evaluate byte-level entropy models');
  entropy
    .command('train')
    .description('train an entropy model (not built yet)')
    .allowUnknownOption(true)
    .allowExcessArguments(true)
    .action(() => {
      throw new BltError('NOT_IMPLEMENTED', '`blt entropy train` is not built yet.');
    });
}
