/**
 * Depth, aliases, tokens and field suggestions: refused while the document is parsed or validated,
 * so a refused query never reaches a resolver or the store.
 */
import { getIntrospectionQuery } from 'graphql';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { countTokens, DEFAULT_LIMITS } from '../../src/limits/index.js';
import { type Answer, type LimitsHarness, limitsHarness, onlyError } from './support.js';

let h: LimitsHarness;
beforeAll(async () => {
  h = await limitsHarness();
});
afterAll(() => h.cleanup());
beforeEach(() => h.store.calls.clear());

function expectAnswered(answer: Answer) {
  expect(answer.body.errors, JSON.stringify(answer.body.errors)).toBeUndefined();
  expect(answer.status).toBe(200);
  expect(answer.body.data).toBeTruthy();
}

function expectRefused(answer: Answer, message: string, extensions: Record<string, unknown>) {
  expect(answer.status).toBe(400);
  expect(answer.body.data).toBeUndefined();
  const error = onlyError(answer);
  expect(error.message).toBe(message);
  expect(error.extensions).toEqual({ code: 'LIMIT_EXCEEDED', ...extensions });
  expect(h.store.total(), 'store calls of a refused request').toBe(0);
}

/**
 * `organizations(first: 2) { edges { node { projects { organization { projects { … id } } } } } }`:
 * `depth` fields deep (organizations is 1, edges 2, node 3, then projects and organization alternate).
 */
function nested(depth: number): string {
  let inner = 'id';
  for (let level = depth - 1; level >= 4; level--)
    inner = `${level % 2 === 0 ? 'projects' : 'organization'} { ${inner} }`;
  return `{ organizations(first: 2) { edges { node { ${inner} } } } }`;
}

describe('maxDepth (10)', () => {
  it('answers a query 10 fields deep', async () => {
    expect(nested(10)).toBe(
      '{ organizations(first: 2) { edges { node { projects { organization { projects { organization { projects { organization { id } } } } } } } } } }',
    );
    expectAnswered(await h.query(nested(10)));
  });

  it('refuses a query 14 fields deep, before any store call', async () => {
    expectRefused(await h.query(nested(14)), 'Query depth 14 exceeds the limit of 10 (QUOTAGRAPH_MAX_DEPTH).', {
      limit: 'maxDepth',
      max: 10,
      actual: 14,
    });
  });

  it('refuses one level too many (11)', async () => {
    expect(onlyError(await h.query(nested(11))).extensions?.actual).toBe(11);
    expect(h.store.total()).toBe(0);
  });

  it('follows named and inline fragments', async () => {
    const query = `
      query { organizations { edges { node { ...Deep } } } }
      fragment Deep on Organization { projects { ... on Project { organization { ...Deeper } } } }
      fragment Deeper on Organization { projects { organization { projects { organization { projects { id } } } } } }
    `;
    expectRefused(await h.query(query), 'Query depth 11 exceeds the limit of 10 (QUOTAGRAPH_MAX_DEPTH).', {
      limit: 'maxDepth',
      max: 10,
      actual: 11,
    });
  });

  it('counts introspection: a deep __type query is refused', async () => {
    const query =
      '{ __type(name: "Organization") { fields { type { fields { type { fields { type { fields { type { fields { name } } } } } } } } } } }';
    const answer = await h.query(query);
    expect(answer.status).toBe(400);
    // graphql's own MaxIntrospectionDepthRule (3 nested `fields`) refuses it as well.
    expect(answer.body.errors?.map((e) => e.message)).toEqual([
      'Query depth 11 exceeds the limit of 10 (QUOTAGRAPH_MAX_DEPTH).',
      'Maximum introspection depth exceeded',
    ]);
    expect(answer.body.errors?.[0]?.extensions).toEqual({
      code: 'LIMIT_EXCEEDED',
      limit: 'maxDepth',
      max: 10,
      actual: 11,
    });
    expect(h.store.total()).toBe(0);
  });

  it("answers GraphiQL's schema query (its 9 nested ofType do not count)", async () => {
    const query = getIntrospectionQuery({
      descriptions: true,
      specifiedByUrl: true,
      directiveIsRepeatable: true,
      schemaDescription: true,
      inputValueDeprecation: true,
      oneOf: true,
    });
    expectAnswered(await h.query(query));
  });
});

