/**
 * Test oracle: a literal, step-by-step transcription of the reference's torch code
 * (bytelatent/data/patcher.py) for a batch of one row, written in the torch shape — padded
 * start-id arrays, `patch_lengths_from_start_ids` with `seq_len - 1`, flip/argmax trimming —
 * deliberately unlike src/patching so that the two can be compared on random inputs.
 */
const f32 = Math.fround;

function startIdsFromMask(mask: boolean[]): number[] {
  const trunc = mask.length;
  const maxPatches = mask.filter(Boolean).length;
  if (maxPatches === 0) return new Array<number>(trunc).fill(trunc);
  const allIds = [...Array(trunc).keys(), ...new Array<number>(trunc).fill(trunc)];
  const padded = [...mask, ...mask.map((m) => !m)];
  return allIds.filter((_, i) => padded[i]).slice(0, maxPatches);
}

function lengthsFromStartIds(ids: number[], seqLen: number): number[] {
  const ends = [...ids.slice(1).map((s) => s - 1), seqLen - 1];
  const lengths = ids.map((s, i) => (ends[i] as number) - s + 1);
  if (lengths.some((l) => l < 0)) throw new Error(`assert patch_lengths >= 0: ${lengths}`);
  return lengths;
}

function entropyStartIds(
  ent: number[],
  threshold: number,
  tAdd: number | undefined,
  mono: boolean,
  next: boolean,
): number[] {
  const e = ent.slice(1).map(f32);
  const t = f32(threshold);
  let mask: boolean[];
  if (mono) {
    mask = e.map(() => false);
    if (mask.length) mask[0] = true;
    for (let j = 1; j < e.length; j++) mask[j] = f32((e[j] as number) - (e[j - 1] as number)) > t;
  } else if (tAdd !== undefined) {
    const init = e.map((_, j) => j === 0);
    mask = [...init];
    for (let j = 1; j < e.length; j++) {
      mask[j] = f32((e[j] as number) - (e[j - 1] as number)) > f32(tAdd) && (e[j] as number) > t && !init[j - 1];
    }
  } else {
    mask = e.map((x) => x > t);
  }
  if (!next) mask = mask.slice(0, -1);
  return [0, 1, ...startIdsFromMask(mask).map((s) => s + 2)];
}

function spaceStartIds(tokens: number[]): number[] {
  const b = tokens.map((t) => t - 4);
  const o = (c: string): number => c.charCodeAt(0);
  const orig = b.map(
    (x) =>
      x < o('0') || (o('9') < x && x < o('A')) || (o('Z') < x && x < o('a')) || (o('z') < x && x < 0x80) || x >= 0xc0,
  );
  const end = orig.map((v, i) => (i === 0 ? v : v && !orig[i - 1]));
  const endOr = end.map((v, i) => v || (tokens[i] as number) < 4);
  const startMask = [true, true, ...endOr.slice(1)];
  const L = tokens.length;
  const maxPatches = startMask.filter(Boolean).length;
  const allIds = [...Array(L + 1).keys(), ...new Array<number>(L + 1).fill(L + 1)];
  const padded = [...startMask, ...startMask.map((m) => !m)];
  return allIds.filter((_, i) => padded[i]).slice(0, maxPatches);
}

function splitLarge(lst: number[], m: number): number[] {
  const out: number[] = [];
  for (let i of lst) {
    if (i > m) {
      while (i > m) {
        out.push(m);
        i -= m;
      }
      out.push(i);
    } else out.push(i);
  }
  return out;
}

export interface OracleOptions {
  mode: 'entropy' | 'static' | 'byte' | 'space';
  entropies?: number[];
  threshold?: number;
  thresholdAdd?: number;
  monotonicity?: boolean;
  maxPatchLength?: number;
  patchSize?: number;
  includeNextToken?: boolean;
}

export function referencePatch(tokens: number[], o: OracleOptions): number[] {
  const next = o.includeNextToken === true;
  const S = tokens.length + (next ? 1 : 0);
  let pl: number[];
  if (o.mode === 'static') {
    const ps = o.patchSize ?? 4.5;
    pl = new Array<number>(Math.ceil(S / ps)).fill(Math.trunc(ps));
    if (S % ps !== 0) pl[pl.length - 1] = Math.trunc(S % ps);
  } else if (o.mode === 'byte') {
    pl = new Array<number>(S).fill(1);
  } else if (o.mode === 'entropy') {
    const ids = entropyStartIds(
      o.entropies ?? [],
      o.threshold ?? 1.335442066192627,
      o.thresholdAdd,
      o.monotonicity ?? false,
      next,
    );
    pl = lengthsFromStartIds(ids, S);
  } else {
    pl = lengthsFromStartIds(spaceStartIds(tokens), S);
  }
  if (o.maxPatchLength !== undefined) pl = splitLarge(pl, o.maxPatchLength);
  // last_non_zero_col_reversed = (pl != 0).flip().argmax()
  const flipped = pl.map((x) => x !== 0).reverse();
  const firstTrue = flipped.indexOf(true);
  const trimmed = pl.slice(0, pl.length - (firstTrue < 0 ? 0 : firstTrue));
  const sum = trimmed.reduce((a, b) => a + b, 0);
  if (sum !== S) throw new Error(`assert sum(patch_lengths) == ${S}: got ${sum}`);
  return trimmed;
}
