/**
 * Property-based fuzz of every mutation (fast-check). Each mutation has one fixed document, e.g.
 * `mutation($input: CreateAllocationInput!) { createAllocation(input: $input) { __typename ... on Error { message } } }`,
 * and only its variables are random: valid values, near-valid ones (existing IDs with one character
 * changed, another organization's IDs, upper case, whitespace, 64–10,000 characters, unicode,
 * control characters, empty strings), wrong JSON types for every field, odd Quantity strings, null
 * and missing required fields, unknown extra fields, duplicate kinds, empty lists and lists of
 * 1000 entries. They go through the gateway (yoga.fetch) over a real SQLite store seeded with a
 * small world of two organizations.
 *
 * Per request:
 * - the HTTP status is 200 or 400 (413 only when the body really is over maxBodyBytes), never 5xx,
 *   and the body is JSON with `data` or `errors`;
 * - no error is masked ('Unexpected error.', INTERNAL_SERVER_ERROR), and every extensions.code is
 *   one of ALLOWED_CODES, and a variable that cannot be coerced is a 400 with BAD_USER_INPUT
 *   (see COERCION_FAILURE);
 * - a request answered with errors and no result, or with a typed error (`…Error`), wrote nothing:
 *   every stored object of every kind has the identity and resourceVersion it had before
 * - a success stored what it says, and no request leaves an allocation marked pending.
 *
 * The mutation list comes from the schema itself, and every input type's fields must be covered
 * by the arbitraries, so a new mutation or input field cannot be skipped.
 *
 * MUTATION_FUZZ_RUNS sets the runs per mutation (default RUNS below); FC_SEED replays a seed.
 */
import fc from 'fast-check';
import { type GraphQLInputType, getNamedType, isInputObjectType } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createJwtAuthenticator } from '../../src/auth/tokens.js';
import {
  ADMISSION_PENDING,
  LABEL_ADMISSION,
  LABEL_ORGANIZATION,
  LABEL_PROJECT,
  LABEL_RESOURCE_ID,
  LABEL_RESOURCE_KIND,
} from '../../src/domain/labels.js';
import { DEFAULT_LIMITS } from '../../src/limits/index.js';
import { schema } from '../../src/schema/index.js';
import type { StoredObject } from '../../src/store/types.js';
import { createTestGateway, type TestGateway, type TestGatewayOptions } from '../support/gateway.js';
import { allocation, organization, project, projectNamespace, quota, quotaMetadata } from '../support/objects.js';
import { propertyRuns, propertySeed } from '../support/propertyRuns.js';
import { storeFactories, type TestStore } from '../support/stores.js';
import { createKeyDir, defaultTestKey, type KeyDir, testTokenSettings, tokenFor } from '../support/tokens.js';

/** Runs per mutation; 200 keeps the file around 15–20 s (each test logs its runs, time and outcomes). */
const RUNS = propertyRuns('MUTATION_FUZZ_RUNS', 200);
const SEED = propertySeed();
/** The no-roles property covers all mutations together, with fewer runs: it never writes. */
const FORBIDDEN_RUNS = Math.max(10, Math.ceil(RUNS / 2));

// ---------------------------------------------------------------------------------------------
// The world: two organizations, three projects, a catalogue of three kinds, one stored Quota with
// a ring-fence (globex has none: it follows the defaults), three allocations.

const ORGS = ['acme', 'globex'] as const;
const PROJECTS = { acme: ['web', 'ml'], globex: ['ops'] } as const;
const KINDS = ['gpus', 'servers', 'storage'] as const;
const ALLOCATIONS = [
  { org: 'acme', project: 'web', id: 'alloc-web' },
  { org: 'acme', project: 'ml', id: 'alloc-ml' },
  { org: 'globex', project: 'ops', id: 'alloc-ops' },
] as const;

const acmeQuota = quota('acme', { servers: 20, gpus: 8, storage: '1Ti' });
const WORLD: StoredObject[] = [
  quotaMetadata('servers', 10),
  quotaMetadata('gpus', 0),
  quotaMetadata('storage', '100Gi'),
  organization('acme'),
  organization('globex'),
  project('acme', 'web'),
  project('acme', 'ml'),
  project('globex', 'ops'),
  {
    ...acmeQuota,
    spec: { ...acmeQuota.spec, projects: [{ project: 'ml', quotas: [{ kind: 'gpus', guaranteed: 4 }] }] },
  },
  allocation('acme', 'web', 'alloc-web', { servers: { committed: 2, reserved: 1 } }),
  allocation('acme', 'ml', 'alloc-ml', { gpus: { committed: 2, reserved: 0 } }),
  allocation('globex', 'ops', 'alloc-ops', { servers: { committed: 1, reserved: 0 } }),
];

