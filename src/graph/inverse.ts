/**
 * Priming a target's inverse to-one edge after a load (a reply loaded through its thread
 * knows its thread without a request). A symbol, not a class check, so the loaders need not
 * import the edge classes (which import the loaders).
 */

/** Implemented by to-one edges: take `owner` as the loaded value unless already loaded. */
export const PRIME_INVERSE: unique symbol = Symbol('dynagraph.primeInverse');

/** An edge that can be primed with its owner. */
export interface InversePrimable {
  [PRIME_INVERSE](owner: unknown): void;
}

/** Primes the edge `name` of `target` with `owner`, when that edge is a to-one edge. */
export function primeInverse(target: object, name: string, owner: unknown): void {
  const edge = (target as Record<string, unknown>)[name] as Partial<InversePrimable> | undefined;
  if (edge && typeof edge[PRIME_INVERSE] === 'function') edge[PRIME_INVERSE](owner);
}
