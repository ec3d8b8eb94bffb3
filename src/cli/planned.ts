import type { Command } from 'commander';
import { BltError } from '../core/errors.js';

/** Subcommands that later issues build; each says so clearly instead of failing obscurely. */
const PLANNED: Array<[string, string]> = [];

export function register(program: Command): void {
  for (const [name, what] of PLANNED) {
    program
      .command(name)
      .description(`${what} (not built yet)`)
      .allowUnknownOption(true)
      .allowExcessArguments(true)
      .action(() => {
        throw new BltError(
          'NOT_IMPLEMENTED',
          `\`blt ${name}\` is not built yet.`,
          'see the project issues for its status',
        );
      });
  }
}
