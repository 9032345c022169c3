/** Number formatting shared by the text renderers. NaN renders as "n/a". */
export const fmtNum = (x: number, digits = 2): string => (Number.isFinite(x) ? x.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits }) : 'n/a');
export const fmtPct = (x: number, digits = 2): string => (Number.isFinite(x) ? `${fmtNum(x * 100, digits)}%` : 'n/a');
export const fmtInt = (x: number): string => (Number.isFinite(x) ? x.toLocaleString('en-US', { maximumFractionDigits: 0 }) : 'n/a');
export const fmtP = (p: number): string => (!Number.isFinite(p) ? 'n/a' : p < 1e-4 ? p.toExponential(1) : p.toFixed(4));

/**
 * JSON with NaN and ±Infinity as null, typed arrays as arrays, and numbers as JavaScript prints
 * them (deterministic).
 */
export function toJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : ArrayBuffer.isView(v) ? Array.from(v as Float64Array) : v), 2) + '\n';
}

/** One CSV field, quoted when needed. */
export function csvField(v: string | number | boolean): string {
  const s = typeof v === 'number' ? (Number.isFinite(v) ? String(v) : '') : String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}
