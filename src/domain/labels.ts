/** Label and annotation keys shared with unikorn-cloud identity (DESIGN §1) and quotagraph's own. */
export const LABEL_ORGANIZATION = 'unikorn-cloud.org/organization';
export const LABEL_PROJECT = 'unikorn-cloud.org/project';
export const LABEL_NAME = 'unikorn-cloud.org/name';
export const LABEL_RESOURCE_KIND = 'resource.unikorn-cloud.org/kind';
export const LABEL_RESOURCE_ID = 'resource.unikorn-cloud.org/id';

// quotagraph's own marks for the admission protocol (DESIGN §5).
/** Label on an Allocation whose admission is being decided; its only value is {@link ADMISSION_PENDING}. */
export const LABEL_ADMISSION = 'quotagraph.dev/admission';
export const ADMISSION_PENDING = 'pending';
/** On a pending Allocation: when the mark was written (RFC 3339), for the janitor's TTL. */
export const ANNOTATION_PENDING_SINCE = 'quotagraph.dev/pending-since';
/** On a pending update: the spec before it (JSON), restored if the update is refused. */
export const ANNOTATION_PREVIOUS_SPEC = 'quotagraph.dev/previous-spec';
/** On the Quota: bumped by every decision, so the Quota's compare-and-swap orders all decisions. */
export const ANNOTATION_FENCE = 'quotagraph.dev/fence';