const STORED_KINDS = ['Organization', 'Project', 'QuotaMetadata', 'Quota', 'Allocation'] as const;

// ---------------------------------------------------------------------------------------------
// What a response may contain.

/** extensions.code values a mutation may answer with, whatever its variables. */
const ALLOWED_CODES = new Set(['BAD_USER_INPUT', 'GRAPHQL_VALIDATION_FAILED', 'FORBIDDEN']);

/**
 * A variable that cannot be coerced to its input type (a missing or null required field, an
 * unknown field, a list or object where a scalar belongs, a number for a String, a bad Quantity):
 * HTTP 400, no `data`, and errors from graphql-js's coerceVariableValues whose message starts
 * `Variable "$input"`, with no `path`. graphql-js gives most of them no code; the gateway's error
 * masking adds BAD_USER_INPUT (DESIGN §7), so every one must carry it.
 */
const COERCION_FAILURE = { status: 400, codes: ['BAD_USER_INPUT'], messagePrefix: 'Variable "$input"' };

interface GraphQLErrorBody {
  message?: unknown;
  path?: unknown;
  extensions?: { code?: unknown };
}
interface Body {
  data?: Record<string, { __typename?: string; message?: string } | null> | null;
  errors?: GraphQLErrorBody[];
}

// ---------------------------------------------------------------------------------------------
// Arbitraries.

const MISSING = Symbol('missing field');
type Shape = { arbitrary: fc.Arbitrary<unknown>; fields?: Record<string, Shape> };

/** Wrong JSON types for any field: numbers, booleans, null, arrays and objects. */
const wrongType: fc.Arbitrary<unknown> = fc.oneof(
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.boolean(),
  fc.constant(null),
  fc.constant([]),
  fc.constant({}),
  fc.array(fc.string({ maxLength: 6 }), { minLength: 1, maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 6 }), fc.oneof(fc.string({ maxLength: 6 }), fc.integer()), { maxKeys: 3 }),
);

const oddCharacter = fc.constantFrom(
  'A',
  'Z',
  '_',
  '.',
  '-',
  ' ',
  '\t',
  '\u0000',
  '\u007f',
  'é',
  'İ',
  '\u200b',
  '😀',
  '/',
);

/** Strings that are almost one of `existing`, or nothing like a name at all. */
function nearString(existing: readonly string[]): fc.Arbitrary<string> {
  const base = fc.constantFrom(...existing);
  return fc.oneof(
    // One character changed (or inserted at the end).
    fc
      .tuple(base, fc.nat(), oddCharacter)
      .map(([s, i, c]) => `${s.slice(0, i % (s.length + 1))}${c}${s.slice((i % (s.length + 1)) + 1)}`),
    base.map((s) => s.toUpperCase()),
    fc.tuple(base, fc.constantFrom(' ', '\t', '\n', '\r\n', '\u00a0')).map(([s, ws]) => `${ws}${s}${ws}`),
    fc.tuple(base, fc.constantFrom(' ', '\n')).map(([s, ws]) => `${s}${ws}`),
    // Long: just over the 63-character limits, and up to 10k characters.
    fc.constantFrom('a'.repeat(63), 'a'.repeat(64), `${'a'.repeat(62)}-`),
    fc
      .tuple(fc.constantFrom('a', 'x-', 'é', '😀', '\u0000'), fc.integer({ min: 64, max: 10_000 }))
      .map(([c, n]) => c.repeat(Math.ceil(n / c.length)).slice(0, n)),
    fc.string({ unit: 'grapheme', minLength: 1, maxLength: 12 }),
    fc.string({ unit: 'binary', minLength: 1, maxLength: 12 }),
    fc.constantFrom(
      '',
      ' ',
      '\u0000',
      'acme\u0000',
      'ａｃｍｅ',
      'аcme', // Cyrillic а
      'acme\u200b',
      'acmé',
      'acme,globex',
      'acme)',
      '!acme',
      'acme in (globex)',
      'acme=1',
      '../globex',
      'acme/web',
      '*',
      '%',
      "'; DROP TABLE objects; --",
      '-acme',
      'acme-',
      '.acme',
      '1',
      '0',
    ),
  );
}

