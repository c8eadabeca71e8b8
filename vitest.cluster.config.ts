import { defineConfig, mergeConfig } from 'vitest/config';
import base from './vitest.config.js';

// `npm run test:cluster`: only the real-cluster suite, one file at a time.
const config = mergeConfig(
  base,
  defineConfig({
    test: { fileParallelism: false, testTimeout: 60_000, hookTimeout: 120_000 },
  }),
);
// mergeConfig concatenates arrays; this suite must replace the default include, not add to it.
config.test!.include = ['test/cluster/**/*.cluster.ts'];
config.test!.reporters = ['default'];
export default config;
