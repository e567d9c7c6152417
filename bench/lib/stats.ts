/** Small statistics and formatting helpers shared by the benchmarks. */
import { seededRandom } from '../../src/testing/index.js';

/** The median of some numbers (mean of the middle two for an even count). */
export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** A markdown table. */
export function table(head: readonly string[], rows: readonly (readonly (string | number)[])[]): string {
  const line = (cells: readonly (string | number)[]) => `| ${cells.join(' | ')} |`;
  return [line(head), `|${head.map(() => '---').join('|')}|`, ...rows.map(line)].join('\n');
}

/** `n` with `digits` decimals. */
export const fixed = (n: number, digits = 1): string => (Number.isFinite(n) ? n.toFixed(digits) : '—');

/** ✅ / ❌ followed by a text. */
export const verdict = (ok: boolean, text: string): string => `${ok ? '✅ met' : '❌ missed'}: ${text}`;

/** Progress on stderr (stdout carries the markdown). */
export function progress(message: string): void {
  process.stderr.write(`${message}\n`);
}

/** A deterministic PRNG (mulberry32, dynagraph/testing's), so every run uses the same data. */
export const prng = seededRandom;

/** Resolves after `ms` milliseconds. */
export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
