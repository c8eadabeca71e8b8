import { readFileSync } from 'node:fs';
import { type GraphQLObjectType, isInputObjectType, isInterfaceType, isObjectType, printSchema } from 'graphql';
import { describe, expect, it } from 'vitest';
import { schema } from '../../src/schema/index.js';

describe('the schema', () => {
  it('matches the committed schema.graphql', () => {
    expect(readFileSync(new URL('../../schema.graphql', import.meta.url), 'utf8')).toBe(`${printSchema(schema)}\n`);
  });

  it('describes every type, field and argument (they are what GraphiQL users read)', () => {
    const missing: string[] = [];
    for (const type of Object.values(schema.getTypeMap())) {
      if (type.name.startsWith('__') || ['String', 'Int', 'Float', 'Boolean', 'ID'].includes(type.name)) continue;
      if (!type.description) missing.push(type.name);
      if (isObjectType(type) || isInterfaceType(type) || isInputObjectType(type)) {
        for (const field of Object.values(type.getFields())) {
          if (!field.description) missing.push(`${type.name}.${field.name}`);
          for (const arg of 'args' in field ? field.args : []) {
            if (!arg.description) missing.push(`${type.name}.${field.name}(${arg.name})`);
          }
        }
      }
    }
    expect(missing).toEqual([]);
  });

  it('keeps the contract names of DESIGN §7', () => {
    const sdl = printSchema(schema);
    for (const line of [
      'organizations(',
      'union SetQuotaResult = ConflictError | NotFoundError | QuotaBelowRingFencesError | QuotaBelowUsageError | SetQuotaSuccess | UnknownQuotaKindError',
      'union SetProjectQuotaResult = ConflictError | NotFoundError | ProjectLimitBelowUsageError | RingFenceExceedsQuotaError | SetProjectQuotaSuccess | SharedPoolExhaustedError | UnknownQuotaKindError',
      'enum QuotaScope {',
      'scalar SafeInt',
      'scalar Quantity',
    ]) {
      expect(sdl).toContain(line);
    }
    const query = schema.getQueryType()!.getFields();
    expect(Object.keys(query).sort()).toEqual(['organization', 'organizations', 'quotaKind', 'quotaKinds', 'viewer']);
    for (const field of ['viewerCanAllocate', 'viewerCanSetProjectQuota', 'viewerCanSetQuota']) {
      expect(String((schema.getType('Organization') as GraphQLObjectType).getFields()[field]?.type), field).toBe(
        'Boolean!',
      );
    }
    expect(sdl).toContain('enum OrganizationRole {');
    expect(query.organizations!.args.map((a) => a.name).sort()).toEqual(['after', 'first']);
    const setQuota = schema.getMutationType()!.getFields().setQuota!;
    expect(String(setQuota.type)).toBe('SetQuotaResult!');
    expect(setQuota.args.map((a) => `${a.name}: ${a.type}`)).toEqual(['input: SetQuotaInput!']);
    const setProjectQuota = schema.getMutationType()!.getFields().setProjectQuota!;
    expect(String(setProjectQuota.type)).toBe('SetProjectQuotaResult!');
    expect(setProjectQuota.args.map((a) => `${a.name}: ${a.type}`)).toEqual(['input: SetProjectQuotaInput!']);
  });
});