/** A field: mostly a valid value, sometimes near-valid, of the wrong type, null or missing. */
function field(valid: fc.Arbitrary<unknown>, near: fc.Arbitrary<unknown>): Shape {
  return {
    arbitrary: fc.oneof(
      { weight: 20, arbitrary: valid },
      { weight: 3, arbitrary: near },
      { weight: 1, arbitrary: wrongType },
      { weight: 1, arbitrary: fc.constant(null) },
      { weight: 1, arbitrary: fc.constant(MISSING) },
    ),
  };
}

const idField = (pool: readonly string[]) => field(fc.constantFrom(...pool), nearString(pool));

const orgId = () => idField(ORGS);
/** Projects of both organizations: the other organization's IDs are valid-looking but wrong. */
const projectId = () => idField(Object.values(PROJECTS).flat());
const allocationId = () => idField([...ALLOCATIONS.map((a) => a.id), 'alloc-new']);
const kindId = () => idField([...KINDS, 'tpus']);

/** Odd Quantity values, as strings and as JSON numbers. */
const oddQuantity: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(
    '1e309',
    '-0',
    '0x10',
    '1.5',
    '10Gi',
    '999999999999999999999',
    '9007199254740991',
    '9007199254740992',
    '500m',
    '-1',
    ' 1',
    '1 ',
    '',
    'NaN',
    'Infinity',
    '-Infinity',
    '1e-3',
    '+1',
    '1_000',
    '١٢',
    '0b1',
    '0o7',
    '8Ei',
    '1E3',
    '1e',
    'e3',
    '.5',
    '5.',
    '1.0',
    '00',
    '1\u0000',
    '1Ki',
    '1ki',
    '1KB',
  ),
  fc.constantFrom(1.5, -1, -0, 2 ** 53, 2 ** 53 - 1, -(2 ** 53), 1e308, Number.MAX_VALUE, 0.1, 1e21),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.integer({ min: -1_000_000, max: -1 }),
  fc.string({ maxLength: 8 }),
);
const quantity = () =>
  field(
    fc.oneof(fc.nat({ max: 30 }), fc.nat({ max: 30 }).map(String), fc.constantFrom('0', '1k', '1e1', '2')),
    oddQuantity,
  );

/** An optional String: absent, null, a stored resourceVersion, or junk. */
const resourceVersion = (versions: readonly string[]) =>
  field(
    fc.oneof(fc.constant(MISSING), fc.constant(null), fc.constantFrom(...versions)),
    fc.oneof(nearString(versions), fc.constantFrom('0', '-1', '999999999', '1e3')),
  );

/**
 * An input object: each field of `fields`, missing when it drew MISSING, now and then an unknown
 * extra one. `related` (half the time) overlays fields that only make sense together, e.g. an
 * organization, one of its projects and one of that project's allocations: drawn independently
 * they would almost never name something that exists, and the resolvers' success paths would go
 * untested.
 */
function inputObject(fields: Record<string, Shape>, related?: fc.Arbitrary<Record<string, string>>): Shape {
  const extra = fc.oneof(
    { weight: 15, arbitrary: fc.constant(null) },
    { weight: 1, arbitrary: fc.tuple(fc.constantFrom('extra', 'id2', '__proto__', 'constructor', 'kind '), wrongType) },
  );
  const overlay = related ? fc.option(related, { nil: undefined, freq: 2 }) : fc.constant(undefined);
  const arbitrary = fc
    .tuple(fc.record(Object.fromEntries(Object.entries(fields).map(([k, s]) => [k, s.arbitrary]))), overlay, extra)
    .map(([values, together, more]) => {
      const object: Record<string, unknown> = {};
      for (const [k, v] of Object.entries({ ...values, ...together })) if (v !== MISSING) object[k] = v;
      // defineProperty: a plain assignment of "__proto__" would set the prototype, not a key.
      if (more) Object.defineProperty(object, more[0], { value: more[1], enumerable: true });
      return object;
    });
  return { arbitrary, fields };
}

