import { type Authenticate, authenticateAsLocal } from './auth/plugin.js';
import { createJwtAuthenticator, KeyFileError } from './auth/tokens.js';
import { type Config, ConfigError, parseConfig, USAGE } from './config.js';
import { type AllocationWrites, protocolWrites } from './domain/allocationWrites.js';
import { createLogger, describeError, type Logger } from './log.js';
import { DEMO_DIR, loadManifests, ManifestErrors } from './manifests.js';
import { openStore } from './store/open.js';
import { type ObjectStore, StoreError } from './store/types.js';

async function seed(store: ObjectStore, config: Extract<Config, { command: 'serve' }>, log: Logger) {
  if (config.seed.type === 'none') return;
  const [orgs, kinds] = await Promise.all([store.list('Organization'), store.list('QuotaMetadata')]);
  if (orgs.items.length > 0 || kinds.items.length > 0) return; // Seeds fill an empty store only.
  const paths = config.seed.type === 'demo' ? [DEMO_DIR] : config.seed.paths;
  const outcomes = await store.apply(await loadManifests(paths, { defaultNamespace: config.namespace }));
  log.info('seeded an empty store', { paths, objects: outcomes.length });
}

async function serve(config: Extract<Config, { command: 'serve' }>) {
  const log = createLogger();
  const store = await openStore(config.store);
  await seed(store, config, log);
  // Loaded only to serve: building the schema is the slow part of starting, and a bad
  // configuration should be reported at once.
  const [{ startServer }, { Admission }, { startJanitor }] = await Promise.all([
    import('./server.js'),
    import('./domain/admission.js'),
    import('./domain/janitor.js'),
  ]);
  // One per process: its per-organization queue is what keeps this process's decisions in line.
  const admission = new Admission(store, config.namespace);
  const allocationWrites = await chooseAllocationWrites(config, log);
  const authenticate = await chooseAuthentication(config);
  const server = await startServer({
    store,
    identityNamespace: config.namespace,
    log,
    host: config.host,
    port: config.port,
    admission,
    allocationWrites,
    authenticate,
    limits: config.limits,
  });
  if (config.auth.type === 'none') {
    log.warn(
      'AUTHENTICATION IS OFF (--auth none): every request acts as the platform admin "local". Listening on ' +
        'loopback only; use --auth jwt for anything shared.',
      { auth: 'none' },
    );
  }
  const janitor = startJanitor(admission, {
    ttlMs: config.pendingTtlSeconds * 1000,
    intervalMs: config.janitorIntervalSeconds * 1000,
    log,
  });

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info('shutting down', { signal });
    await janitor.stop();
    await server.close();
    await store.close();
    log.info('stopped');
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
  // Announced only once a signal would be handled: whoever waits for this line may stop us at once.
  log.info(`quotagraph listening on ${server.url}/graphql`, {
    store: config.store.type,
    namespace: config.namespace,
    admission: allocationWrites.name,
    auth: config.auth.type,
  });
}

/** Bearer tokens, or (loopback only, checked by the config) everyone is the local platform admin. */
async function chooseAuthentication(config: Extract<Config, { command: 'serve' }>): Promise<Authenticate> {
  if (config.auth.type === 'none') return authenticateAsLocal;
  const authenticator = await createJwtAuthenticator(config.auth);
  return (authorization) => authenticator.authenticate(authorization);
}

/** The protocol, unless the operator asked for the unsafe benchmark baseline (said loudly). */
async function chooseAllocationWrites(
  config: Extract<Config, { command: 'serve' }>,
  log: Logger,
): Promise<AllocationWrites> {
  if (config.admission === 'protocol') return protocolWrites;
  log.warn(
    'ADMISSION IS NAIVE (--admission naive): allocation writes use the original unsafe check-then-write and ' +
      'CAN EXCEED QUOTAS under concurrency. For benchmarking only; never run this in production.',
    { admission: 'naive' },
  );
  return (await import('./domain/naiveAllocations.js')).naiveWrites;
}

async function apply(config: Extract<Config, { command: 'apply' }>) {
  const objects = await loadManifests(config.files, { defaultNamespace: config.namespace });
  const store = await openStore(config.store);
  try {
    for (const outcome of await store.apply(objects)) {
      process.stdout.write(`${outcome.kind.toLowerCase()}/${outcome.name} (${outcome.namespace}) ${outcome.action}\n`);
    }
  } finally {
    await store.close();
  }
}

async function main(argv: string[]) {
  const config = parseConfig(argv, process.env);
  if (config.command === 'help') return void process.stdout.write(USAGE);
  if (config.command === 'serve') return serve(config);
  return apply(config);
}

main(process.argv.slice(2)).catch((error: unknown) => {
  // Configuration, manifest and store problems are the operator's to fix: one clear line, no stack.
  if (
    error instanceof ConfigError ||
    error instanceof ManifestErrors ||
    error instanceof StoreError ||
    error instanceof KeyFileError
  ) {
    process.stderr.write(`quotagraph: ${error.message}\n`);
    process.exit(error instanceof ConfigError ? 2 : 1);
  }
  if (error instanceof Error && 'code' in error && (error.code === 'EADDRINUSE' || error.code === 'EACCES')) {
    process.stderr.write(`quotagraph: cannot listen: ${error.message}\n`);
    process.exit(1);
  }
  process.stderr.write(`quotagraph: unexpected failure\n${JSON.stringify(describeError(error))}\n`);
  process.exit(1);
});
