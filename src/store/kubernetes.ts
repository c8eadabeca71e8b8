/**
 * The Kubernetes adapter of the ObjectStore port: the gateway's objects as unikorn's custom
 * resources (identity.unikorn-cloud.org/v1alpha1) on a real API server.
 *
 * Every use of @kubernetes/client-node lives under src/store/kubernetes/, so upgrading the client
 * touches only that directory:
 *   config.ts    kubeconfig / context / in-cluster loading, and bare endpoints for tests
 *   request.ts   the per-call timeout (AbortSignal through the client's middleware)
 *   errors.ts    API errors → StoreError (pure)
 *   selector.ts  splitting selectors too long for a URL (pure)
 *   watch.ts     client-node's Watch as an async iterable (reconnects, bookmarks, bounded queue)
 *   objects.ts   server JSON ↔ StoredObject, merging chunked lists (pure)
 *   store.ts     the adapter itself
 */
import type { KubeConfig } from '@kubernetes/client-node';
import { type KubernetesEndpoint, kubeConfigForEndpoint, loadKubeConfig } from './kubernetes/config.js';
import { KubernetesObjectStore } from './kubernetes/store.js';
import { type ObjectStore, StoreError } from './types.js';

export type { KubernetesEndpoint } from './kubernetes/config.js';

export interface KubernetesStoreOptions {
  /** Path of a kubeconfig; default: KUBECONFIG, then ~/.kube/config, then the in-cluster service account. */
  kubeconfig?: string;
  /** Context of the kubeconfig to use (--kube-context) instead of its current-context. */
  context?: string;
  /** Limit for every call except the long-lived watch streams (which must connect within it); default 10000. */
  requestTimeoutMs?: number;
}

const DEFAULT_REQUEST_TIMEOUT_MS = 10_000;

/**
 * Opens the store on the cluster the kubeconfig names. Throws StoreError('Unavailable') with one
 * line when no configuration is found, the context is unknown or the file is unreadable; it does
 * not contact the server (use ping() for that).
 */
export function openKubernetesStore(options: KubernetesStoreOptions = {}): ObjectStore {
  const timeoutMs = requestTimeout(options.requestTimeoutMs);
  return new KubernetesObjectStore(loadKubeConfig(options), timeoutMs);
}

/** The store on an already loaded KubeConfig, or on a bare endpoint (`{ server: 'http://127.0.0.1:PORT' }` in tests). */
export function kubernetesStoreFromConfig(
  config: KubeConfig | KubernetesEndpoint,
  options: Pick<KubernetesStoreOptions, 'requestTimeoutMs'> = {},
): ObjectStore {
  const timeoutMs = requestTimeout(options.requestTimeoutMs);
  const kubeConfig = 'server' in config ? kubeConfigForEndpoint(config) : config;
  return new KubernetesObjectStore(kubeConfig, timeoutMs);
}

function requestTimeout(value: number | undefined): number {
  if (value === undefined) return DEFAULT_REQUEST_TIMEOUT_MS;
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new StoreError(
      'Invalid',
      `kubernetes store option requestTimeoutMs must be a positive integer, got ${value}`,
    );
  }
  return value;
}