describe('maxAliases (30)', () => {
  const aliased = (count: number) =>
    `{ ${Array.from({ length: count }, (_, i) => `k${i}: quotaKinds { name }`).join(' ')} }`;

  it('answers 30 aliased fields', async () => {
    const answer = await h.query(aliased(30));
    expectAnswered(answer);
    expect(Object.keys(answer.body.data!)).toHaveLength(30);
  });

  it('refuses 31 aliased quotaKinds, before any store call', async () => {
    expectRefused(
      await h.query(aliased(31)),
      'Query alias count 31 exceeds the limit of 30 (QUOTAGRAPH_MAX_ALIASES).',
      {
        limit: 'maxAliases',
        max: 30,
        actual: 31,
      },
    );
  });

  it('counts the aliases of the whole document, fragments and other operations included', async () => {
    const query = `
      query A { ...Kinds }
      query B { ${Array.from({ length: 16 }, (_, i) => `b${i}: __typename`).join(' ')} }
      fragment Kinds on Query { ${Array.from({ length: 16 }, (_, i) => `a${i}: quotaKinds { name }`).join(' ')} }
    `;
    const answer = await h.query(query, undefined, 'A');
    expect(onlyError(answer).extensions).toEqual({ code: 'LIMIT_EXCEEDED', limit: 'maxAliases', max: 30, actual: 32 });
    expect(h.store.total()).toBe(0);
  });
});

describe('maxTokens (2000)', () => {
  /**
   * Exactly `count` tokens (`count` = 10 + 5k): `query Main { quotaKinds { name displayName
   * description } }` (10 tokens) and k operations `query Qi { __typename }` (5 each). Other
   * operations are validated but not run. (Padding with one field repeated would not do: graphql
   * aborts validating a couple of thousand identical fields, whatever the token limit.)
   */
  const document = (count: number) => {
    const others = Array.from({ length: (count - 10) / 5 }, (_, i) => `query Q${i} { __typename }`).join('\n');
    return `query Main { quotaKinds { name displayName description } }\n${others}`;
  };

  it('answers a document of exactly 2000 tokens', async () => {
    expect(countTokens(document(2000))).toBe(2000);
    expectAnswered(await h.query(document(2000), undefined, 'Main'));
  });

  it('refuses 2001 tokens at parse time, before any store call', async () => {
    const query = document(2000).replace('description }', 'description __typename }');
    expectRefused(
      await h.query(query, undefined, 'Main'),
      'Query token count 2001 exceeds the limit of 2000 (QUOTAGRAPH_MAX_TOKENS).',
      { limit: 'maxTokens', max: 2000, actual: 2001 },
    );
  });

  it('refuses a huge document without building it (20,002 tokens)', async () => {
    expectRefused(
      await h.query(`{ ${'a '.repeat(20_000)}}`),
      'Query token count 20002 exceeds the limit of 2000 (QUOTAGRAPH_MAX_TOKENS).',
      { limit: 'maxTokens', max: 2000, actual: 20_002 },
    );
  });

  it('leaves ordinary syntax errors alone', async () => {
    const answer = await h.query('{ organization(id: "acme") { name }');
    expect(answer.status).toBe(400);
    expect(onlyError(answer).message).toBe('Syntax Error: Expected Name, found <EOF>.');
  });
});

describe('field suggestions are hidden', () => {
  const refusedWithout = async (query: string, message: string, variables?: Record<string, unknown>) => {
    const answer = await h.query(query, variables);
    expect(onlyError(answer).message).toBe(message);
    expect(JSON.stringify(answer.body)).not.toMatch(/did you mean/i);
    expect(h.store.total()).toBe(0);
  };

  it('for a misspelt field', () =>
    refusedWithout('{ organization(id: "acme") { nmae } }', 'Cannot query field "nmae" on type "Organization".'));

  it('for a misspelt argument', () =>
    refusedWithout(
      '{ organization(id: "acme", idd: "acme") { name } }',
      'Unknown argument "idd" on field "Query.organization".',
    ));

  it('for a misspelt type', () =>
    refusedWithout('{ organization(id: "acme") { ... on Organisation { name } } }', 'Unknown type "Organisation".'));

  it("for a misspelt input field in a variable's value", () =>
    refusedWithout(
      'mutation($input: SetQuotaInput!) { setQuota(input: $input) { __typename } }',
      'Variable "$input" got invalid value { organizationId: "acme", quotas: [], quota: [] }; Field "quota" is not defined by type "SetQuotaInput".',
      { input: { organizationId: 'acme', quotas: [], quota: [] } },
    ));

  it('sanity: DEFAULT_LIMITS are the documented ones', () => {
    expect(DEFAULT_LIMITS).toEqual({
      maxDepth: 10,
      maxAliases: 30,
      maxTokens: 2000,
      maxCost: 5000,
      maxBodyBytes: 65536,
    });
  });
});
