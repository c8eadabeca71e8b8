/**
 * maxCost (5000): computed from the operation that will run, with its variables, just before it
 * executes. A refused query runs no resolver, so the store sees no call at all.
 */
import { parse } from 'graphql';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { queryCost } from '../../src/limits/index.js';
import { schema } from '../../src/schema/index.js';
import { type Answer, type LimitsHarness, limitsHarness, onlyError } from './support.js';

let h: LimitsHarness;
beforeAll(async () => {
  h = await limitsHarness();
});
afterAll(() => h.cleanup());
beforeEach(() => h.store.calls.clear());

const cost = (query: string, variables?: Record<string, unknown>, operationName?: string) =>
  queryCost(schema, parse(query), operationName, variables);

function expectAnswered(answer: Answer) {
  expect(answer.body.errors, JSON.stringify(answer.body.errors)).toBeUndefined();
  expect(answer.status).toBe(200);
  expect(h.store.total(), 'an answered query reads the store').toBeGreaterThan(0);
}

function expectTooCostly(answer: Answer, actual: number) {
  expect(answer.status).toBe(400);
  expect(answer.body.data).toBeUndefined();
  const error = onlyError(answer);
  expect(error.message).toBe(`Query cost ${actual} exceeds the limit of 5000 (QUOTAGRAPH_MAX_COST).`);
  expect(error.extensions).toEqual({ code: 'LIMIT_EXCEEDED', limit: 'maxCost', max: 5000, actual });
  expect(h.store.total(), 'store calls of a refused query').toBe(0);
}

// organizations(first: 100) → 1 + 100 × edges; edges → 1 + node; node → 1 + allocations;
// allocations(first: n) { totalCount } → 1 + n. So 1 + 100 × (3 + n): 5001 for n = 47.
const JUST_OVER = '{ organizations(first: 100) { edges { node { allocations(first: 47) { totalCount } } } } }';
// 1 + 99 × 50 = 4951, plus 1 + 16 × (edges 1 + node 1 + id 1) = 49, and __typename costs nothing: 5000.
const AT_LIMIT = `{
  __typename
  organizations(first: 99) { edges { node { __typename allocations(first: 47) { __typename totalCount } } } }
  more: organizations(first: 16) { edges { node { id } } }
}`;

describe('maxCost (5000)', () => {
  it('answers a query costing exactly 5000', async () => {
    expect(cost(AT_LIMIT)).toBe(5000);
    expectAnswered(await h.query(AT_LIMIT));
  });

  it('refuses a query costing 5001, before any store call', async () => {
    expect(cost(JUST_OVER)).toBe(5001);
    expectTooCostly(await h.query(JUST_OVER), 5001);
  });

  it('refuses a cost bomb: connections of 100 nested three deep', async () => {
    const bomb = `{ organizations(first: 100) { edges { node { allocations(first: 100) { edges { node {
      project { allocations(first: 100) { totalCount } } } } } } } } }`;
    // allocations(100) { totalCount } = 101; project 102; node 103; edges 104;
    // allocations(100) = 1 + 100 × 104 = 10401; node 10402; edges 10403; organizations 1 + 100 × 10403.
    expectTooCostly(await h.query(bomb), 1_040_301);
  });

  it('uses the variables: first: $n', async () => {
    const query =
      'query($n: Int) { organizations(first: 100) { edges { node { allocations(first: $n) { totalCount } } } } }';
    expectTooCostly(await h.query(query, { n: 47 }), 5001);
    expectAnswered(await h.query(query, { n: 46 })); // 4901
    h.store.calls.clear();
    expectAnswered(await h.query(query)); // omitted: the default page size, 20 → 2301
    expect(cost(query)).toBe(2301);
  });

  it("uses a variable's default value", async () => {
    const query =
      'query($n: Int = 47) { organizations(first: 100) { edges { node { allocations(first: $n) { totalCount } } } } }';
    expectTooCostly(await h.query(query), 5001);
  });

  it('follows named and inline fragments', async () => {
    const named = `
      query { organizations(first: 100) { ...Page } }
      fragment Page on OrganizationConnection { edges { node { ...Allocations } } }
      fragment Allocations on Organization { allocations(first: 47) { totalCount } }`;
    expectTooCostly(await h.query(named), 5001);
    const inline =
      '{ organizations(first: 100) { edges { ... { node { ... on Organization { allocations(first: 47) { totalCount } } } } } } }';
    expectTooCostly(await h.query(inline), 5001);
  });

  it('costs only the selected operation', async () => {
    const document = `query Cheap { quotaKinds { name } } query Costly ${JUST_OVER}`;
    expect(cost(document, undefined, 'Cheap')).toBe(2);
    expectAnswered(await h.query(document, undefined, 'Cheap'));
    h.store.calls.clear();
    expectTooCostly(await h.query(document, undefined, 'Costly'), 5001);
  });

  it('counts unpaginated lists once', () => {
    // quotaKinds (1) { name (1) }, projects (1) { id (1) usage (1) { used (1) } } under organization (1)
    expect(cost('{ quotaKinds { name } organization(id: "acme") { projects { id usage { used } } } }')).toBe(7);
  });

  it('refuses first over 100 before the connection reads the store (BAD_USER_INPUT)', async () => {
    for (const answer of [
      await h.query('{ organizations(first: 101) { totalCount } }'),
      await h.query('query($n: Int) { organizations(first: $n) { totalCount } }', { n: 101 }),
      await h.query('{ organization(id: "acme") { allocations(first: 1000) { totalCount } } }'),
      await h.query('{ organizations(first: -1) { totalCount } }'),
    ]) {
      expect(answer.status).toBe(400);
      const error = onlyError(answer);
      expect(error.message).toMatch(/^first must be between 0 and 100, got -?\d+$/);
      expect(error.extensions).toEqual({ code: 'BAD_USER_INPUT' });
    }
    expect(h.store.total()).toBe(0);
  });
});
