/**
 * Canonical JSON: JSON.stringify with object keys sorted (by UTF-16 code units) at every level,
 * no whitespace. Numbers use JavaScript's shortest round-trip form (1e-5 → 0.00001).
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v !== null && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(o).sort()) out[k] = sortKeys(o[k]);
    return out;
  }
  return v;
}
