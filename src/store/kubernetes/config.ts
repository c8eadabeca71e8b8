/**
 * Where the adapter finds its API server: a kubeconfig (file, KUBECONFIG, ~/.kube/config or the
 * in-cluster service account, as kubectl does) or, for tests, a bare endpoint. Every problem is a
 * StoreError('Unavailable') with one line that says what to fix, raised when the store is opened
 * rather than on the first request.
 */
import { KubeConfig } from '@kubernetes/client-node';
import { StoreError } from '../types.js';

/** A server to talk to without any kubeconfig file (tests, or a sidecar proxy). */
export interface KubernetesEndpoint {
  /** e.g. `https://10.0.0.1:6443` or `http://127.0.0.1:8001`. */
  server: string;
  /** Bearer token. */
  token?: string;
  /** PEM CA bundle (base64), as `certificate-authority-data`. */
  caData?: string;
  /** Defaults to true for `http://` servers (client-node refuses plain http without it), else false. */
  skipTLSVerify?: boolean;
}

export interface KubeConfigSource {
  /** Path of a kubeconfig file; default: KUBECONFIG, then ~/.kube/config, then in-cluster. */
  kubeconfig?: string;
  /** A context of that kubeconfig instead of its current-context. */
  context?: string;
}

/** Loads and checks a kubeconfig the way kubectl finds one. */
export function loadKubeConfig(source: KubeConfigSource = {}): KubeConfig {
  const kubeConfig = new KubeConfig();
  const origin = describeOrigin(source.kubeconfig);
  try {
    if (source.kubeconfig !== undefined) {
      kubeConfig.loadFromFile(source.kubeconfig);
    } else {
      kubeConfig.loadFromDefault();
    }
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new StoreError('Unavailable', `cannot load the kubeconfig from ${origin}: ${reason}`, { cause: error });
  }
  // With nothing to load, client-node silently falls back to an unauthenticated localhost:8080.
  if (source.kubeconfig === undefined && isClientFallback(kubeConfig)) {
    throw new StoreError(
      'Unavailable',
      'no Kubernetes configuration found: KUBECONFIG is unset, ~/.kube/config does not exist and this is not a pod with a service account',
    );
  }
  const known = kubeConfig.getContexts().map((context) => context.name);
  const knownText = known.length > 0 ? `known contexts: ${known.join(', ')}` : 'it defines no contexts';
  if (source.context !== undefined) {
    if (!known.includes(source.context)) {
      throw new StoreError('Unavailable', `kube context "${source.context}" is not in ${origin} (${knownText})`);
    }
    kubeConfig.setCurrentContext(source.context);
  }
  if (kubeConfig.getCurrentCluster() === null) {
    throw new StoreError(
      'Unavailable',
      `${origin} has no usable current context "${kubeConfig.getCurrentContext() ?? ''}": set current-context or pass --kube-context (${knownText})`,
    );
  }
  checkPlainHttp(kubeConfig);
  return kubeConfig;
}

/** A kubeconfig with one cluster, one user and one context for `endpoint`. */
export function kubeConfigForEndpoint(endpoint: KubernetesEndpoint): KubeConfig {
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromClusterAndUser(
    {
      name: 'quotagraph',
      server: endpoint.server.replace(/\/+$/, ''),
      caData: endpoint.caData,
      skipTLSVerify: endpoint.skipTLSVerify ?? endpoint.server.startsWith('http:'),
    },
    { name: 'quotagraph', token: endpoint.token },
  );
  checkPlainHttp(kubeConfig);
  return kubeConfig;
}

/** client-node refuses every request to an http:// server without skipTLSVerify; say so up front. */
function checkPlainHttp(kubeConfig: KubeConfig): void {
  const cluster = kubeConfig.getCurrentCluster();
  if (cluster?.server.startsWith('http:') && !cluster.skipTLSVerify) {
    throw new StoreError(
      'Unavailable',
      `cluster "${cluster.name}" uses plain http (${cluster.server}); the Kubernetes client only allows that with insecure-skip-tls-verify: true`,
    );
  }
}

/** True for what KubeConfig.loadFromDefault() produces when it found nothing at all. */
function isClientFallback(kubeConfig: KubeConfig): boolean {
  const cluster = kubeConfig.getCurrentCluster();
  return (
    kubeConfig.getCurrentContext() === 'loaded-context' &&
    cluster?.name === 'cluster' &&
    cluster.server === 'http://localhost:8080'
  );
}

function describeOrigin(path: string | undefined): string {
  if (path !== undefined) return `"${path}"`;
  if (process.env.KUBECONFIG) return `KUBECONFIG "${process.env.KUBECONFIG}"`;
  return 'the default kubeconfig (~/.kube/config or the in-cluster service account)';
}
