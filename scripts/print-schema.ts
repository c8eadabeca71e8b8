// Prints the Pothos schema (lexicographically sorted) to schema.graphql, or with --check fails
// when the committed file differs, so the contract in review is always the one that runs.
import { readFileSync, writeFileSync } from 'node:fs';
import { printSchema } from 'graphql';
import { schema } from '../src/schema/index.js';

const path = new URL('../schema.graphql', import.meta.url);
const printed = `${printSchema(schema)}\n`;
if (process.argv.includes('--check')) {
  const committed = (() => {
    try {
      return readFileSync(path, 'utf8');
    } catch {
      return '';
    }
  })();
  if (committed !== printed) {
    process.stderr.write('schema.graphql is stale: run `npm run schema` and commit the result\n');
    process.exit(1);
  }
} else {
  writeFileSync(path, printed);
}
