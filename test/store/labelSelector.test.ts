import { describe, expect, it } from 'vitest';
import {
  isDns1123Label,
  isDns1123Subdomain,
  type LabelRequirement,
  labelValueProblem,
  matches,
  parseLabelSelector,
  qualifiedNameProblem,
  validateLabels,
} from '../../src/store/labelSelector.js';
import { StoreError } from '../../src/store/types.js';

const ORG = 'unikorn-cloud.org/organization';

function invalid(action: () => unknown): StoreError {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(StoreError);
    expect((error as StoreError).reason).toBe('Invalid');
    return error as StoreError;
  }
  return expect.fail('expected StoreError Invalid');
}

describe('parseLabelSelector', () => {
  it.each<[string, LabelRequirement[]]>([
    ['', []],
    ['   ', []],
    ['app=web', [{ key: 'app', operator: 'In', values: ['web'] }]],
    ['app==web', [{ key: 'app', operator: 'In', values: ['web'] }]],
    ['app!=web', [{ key: 'app', operator: 'NotIn', values: ['web'] }]],
    ['app=', [{ key: 'app', operator: 'In', values: [''] }]],
    ['app', [{ key: 'app', operator: 'Exists' }]],
    ['!app', [{ key: 'app', operator: 'DoesNotExist' }]],
    [' ! app ', [{ key: 'app', operator: 'DoesNotExist' }]],
    [`${ORG} in (a,b)`, [{ key: ORG, operator: 'In', values: ['a', 'b'] }]],
    [`${ORG} notin ( a , b , a )`, [{ key: ORG, operator: 'NotIn', values: ['a', 'b'] }]],
    ['k in ()', [{ key: 'k', operator: 'In', values: [''] }]],
    ['k in (a,)', [{ key: 'k', operator: 'In', values: ['a', ''] }]],
    [
      ' a = 1 , b != 2,c in (x), !d,e ',
      [
        { key: 'a', operator: 'In', values: ['1'] },
        { key: 'b', operator: 'NotIn', values: ['2'] },
        { key: 'c', operator: 'In', values: ['x'] },
        { key: 'd', operator: 'DoesNotExist' },
        { key: 'e', operator: 'Exists' },
      ],
    ],
    ['in=notin', [{ key: 'in', operator: 'In', values: ['notin'] }]],
    ['A_b.c-D=Z_9.x-Y', [{ key: 'A_b.c-D', operator: 'In', values: ['Z_9.x-Y'] }]],
  ])('parses %j', (selector, expected) => {
    expect(parseLabelSelector(selector)).toEqual(expected);
  });

  it.each([
    ['a in (x', /expected a label value, "," or "\)"/],
    ['a in x', /expected "\(" after "in" or "notin"/],
    ['a in (x y)', /expected a label value/],
    ['a=b,', /expected a label key, found end of selector/],
    [',a', /expected a label key/],
    ['a b', /after key "a"/],
    ['=b', /expected a label key, found "="/],
    ['a=b=c', /expected "," after a requirement/],
    ['a=(b)', /expected a label value, found "\("/],
    ['!a=b', /expected "," after a requirement/],
    ['a>1', /unsupported operator ">"/],
    ['a<1', /unsupported operator "<"/],
    ['a b=c', /after key "a"/],
    ['Bad Key', /after key "Bad"/],
    ['-a=b', /key "-a" has an invalid name/],
    ['a/b/c', /at most one "\/"/],
    ['UPPER.example/a', /invalid prefix/],
    [`${'k'.repeat(64)}=v`, /invalid name/],
    [`a=${'v'.repeat(64)}`, /value "v+" must be at most 63/],
    ['a in (ok,-bad)', /value "-bad"/],
    ['a!=b_', /value "b_"/],
  ])('refuses %j', (selector, problem) => {
    const error = invalid(() => parseLabelSelector(selector));
    expect(error.message).toContain(`invalid label selector "${selector}"`);
    expect(error.message).toMatch(problem);
  });
});

describe('matches', () => {
  const gold = { [ORG]: 'acme', tier: 'gold' };
  const silver = { [ORG]: 'globex', tier: 'silver' };
  const unlabelled = {};
  const empty = { [ORG]: '' };

  const select = (selector: string) =>
    Object.entries({ gold, silver, unlabelled, empty })
      .filter(([, labels]) => matches(parseLabelSelector(selector), labels))
      .map(([name]) => name);

  it.each([
    ['', ['gold', 'silver', 'unlabelled', 'empty']],
    [`${ORG}=acme`, ['gold']],
    [`${ORG}!=acme`, ['silver', 'unlabelled', 'empty']],
    [`${ORG} in (acme,globex)`, ['gold', 'silver']],
    [`${ORG} notin (acme,globex)`, ['unlabelled', 'empty']],
    [`${ORG}=`, ['empty']],
    [`${ORG} in ()`, ['empty']],
    [ORG, ['gold', 'silver', 'empty']],
    [`!${ORG}`, ['unlabelled']],
    [`tier,tier!=gold`, ['silver']],
    [`${ORG} in (acme,globex),tier notin (silver)`, ['gold']],
    ['tier=gold,tier=silver', []],
  ])('%j selects %j', (selector, expected) => {
    expect(select(selector)).toEqual(expected);
  });

  it('treats missing labels as no labels', () => {
    expect(matches(parseLabelSelector('!a'), undefined)).toBe(true);
    expect(matches(parseLabelSelector('a'), undefined)).toBe(false);
  });

  it('does not take inherited properties for labels', () => {
    expect(matches(parseLabelSelector('constructor'), {})).toBe(false);
    expect(matches(parseLabelSelector('toString!=x'), {})).toBe(true);
  });
});

describe('validation helpers', () => {
  it('checks qualified names, values and DNS names', () => {
    expect(qualifiedNameProblem(ORG)).toBeUndefined();
    expect(qualifiedNameProblem('a')).toBeUndefined();
    expect(qualifiedNameProblem('example.com/')).toMatch(/invalid name/);
    expect(qualifiedNameProblem('/name')).toMatch(/invalid prefix/);
    expect(labelValueProblem('')).toBeUndefined();
    expect(labelValueProblem('a.b_c-d')).toBeUndefined();
    expect(labelValueProblem('a b')).toMatch(/at most 63/);
    expect(isDns1123Label('team-a')).toBe(true);
    expect(isDns1123Label('team.a')).toBe(false);
    expect(isDns1123Label('a'.repeat(64))).toBe(false);
    expect(isDns1123Subdomain('a.b-c.d')).toBe(true);
    expect(isDns1123Subdomain('A.b')).toBe(false);
    expect(isDns1123Subdomain('a.'.repeat(127))).toBe(false);
  });

  it('validateLabels accepts valid maps and names the context of a bad one', () => {
    expect(() => validateLabels(undefined, 'Quota "ns/q"')).not.toThrow();
    expect(() => validateLabels({ [ORG]: 'acme', empty: '' }, 'Quota "ns/q"')).not.toThrow();
    expect(invalid(() => validateLabels({ 'bad key': 'x' }, 'Quota "ns/q"')).message).toMatch(
      /^Quota "ns\/q": invalid label: key "bad key"/,
    );
    expect(invalid(() => validateLabels({ a: 1 }, 'Quota "ns/q"')).message).toMatch(/must have a string value/);
    expect(invalid(() => validateLabels(['a'], 'Quota "ns/q"')).message).toMatch(/map of strings/);
  });
});
