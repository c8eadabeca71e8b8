import { describe, expect, it } from 'vitest';
import { idProblem, labelValueProblem } from '../../src/domain/ids.js';
import { labelValueProblem as storeLabelValueProblem } from '../../src/store/labelSelector.js';

describe('labelValueProblem (resource kinds and ids of allocations)', () => {
  it.each(['cluster', 'Cluster_7.eu', 'a', '0', 'x'.repeat(63), 'A-b_c.D'])('accepts %j', (value) => {
    expect(labelValueProblem(value)).toBeNull();
    // Whatever it accepts, the stores accept as a label value.
    expect(storeLabelValueProblem(value)).toBeUndefined();
  });

  it.each([
    ['', 'must not be empty'],
    ['x'.repeat(64), 'at most 63 characters'],
    ['a cluster', 'a Kubernetes label value'],
    ['-c1', 'starting and ending alphanumeric'],
    ['c1_', 'starting and ending alphanumeric'],
    ['c/1', 'a Kubernetes label value'],
    ['ß', 'a Kubernetes label value'],
  ])('refuses %j: %s', (value, reason) => {
    expect(labelValueProblem(value)).toContain(reason);
  });

  it('is wider than an ID: upper case and "_" are label values but not IDs', () => {
    expect(labelValueProblem('Web_1')).toBeNull();
    expect(idProblem('Web_1')).not.toBeNull();
  });
});
