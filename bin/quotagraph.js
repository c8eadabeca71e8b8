#!/usr/bin/env node
// The `quotagraph` command. Runs the compiled build when there is one (the container image),
// else the TypeScript sources through tsx (a checkout, `npm start`).
import { existsSync } from 'node:fs';

const compiled = new URL('../dist/src/main.js', import.meta.url);
if (existsSync(compiled)) {
  await import(compiled.href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import(new URL('../src/main.ts', import.meta.url).href);
}
