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

/**
 * A resource kind or resource id of an allocation becomes a label value
 * (`resource.unikorn-cloud.org/kind`, `/id`), so it must satisfy Kubernetes' label-value grammar:
 * at most 63 characters of letters, digits, "-", "_" or ".", starting and ending alphanumeric.
 * The empty value, valid for Kubernetes, names no resource and is refused too.
 */
const LABEL_VALUE_PATTERN = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;

export const MAX_LABEL_VALUE_LENGTH = 63;

/** Why `value` cannot be a (non-empty) label value, or null when it can. */
export function labelValueProblem(value: string): string | null {
  if (value.length === 0) return 'must not be empty';
  if (value.length > MAX_LABEL_VALUE_LENGTH) return `must be at most ${MAX_LABEL_VALUE_LENGTH} characters`;
  if (!LABEL_VALUE_PATTERN.test(value)) {
    return 'must be letters, digits, "-", "_" or ".", starting and ending alphanumeric (a Kubernetes label value)';
  }
  return null;
}
