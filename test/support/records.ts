// Domain records for the pure unit tests, without going through stored objects.
import type { QuotaKindRecord } from '../../src/domain/catalogue.js';
import type { QuotaRecord } from '../../src/domain/model.js';

/** A catalogue entry; `valid: false` models a QuotaMetadata whose default does not parse. */
export const kindRecord = (name: string, value = 0n, valid = true): QuotaKindRecord => ({
  name,
  displayName: name,
  description: '',
  default: valid ? value : 0n,
  defaultIsValid: valid,
  rawDefault: valid ? String(value) : 'lots',
});

/** A stored Quota of organization `org-1` with the given raw entries. */
export const quotaRecord = (...entries: [string, unknown][]): QuotaRecord => ({
  organizationId: 'org-1',
  namespace: 'org-ns-1',
  name: 'default',
  resourceVersion: '42',
  entries: entries.map(([kind, quantity]) => ({ kind, quantity })),
  fences: [],
});