/** A list of `entry` objects: valid ones, empty, duplicated kinds, 1000 entries, one bare object, junk. */
function list(entry: Shape, validEntry: fc.Arbitrary<Record<string, unknown>>): Shape {
  const thousand = (make: (i: number) => Record<string, unknown>) => Array.from({ length: 1000 }, (_, i) => make(i));
  const arbitrary = fc.oneof(
    {
      weight: 20,
      arbitrary: fc.uniqueArray(validEntry, { minLength: 1, maxLength: KINDS.length, selector: (e) => e.kind }),
    },
    { weight: 4, arbitrary: fc.array(entry.arbitrary, { minLength: 1, maxLength: 4 }) },
    { weight: 1, arbitrary: fc.constant([]) },
    { weight: 1, arbitrary: validEntry.map((e) => [e, { ...e }]) },
    { weight: 1, arbitrary: validEntry.map((e) => thousand(() => e)) },
    { weight: 1, arbitrary: validEntry.map((e) => thousand((i) => ({ ...e, kind: `k${i}` }))) },
    {
      weight: 1,
      arbitrary: fc.integer({ min: 2, max: 200 }).chain((n) => fc.array(validEntry, { minLength: n, maxLength: n })),
    },
    // GraphQL coerces a single value to a list of one.
    { weight: 1, arbitrary: validEntry },
    { weight: 1, arbitrary: fc.array(fc.oneof(wrongType, fc.constant(null)), { minLength: 1, maxLength: 3 }) },
    { weight: 1, arbitrary: wrongType },
    { weight: 1, arbitrary: fc.constant(null) },
    { weight: 1, arbitrary: fc.constant(MISSING) },
  );
  return { arbitrary, fields: entry.fields };
}

const smallQuantity = fc.oneof(fc.nat({ max: 5 }), fc.nat({ max: 5 }).map(String));
const validKind = fc.constantFrom(...KINDS);

function allocationItems(): Shape {
  const entry = inputObject({ kind: kindId(), committed: quantity(), reserved: quantity() });
  const valid = fc.record({ kind: validKind, committed: smallQuantity, reserved: smallQuantity });
  return list(entry, valid);
}

const labelValue = (pool: readonly string[]) =>
  field(fc.oneof(fc.constantFrom(...pool), fc.stringMatching(/^[a-z0-9][-a-z0-9_.]{0,8}[a-z0-9]$/)), nearString(pool));

/** An organization and one of its projects. */
const ownProject = fc.constantFrom(
  ...Object.entries(PROJECTS).flatMap(([org, ids]) => ids.map((id) => ({ organizationId: org, projectId: id }))),
);
/** An existing allocation's organization, project and id. */
const ownAllocation = fc.constantFrom(
  ...ALLOCATIONS.map((a) => ({ organizationId: a.org, projectId: a.project, id: a.id })),
);

/** Every mutation's input arbitrary, by mutation name. */
function inputShapes(versions: readonly string[]): Record<string, Shape> {
  return {
    createAllocation: inputObject(
      {
        organizationId: orgId(),
        projectId: projectId(),
        resourceKind: labelValue(['server', 'cluster', 'Server']),
        // The seeded allocations hold server/alloc-…: reusing one is a DuplicateAllocationError or a retry.
        resourceId: labelValue([...ALLOCATIONS.map((a) => a.id), 'vm-1', 'vm-2']),
        items: allocationItems(),
      },
      ownProject,
    ),
    updateAllocation: inputObject(
      {
        organizationId: orgId(),
        projectId: projectId(),
        id: allocationId(),
        items: allocationItems(),
        expectedResourceVersion: resourceVersion(versions),
      },
      ownAllocation,
    ),
    deleteAllocation: inputObject(
      { organizationId: orgId(), projectId: projectId(), id: allocationId() },
      ownAllocation,
    ),
    setQuota: inputObject({
      organizationId: orgId(),
      quotas: list(
        inputObject({ kind: kindId(), quantity: quantity() }),
        fc.record({ kind: validKind, quantity: fc.oneof(fc.nat({ max: 40 }), fc.constantFrom('10Gi', '2Ti', '1k')) }),
      ),
      expectedResourceVersion: resourceVersion(versions),
    }),
    setProjectQuota: inputObject(
      {
        organizationId: orgId(),
        projectId: projectId(),
        quotas: list(
          inputObject({ kind: kindId(), guaranteed: optionalQuantity(), limit: optionalQuantity() }),
          fc.record(
            {
              kind: validKind,
              guaranteed: fc.option(smallQuantity, { nil: null }),
              limit: fc.option(fc.nat({ max: 12 }), { nil: null }),
            },
            { requiredKeys: ['kind'] },
          ),
        ),
        expectedResourceVersion: resourceVersion(versions),
      },
      ownProject,
    ),
  };
}

