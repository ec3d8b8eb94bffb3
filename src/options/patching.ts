/**
 * The patching options (`patchLengths`; `blt patch`, `blt preprocess`, `blt repatch`, `/v1/patch`,
 * `/v1/jobs`), declared once. Defaults are the reference's `PatcherArgs`
 * (bytelatent/data/patcher.py); the default threshold is the entropy model's calibrated one.
 */
import { PATCH_MODES } from '../patching/patch-options.js';
import { bool, int, num, oneOf, opt, type OptionDef, type OptionValues } from './option-def.js';

const ENTROPY_ONLY = { onlyMode: 'entropy' } as const;

/** The patching rule: what `blt preprocess`, `blt repatch` and jobs take. */
export const PATCH_RULE_OPTIONS = [
  opt('mode', oneOf(PATCH_MODES), '-m, --mode <mode>', 'patching mode', { default: 'entropy' }),
  opt('threshold', num(), '--threshold <nats>', 'global entropy threshold', ENTROPY_ONLY),
  opt('thresholdAdd', num(), '--threshold-add <nats>', 'also require H[t-1] - H[t-2] > this', ENTROPY_ONLY),
  opt('monotonicity', bool, '--monotonicity', 'relative rule: start where H[t-1] - H[t-2] > threshold', ENTROPY_ONLY),
  opt('maxPatchLength', int(1), '--max-patch-length <n>', 'split longer patches'),
  // a static patch is an integer length; the library takes any size > 0 and checks it per mode
  opt('patchSize', num(true), '--patch-size <n>', 'static mode patch length', { cli: int(1), onlyMode: 'static' }),
] as const satisfies readonly OptionDef[];

/** The rule plus `includeNextToken` (`blt patch`, `/v1/patch`: lengths as during generation). */
export const PATCHING_OPTIONS = [
  ...PATCH_RULE_OPTIONS,
  opt('includeNextToken', bool, '--include-next-token', 'lengths also cover the next token (sum = L + 1)'),
] as const satisfies readonly OptionDef[];

/** The patching options as a command, request or config gives them. */
export type PatchingValues = OptionValues<typeof PATCHING_OPTIONS>;
