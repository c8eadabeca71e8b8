import { initContextCache } from '@pothos/core';
import { createLoaders, type Loaders } from './loaders/index.js';
import type { ObjectStore } from './store/types.js';

/** What every resolver gets: the store port, this request's loaders, and where the identity objects live. */
export interface Context {
  store: ObjectStore;
  identityNamespace: string;
  loaders: Loaders;
  requestId: string;
}

export interface ContextDeps {
  store: ObjectStore;
  identityNamespace: string;
}

/** A fresh context (and so fresh loaders) per request: caches never leak between requests. */
export function createContext(deps: ContextDeps, requestId: string): Context {
  return {
    // Pothos keeps its per-request dataloader cache here; it must survive yoga copying the context.
    ...initContextCache(),
    store: deps.store,
    identityNamespace: deps.identityNamespace,
    loaders: createLoaders(deps.store, deps.identityNamespace),
    requestId,
  };
}