function optionalQuantity(): Shape {
  const { arbitrary } = quantity();
  return { arbitrary: fc.oneof({ weight: 3, arbitrary }, fc.constant(null), fc.constant(MISSING)) };
}

/** The variables: `{ input }` mostly, sometimes no input, a null one, or one of the wrong type. */
function variablesOf(input: Shape): fc.Arbitrary<Record<string, unknown>> {
  return fc.oneof(
    { weight: 40, arbitrary: input.arbitrary.map((i) => ({ input: i })) },
    { weight: 1, arbitrary: fc.constant({}) },
    { weight: 1, arbitrary: fc.constant({ input: null }) },
    { weight: 1, arbitrary: wrongType.map((w) => ({ input: w })) },
    { weight: 1, arbitrary: input.arbitrary.map((i) => ({ input: i, unused: 1 })) },
  );
}

/** Fails unless `shape` covers exactly the fields of `type`, recursively. */
function expectCovers(type: GraphQLInputType, shape: Shape | undefined, path: string): void {
  const named = getNamedType(type);
  if (!isInputObjectType(named)) return;
  const fields = named.getFields();
  expect(Object.keys(shape?.fields ?? {}).sort(), `fields with an arbitrary at ${path} (${named.name})`).toEqual(
    Object.keys(fields).sort(),
  );
  for (const [name, f] of Object.entries(fields)) expectCovers(f.type, shape?.fields?.[name], `${path}.${name}`);
}

// ---------------------------------------------------------------------------------------------
// The schema's mutations and their fixed documents.

const mutationType = schema.getMutationType();
const MUTATIONS = Object.values(mutationType?.getFields() ?? {}).map((f) => {
  const input = f.args.find((a) => a.name === 'input');
  return {
    name: f.name,
    input,
    document: `mutation($input: ${String(input?.type)}) { ${f.name}(input: $input) { __typename ... on Error { message } } }`,
  };
});

// ---------------------------------------------------------------------------------------------
// The store: a fresh world per gateway, rebuilt whenever a run changed it.

interface Snapshot {
  /** `kind/namespace/name@resourceVersion` of every stored object, sorted. */
  versions: string[];
  objects: Map<string, StoredObject>;
}

const identity = (o: StoredObject) => `${o.kind}/${o.metadata.namespace}/${o.metadata.name}`;

class World {
  private testStore!: TestStore;
  gateway!: TestGateway;
  baseline!: Snapshot;
  reseeds = 0;

  constructor(private readonly options: TestGatewayOptions = {}) {}

  async start(): Promise<void> {
    this.testStore = await storeFactories.sqlite!();
    this.gateway = await createTestGateway(this.testStore, WORLD, this.options);
  }

  static async create(options: TestGatewayOptions = {}): Promise<World> {
    const world = new World(options);
    await world.start();
    world.baseline = await world.snapshot();
    return world;
  }

  async snapshot(): Promise<Snapshot> {
    const lists = await Promise.all(STORED_KINDS.map((kind) => this.testStore.store.list(kind)));
    const items = lists.flatMap((l) => l.items);
    return {
      versions: items.map((o) => `${identity(o)}@${o.metadata.resourceVersion}`).sort(),
      objects: new Map(items.map((o) => [identity(o), o])),
    };
  }

  /** The snapshot before a run: the seeded world, re-seeded on a fresh store if an earlier run changed it. */
  async before(): Promise<Snapshot> {
    const now = await this.snapshot();
    if (sameVersions(now, this.baseline)) return now;
    await this.testStore.cleanup();
    await this.start();
    this.reseeds += 1;
    const fresh = await this.snapshot();
    // A fresh SQLite store numbers resourceVersions from scratch, so the seeded world is always the same.
    expect(fresh.versions).toEqual(this.baseline.versions);
    return fresh;
  }

  cleanup(): Promise<void> {
    return this.testStore.cleanup();
  }
}

const sameVersions = (a: Snapshot, b: Snapshot) =>
  a.versions.length === b.versions.length && a.versions.every((v, i) => v === b.versions[i]);

/** The identities whose version changed, appeared or disappeared. */
function diff(before: Snapshot, after: Snapshot): string[] {
  const a = new Set(before.versions);
  const b = new Set(after.versions);
  return [
    ...before.versions.filter((v) => !b.has(v)).map((v) => `-${v}`),
    ...after.versions.filter((v) => !a.has(v)).map((v) => `+${v}`),
  ];
}

