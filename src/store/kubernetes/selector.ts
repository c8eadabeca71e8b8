/**
 * Splitting label selectors that would make a request URL too long.
 *
 * Why: the loaders batch one tick's keys into one `organization in (a,b,c,…)` list. With a few
 * hundred organizations that selector is many kilobytes, and API servers and the proxies in front
 * of them refuse long URLs (431/414, or a reset connection). An `in` set is a union, so listing
 * each part of the set and merging the results gives exactly the same objects. Only `in` sets are
 * split: a `notin` set is an intersection and cannot be divided this way.
 */
import { type LabelRequirement, parseLabelSelector } from '../labelSelector.js';

/** Length of `text` once form-encoded in a query string, as the client encodes it. */
export const encodedLength = (text: string): number => new URLSearchParams({ s: text }).toString().length - 2;

/**
 * Returns selectors whose union selects what `selector` selects, each at most `maxEncodedLength`
 * bytes once encoded when possible: the largest `in` set is divided into chunks. A selector that is
 * short enough, or that has no `in` set to divide, comes back unchanged as the only element.
 * Throws StoreError('Invalid') for a malformed selector.
 */
export function chunkSelector(selector: string, maxEncodedLength: number): string[] {
  const requirements = parseLabelSelector(selector);
  if (encodedLength(selector) <= maxEncodedLength) {
    return [selector];
  }
  let largest: { key: string; values: string[] } | undefined;
  for (const requirement of requirements) {
    if (requirement.operator === 'In' && requirement.values.length > (largest?.values.length ?? 1)) {
      largest = requirement;
    }
  }
  if (largest === undefined) {
    return [selector];
  }
  const others = requirements.filter((requirement) => requirement !== largest).map(formatRequirement);
  const head = `${others.map((text) => `${text},`).join('')}${largest.key} in (`;
  const fixed = encodedLength(`${head})`);
  const comma = encodedLength(',');

  const chunks: string[][] = [];
  let current: string[] = [];
  let size = fixed;
  for (const value of largest.values) {
    const added = encodedLength(value) + (current.length > 0 ? comma : 0);
    if (current.length > 0 && size + added > maxEncodedLength) {
      chunks.push(current);
      current = [];
      size = fixed;
    }
    size += encodedLength(value) + (current.length > 0 ? comma : 0);
    current.push(value);
  }
  chunks.push(current);
  return chunks.map((values) => `${head}${values.join(',')})`);
}

/** The selector text of one parsed requirement (`=` and `!=` become one-element sets). */
export function formatRequirement(requirement: LabelRequirement): string {
  switch (requirement.operator) {
    case 'Exists':
      return requirement.key;
    case 'DoesNotExist':
      return `!${requirement.key}`;
    case 'In':
      return `${requirement.key} in (${requirement.values.join(',')})`;
    case 'NotIn':
      return `${requirement.key} notin (${requirement.values.join(',')})`;
  }
}
