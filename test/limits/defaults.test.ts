/**
 * The defaults must admit every documented query: the README's examples, GraphiQL's opening
 * query and the report pages the README promises. The test names carry each query's measures, so
 * `vitest run test/limits --reporter verbose` shows how much room the defaults leave.
 */
import { readFileSync } from 'node:fs';
import { getIntrospectionQuery } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_QUERY } from '../../src/graphiql.js';
import { DEFAULT_LIMITS, type Measures, measureQuery } from '../../src/limits/index.js';
import { schema } from '../../src/schema/index.js';
import { type LimitsHarness, limitsHarness } from './support.js';

const README = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
const examples = [...README.matchAll(/```graphql\n([\s\S]*?)```/g)].map((match) => match[1]!);

const REPORT = `query Report($first: Int) {
  organizations(first: $first) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node { id name quota { isDefault items { kind { name displayName } quantity isDefault committed reserved used free utilization } problems { code kind message } } } }
  }
}`;

const documented: [string, string, Record<string, unknown> | undefined][] = [
  ...examples.map((query, i): [string, string, undefined] => [
    `README example ${i + 1}: ${query.replace(/\s+/g, ' ').trim().slice(0, 48)}…`,
    query,
    undefined,
  ]),
  ['GraphiQL opening query', DEFAULT_QUERY, undefined],
  ['report page of 50 organizations with quota items', REPORT, { first: 50 }],
  ['report page of 100 organizations with quota items', REPORT, { first: 100 }],
  [
    "GraphiQL's schema query",
    getIntrospectionQuery({ descriptions: true, inputValueDeprecation: true, oneOf: true, schemaDescription: true }),
    undefined,
  ],
];

const describeMeasures = (m: Measures) =>
  `cost ${m.cost}, depth ${m.depth}, ${m.aliases} aliases, ${m.tokens} tokens, ${m.bodyBytes} bytes`;

const LIMIT_OF: Record<keyof Measures, number> = {
  tokens: DEFAULT_LIMITS.maxTokens,
  depth: DEFAULT_LIMITS.maxDepth,
  aliases: DEFAULT_LIMITS.maxAliases,
  cost: DEFAULT_LIMITS.maxCost,
  bodyBytes: DEFAULT_LIMITS.maxBodyBytes,
};

let h: LimitsHarness;
beforeAll(async () => {
  h = await limitsHarness();
});
afterAll(() => h.cleanup());

describe('DEFAULT_LIMITS admit every documented query', () => {
  it('the README has GraphQL examples to check', () => {
    expect(examples.length).toBeGreaterThanOrEqual(4);
  });

  describe.each(
    documented.map(([name, query, variables]) => ({
      name,
      query,
      variables,
      measures: measureQuery(schema, query, variables),
    })),
  )('$name', ({ name, query, variables, measures }) => {
    it(`${describeMeasures(measures)}: within every default`, () => {
      for (const [measure, value] of Object.entries(measures) as [keyof Measures, number | undefined][]) {
        expect(value, `${name}: ${measure}`).toBeDefined();
        expect(value, `${name}: ${measure}`).toBeLessThanOrEqual(LIMIT_OF[measure]);
      }
    });

    it('is not refused by the limit plugins', async () => {
      const answer = await h.query(query, variables);
      const refusals = (answer.body.errors ?? []).filter((e) =>
        ['LIMIT_EXCEEDED', 'CSRF_PREVENTED'].includes(String(e.extensions?.code)),
      );
      expect(refusals).toEqual([]);
      expect(answer.status).not.toBe(413);
    });
  });
});