// ---------------------------------------------------------------------------------------------
// One request and its checks.

interface Answer {
  status: number;
  text: string;
  body: Body;
  bodyBytes: number;
}

async function send(
  gateway: TestGateway,
  document: string,
  variables: Record<string, unknown>,
  headers?: Record<string, string>,
): Promise<Answer> {
  const payload = { query: document, variables };
  const bodyBytes = Buffer.byteLength(JSON.stringify(payload));
  const response = await gateway.fetch(payload, headers ? { headers } : {});
  const text = await response.text();
  let body: Body;
  try {
    body = JSON.parse(text) as Body;
  } catch {
    throw new Error(`HTTP ${response.status}: the body is not JSON: ${text.slice(0, 500)}`);
  }
  return { status: response.status, text, body, bodyBytes };
}

type Outcome =
  | { type: 'success'; typename: string }
  | { type: 'typed-error'; typename: string }
  | { type: 'graphql-error'; label: string };

/** The transport and error-code properties; what kind of answer it was. */
function checkAnswer(answer: Answer, mutation: string, options: { mayBeForbidden: boolean }): Outcome {
  const { status, text, body, bodyBytes } = answer;
  const context = `HTTP ${status}: ${text.slice(0, 2000)}`;
  expect(typeof body === 'object' && body !== null && ('data' in body || 'errors' in body), context).toBe(true);
  const errors = body.errors ?? [];
  for (const error of errors) {
    expect(error.message, context).not.toBe('Unexpected error.');
    expect(error.extensions?.code, context).not.toBe('INTERNAL_SERVER_ERROR');
    expect(typeof error.message, context).toBe('string');
  }

  if (bodyBytes > DEFAULT_LIMITS.maxBodyBytes) {
    // Not the mutation's doing: the body limit answers before anything is parsed.
    expect(status, context).toBe(413);
    expect(
      errors.map((e) => e.extensions?.code),
      context,
    ).toEqual(['LIMIT_EXCEEDED']);
    return { type: 'graphql-error', label: 'LIMIT_EXCEEDED (413)' };
  }
  expect([200, 400], context).toContain(status);

  if (status === 400) {
    // A variable that cannot be coerced: nothing executed, no data.
    expect(body.data, context).toBeUndefined();
    expect(errors.length, context).toBeGreaterThan(0);
    for (const error of errors) {
      expect(COERCION_FAILURE.codes, context).toContain(error.extensions?.code);
      expect(String(error.message).startsWith(COERCION_FAILURE.messagePrefix), context).toBe(true);
      expect(error.path, context).toBeUndefined();
    }
    return { type: 'graphql-error', label: 'coercion BAD_USER_INPUT (400)' };
  }

  const result = body.data?.[mutation];
  if (errors.length > 0) {
    for (const error of errors) {
      expect(ALLOWED_CODES, context).toContain(error.extensions?.code);
      if (!options.mayBeForbidden) expect(error.extensions?.code, context).not.toBe('FORBIDDEN');
      expect(error.path, context).toEqual([mutation]);
    }
    expect(result ?? null, context).toBeNull();
    return { type: 'graphql-error', label: `${String(errors[0]!.extensions?.code)} (200)` };
  }
  const typename = result?.__typename;
  expect(typeof typename, context).toBe('string');
  if (typename!.endsWith('Error')) {
    expect(typeof result!.message, context).toBe('string');
    return { type: 'typed-error', typename: typename! };
  }
  return { type: 'success', typename: typename! };
}

/** Nothing written: not one object created, changed (resourceVersion included) or deleted. */
function expectNothingWritten(before: Snapshot, after: Snapshot, mutation: string, outcome: Outcome) {
  expect(diff(before, after), `${mutation} answered ${JSON.stringify(outcome)} but the store changed`).toEqual([]);
}

const labelOf = (o: StoredObject, key: string) => o.metadata.labels?.[key];
const kindsOf = (o: StoredObject | undefined) =>
  ((o?.spec?.allocations as { kind: string }[] | undefined) ?? []).map((e) => e.kind).sort();
const inputKinds = (entries: unknown) =>
  [...new Set((Array.isArray(entries) ? entries : [entries]).map((e) => String((e as { kind: unknown }).kind)))].sort();

