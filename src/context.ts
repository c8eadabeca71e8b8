import { initContextCache } from '@pothos/core';
import type { Principal } from './auth/principal.js';
import type { Admission } from './domain/admission.js';
import type { AllocationWrites } from './domain/allocationWrites.js';
import { createLoaders, type Loaders } from './loaders/index.js';
import type { ObjectStore } from './store/types.js';

/** What every resolver gets: the store port, this request's loaders, and where the identity objects live. */
export interface Context {
  store: ObjectStore;
  /** Shared by every request of the process: its per-organization queues must be. */
  admission: Admission;
  allocationWrites: AllocationWrites;
  identityNamespace: string;
  loaders: Loaders;
  requestId: string;
  /** Who is asking; authenticated before GraphQL runs. */
  principal: Principal;
}

export interface ContextDeps {
  store: ObjectStore;
  admission: Admission;
  allocationWrites: AllocationWrites;
  identityNamespace: string;
}

/** A fresh context (and so fresh loaders) per request: caches never leak between requests. */
export function createContext(deps: ContextDeps, requestId: string, principal: Principal): Context {
  return {
    // Pothos keeps its per-request dataloader cache here; it must survive yoga copying the context.
    ...initContextCache(),
    store: deps.store,
    admission: deps.admission,
    allocationWrites: deps.allocationWrites,
    identityNamespace: deps.identityNamespace,
    loaders: createLoaders(deps.store, deps.identityNamespace),
    requestId,
    principal,
  };
}
