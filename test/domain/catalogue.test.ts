import { describe, expect, it } from 'vitest';
import { buildCatalogue, Catalogue } from '../../src/domain/catalogue.js';
import { API_VERSION, type StoredObject } from '../../src/store/types.js';
import { kindRecord as record } from '../support/records.js';

function metadata(name: string, spec?: Record<string, unknown>): StoredObject {
  return { apiVersion: API_VERSION, kind: 'QuotaMetadata', metadata: { name, namespace: 'unikorn-identity' }, spec };
}

describe('buildCatalogue', () => {
  it('reads every field and sorts kinds by name', () => {
    const catalogue = buildCatalogue([
      metadata('servers', { displayName: 'Servers', description: 'Virtual machines', default: '20' }),
      metadata('gpus', { displayName: 'GPUs', description: 'Accelerators', default: 4 }),
      metadata('clusters', { displayName: 'Clusters', description: 'Kubernetes clusters', default: '1k' }),
    ]);
    expect(catalogue.kinds.map((kind) => kind.name)).toEqual(['clusters', 'gpus', 'servers']);
    expect(catalogue.get('gpus')).toEqual({
      name: 'gpus',
      displayName: 'GPUs',
      description: 'Accelerators',
      default: 4n,
      defaultIsValid: true,
      rawDefault: 4,
    });
    expect(catalogue.get('clusters')?.default).toBe(1000n);
  });

  it('falls back to the name and an empty description', () => {
    const kind = buildCatalogue([metadata('gpus', { default: '1', displayName: '' })]).get('gpus');
    expect(kind).toMatchObject({ displayName: 'gpus', description: '' });
    expect(buildCatalogue([metadata('disks', { default: '1', displayName: 3 })]).get('disks')?.displayName).toBe(
      'disks',
    );
  });

  it.each<[string, unknown]>([
    ['not whole', '500m'],
    ['garbage', 'lots'],
    ['negative', '-1'],
    ['missing', undefined],
    ['null', null],
    ['an object', { value: 1 }],
  ])('turns a default that is %s into 0 and marks it invalid', (_, raw) => {
    const kind = buildCatalogue([metadata('gpus', { default: raw })]).get('gpus');
    expect(kind).toMatchObject({ default: 0n, defaultIsValid: false, rawDefault: raw });
  });

  it('tolerates a missing spec', () => {
    expect(buildCatalogue([metadata('gpus')]).get('gpus')).toMatchObject({
      displayName: 'gpus',
      defaultIsValid: false,
    });
  });
});

describe('Catalogue', () => {
  it('answers has/get by name', () => {
    const catalogue = new Catalogue([record('gpus', 4n)]);
    expect(catalogue.has('gpus')).toBe(true);
    expect(catalogue.has('servers')).toBe(false);
    expect(catalogue.get('servers')).toBeUndefined();
    expect(catalogue.has('toString')).toBe(false);
  });

  it('keeps the first of duplicate names', () => {
    const catalogue = new Catalogue([record('gpus', 1n), record('gpus', 2n), record('a')]);
    expect(catalogue.kinds.map((kind) => [kind.name, kind.default])).toEqual([
      ['a', 0n],
      ['gpus', 1n],
    ]);
    expect(catalogue.get('gpus')?.default).toBe(1n);
  });

  it('does not change when the input array does', () => {
    const input = [record('b'), record('a')];
    const catalogue = new Catalogue(input);
    input.push(record('c'));
    expect(catalogue.kinds.map((kind) => kind.name)).toEqual(['a', 'b']);
    expect(Object.isFrozen(catalogue.kinds)).toBe(true);
  });
});