/** A success stored what it says (light checks: the object it names is there, or gone). */
function expectStored(after: Snapshot, mutation: string, variables: Record<string, unknown>) {
  const input = variables.input as Record<string, unknown>;
  const org = String(input.organizationId);
  const objects = [...after.objects.values()];
  const target = `Allocation/${projectNamespace(org, String(input.projectId))}/${String(input.id)}`;
  switch (mutation) {
    case 'createAllocation': {
      const stored = objects.find(
        (o) =>
          o.kind === 'Allocation' &&
          labelOf(o, LABEL_ORGANIZATION) === org &&
          labelOf(o, LABEL_PROJECT) === String(input.projectId) &&
          labelOf(o, LABEL_RESOURCE_KIND) === input.resourceKind &&
          labelOf(o, LABEL_RESOURCE_ID) === input.resourceId,
      );
      expect(stored, 'the created allocation').toBeDefined();
      expect(kindsOf(stored)).toEqual(inputKinds(input.items));
      break;
    }
    case 'updateAllocation':
      expect(kindsOf(after.objects.get(target)), `${target} after an update`).toEqual(inputKinds(input.items));
      break;
    case 'deleteAllocation':
      expect(after.objects.has(target), `${target} after a delete`).toBe(false);
      break;
    case 'setQuota':
    case 'setProjectQuota': {
      const stored = objects.find((o) => o.kind === 'Quota' && labelOf(o, LABEL_ORGANIZATION) === org);
      expect(stored, `${org}'s Quota after ${mutation}`).toBeDefined();
      if (mutation === 'setQuota') {
        const kinds = ((stored!.spec?.quotas as { kind: string }[] | undefined) ?? []).map((q) => q.kind);
        for (const kind of inputKinds(input.quotas)) expect(kinds).toContain(kind);
      }
      break;
    }
  }
}

function expectNothingPending(after: Snapshot) {
  const pending = [...after.objects.values()].filter((o) => labelOf(o, LABEL_ADMISSION) === ADMISSION_PENDING);
  expect(pending.map(identity), 'allocations left pending').toEqual([]);
}

// ---------------------------------------------------------------------------------------------

const versionsOfWorld = (snapshot: Snapshot) => [
  ...new Set([...snapshot.objects.values()].map((o) => o.metadata.resourceVersion ?? '')),
];

describe('every mutation, fuzzed', () => {
  let world: World;
  let shapes: Record<string, Shape>;

  beforeAll(async () => {
    world = await World.create();
    shapes = inputShapes(versionsOfWorld(world.baseline));
  });
  afterAll(() => world?.cleanup());

  it('the schema has mutations, and every one (and every input field) has an arbitrary', () => {
    expect(MUTATIONS.length).toBeGreaterThan(0);
    expect(Object.keys(shapes).sort()).toEqual(MUTATIONS.map((m) => m.name).sort());
    for (const m of MUTATIONS) {
      expect(m.input, `${m.name} takes input`).toBeDefined();
      expectCovers(m.input!.type, shapes[m.name], `${m.name}.input`);
    }
  });

  it.each(MUTATIONS.map((m) => [m.name, m] as const))(
    '%s: never 5xx or masked, allowed codes only, and a refusal writes nothing',
    { timeout: Math.max(60_000, RUNS * 1_000) },
    async (name, mutation) => {
      const shape = shapes[name];
      if (!shape) throw new Error(`mutation ${name} has no arbitrary: add one to inputShapes`);
      const outcomes = new Map<string, number>();
      const started = performance.now();
      const reseedsBefore = world.reseeds;
      await fc.assert(
        fc.asyncProperty(variablesOf(shape), async (variables) => {
          const before = await world.before();
          const answer = await send(world.gateway, mutation.document, variables);
          const outcome = checkAnswer(answer, name, { mayBeForbidden: false });
          const label = outcome.type === 'graphql-error' ? outcome.label : outcome.typename;
          outcomes.set(label, (outcomes.get(label) ?? 0) + 1);
          const after = await world.snapshot();
          if (outcome.type === 'success') expectStored(after, name, variables);
          else expectNothingWritten(before, after, name, outcome);
          expectNothingPending(after);
        }),
        { numRuns: RUNS, seed: SEED },
      );
      const seconds = ((performance.now() - started) / 1000).toFixed(1);
      console.info(
        `${name}: ${RUNS} runs in ${seconds} s, ${world.reseeds - reseedsBefore} re-seeds, ` +
          `outcomes ${JSON.stringify(Object.fromEntries([...outcomes].sort()))}`,
      );
      // Not vacuous: the arbitraries reach both the resolvers' successes and their refusals.
      if (RUNS >= 100) {
        const successes = [...outcomes].filter(([l]) => !l.endsWith('Error') && !l.includes('(')).length;
        expect(successes, 'distinct success outcomes').toBeGreaterThan(0);
        expect(outcomes.size, 'distinct outcomes').toBeGreaterThan(2);
      }
    },
  );

  it('a refused updateAllocation leaves the allocation’s resourceVersion alone, so the caller’s retry with the version it read succeeds (found by this fuzz)', async () => {
    const read = `query { organization(id: "acme") { allocations(first: 10) { edges { node { id resourceVersion } } } } }`;
    const versionOf = async () => {
      const { body } = await send(world.gateway, read, {});
      type Read = { organization: { allocations: { edges: { node: { id: string; resourceVersion: string } }[] } } };
      const { edges } = (body.data as unknown as Read).organization.allocations;
      return edges.find((e) => e.node.id === 'alloc-web')!.node.resourceVersion;
    };
    await world.before();
    const update = MUTATIONS.find((m) => m.name === 'updateAllocation')!.document;
    const target = { organizationId: 'acme', projectId: 'web', id: 'alloc-web' };
    const version = await versionOf();

    // servers: quota 20, alloc-web holds 3. Asking for 100 is refused: "Nothing was written".
    const refused = await send(world.gateway, update, {
      input: { ...target, items: [{ kind: 'servers', committed: 100, reserved: 0 }], expectedResourceVersion: version },
    });
    expect(refused.body.data?.updateAllocation?.__typename).toBe('QuotaExceededError');
    expect(await versionOf(), 'resourceVersion after a refused update').toBe(version);

    // The same client, with the version it read, now asks for something that fits.
    const retried = await send(world.gateway, update, {
      input: { ...target, items: [{ kind: 'servers', committed: 4, reserved: 0 }], expectedResourceVersion: version },
    });
    expect(retried.body.data?.updateAllocation, retried.text).toEqual({ __typename: 'UpdateAllocationSuccess' });
  });
});

