/** Test helper for edges whose loaded state the types cannot know. */
import type { KnownLoaded } from '../../src/index.js';

/**
 * `edge` typed as loaded, so `get()` compiles: for edges loaded by `set()`, `add()`, an
 * earlier `load()` or an inverse edge, which the types do not track. Only a cast: `get()`
 * still throws EdgeNotLoadedError when the edge is not loaded.
 */
export function known<E extends { readonly isLoaded: boolean }>(edge: E): E & KnownLoaded {
  return edge as E & KnownLoaded;
}
