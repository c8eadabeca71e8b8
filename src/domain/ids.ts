/**
 * Organization, project and kind IDs are Kubernetes object names that are also used as label
 * values (selectors like `organization in (a,b)`), so they must satisfy both grammars: a DNS-1123
 * subdomain of at most 63 characters. Checking this up front also keeps caller input from ever
 * being spliced into a selector.
 */
const ID_PATTERN = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

export const MAX_ID_LENGTH = 63;

export function isValidId(id: string): boolean {
  return id.length <= MAX_ID_LENGTH && ID_PATTERN.test(id);
}

/** Why `id` is not an ID, or null when it is one. */
export function idProblem(id: string): string | null {
  if (id.length === 0) return 'must not be empty';
  if (id.length > MAX_ID_LENGTH) return `must be at most ${MAX_ID_LENGTH} characters`;
  if (!ID_PATTERN.test(id)) return 'must be lower-case letters, digits, "-" or ".", starting and ending alphanumeric';
  return null;
}
