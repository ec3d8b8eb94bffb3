/**
 * Where the installed `@tensorflow/tfjs-backend-wasm` keeps its `.wasm` binaries.
 *
 * Its Node bundle finds them through `__dirname`, which works from node_modules (and in workers);
 * we still pin the directory with `setWasmPaths` so a bundled or relocated build fails with a clear
 * message instead of Emscripten's "Make sure the server can serve the `.wasm` file".
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** The binary Node loads: SIMD, not threaded (tfjs sets WASM_HAS_MULTITHREAD_SUPPORT=false in Node). */
export const WASM_SIMD_BINARY = 'tfjs-backend-wasm-simd.wasm';

export type WasmBinaries = { found: true; dir: string } | { found: false; detail: string };

/** Locates `dist/` of the installed package, checking that the SIMD binary is there. */
export function findWasmBinaries(): WasmBinaries {
  let pkgJson: string;
  try {
    pkgJson = createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm/package.json');
  } catch (err) {
    return { found: false, detail: `@tensorflow/tfjs-backend-wasm is not resolvable: ${firstLine(err)}` };
  }
  const dir = join(dirname(pkgJson), 'dist');
  if (!existsSync(join(dir, WASM_SIMD_BINARY))) {
    return { found: false, detail: `${WASM_SIMD_BINARY} is missing from ${dir}` };
  }
  return { found: true, dir };
}

/** The first line of an error's message (or of its string form). */
export function firstLine(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return text.split('\n', 1)[0] ?? text;
}