describe('every mutation, fuzzed, as a caller with no roles', () => {
  let keys: KeyDir;
  let world: World;
  let token: string;
  let shapes: Record<string, Shape>;

  beforeAll(async () => {
    keys = await createKeyDir();
    const authenticator = await createJwtAuthenticator(
      testTokenSettings({ publicKeyFile: await keys.pem(await defaultTestKey()) }),
    );
    world = await World.create({ authenticate: (header) => authenticator.authenticate(header) });
    token = await tokenFor({ subject: 'nemo' });
    shapes = inputShapes(versionsOfWorld(world.baseline));
  });
  afterAll(async () => {
    await world?.cleanup();
    await keys?.remove();
  });

  it('is FORBIDDEN (or refused as invalid variables) and writes nothing', {
    timeout: Math.max(60_000, FORBIDDEN_RUNS * 1_000),
  }, async () => {
    const outcomes = new Map<string, number>();
    const started = performance.now();
    const request = fc
      .constantFrom(...MUTATIONS)
      .chain((m) => variablesOf(shapes[m.name]!).map((v) => [m, v] as const));
    await fc.assert(
      fc.asyncProperty(request, async ([mutation, variables]) => {
        const before = await world.before();
        const answer = await send(world.gateway, mutation.document, variables, { authorization: `Bearer ${token}` });
        const outcome = checkAnswer(answer, mutation.name, { mayBeForbidden: true });
        const context = `${mutation.name}: HTTP ${answer.status}: ${answer.text.slice(0, 2000)}`;
        expect(outcome.type, context).toBe('graphql-error');
        if (answer.status === 200) {
          expect(answer.body.data ?? null, context).toBeNull();
          expect(
            answer.body.errors!.map((e) => e.extensions?.code),
            context,
          ).toEqual(['FORBIDDEN']);
        }
        const label = `${mutation.name} ${outcome.type === 'graphql-error' ? outcome.label : outcome.typename}`;
        outcomes.set(label, (outcomes.get(label) ?? 0) + 1);
        expect(diff(before, await world.snapshot()), context).toEqual([]);
      }),
      { numRuns: FORBIDDEN_RUNS, seed: SEED },
    );
    console.info(
      `no roles: ${FORBIDDEN_RUNS} runs in ${((performance.now() - started) / 1000).toFixed(1)} s; ` +
        `outcomes ${JSON.stringify(Object.fromEntries([...outcomes].sort()))}`,
    );
  });
});
