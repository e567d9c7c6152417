/**
 * ProjectionExpression: which attributes (or nested paths) a read returns.
 */
import { ExpressionError } from '../errors.js';
import { ExpressionContext, type ExpressionOptions } from './context.js';
import { pathsOverlap, type Path, type PathInput } from './path.js';
import type { ExpressionAttributes } from './placeholders.js';

/** Hooks for {@link compileProjection}; values never occur in a projection, so `mapValue` is unused. */
export type ProjectionOptions = Pick<ExpressionOptions, 'resolveName' | 'isAttribute' | 'checkProjection'>;

/**
 * Compiles paths to a ProjectionExpression: `['name', 'a.b[0]']` → `#n0, #n1.#n2[0]`.
 *
 * DynamoDB rejects overlapping paths in one projection, and asking for `a`
 * and `a.b` can only mean `a`, so a path inside another requested path (or a
 * repeat) is dropped rather than reported.
 *
 * @throws ExpressionError for an empty list, a bad path or more than 4 KB; whatever
 *   `resolveName` or `checkProjection` throws.
 */
export function compileProjection(
  paths: readonly PathInput[],
  attrs: ExpressionAttributes,
  options: ProjectionOptions = {},
): string {
  if (!Array.isArray(paths) || paths.length === 0) {
    throw new ExpressionError('Projection needs at least one path');
  }
  const ctx = new ExpressionContext(attrs, options);
  const resolved = paths.map((p) => ctx.resolve(p));
  const kept: Path[] = [];
  for (const p of resolved) {
    const covered = resolved.some((q) => q.length < p.length && pathsOverlap(p, q)) ||
      kept.some((q) => q.length === p.length && pathsOverlap(p, q));
    if (!covered) kept.push(p);
  }
  for (const p of kept) options.checkProjection?.(p);
  return attrs.expression('ProjectionExpression', kept.map((p) => ctx.pathText(p)).join(', '));
}
