/** Label and annotation keys shared with unikorn-cloud identity (DESIGN §1) and quotagraph's own. */
export const LABEL_ORGANIZATION = 'unikorn-cloud.org/organization';
export const LABEL_PROJECT = 'unikorn-cloud.org/project';
export const LABEL_NAME = 'unikorn-cloud.org/name';
export const LABEL_RESOURCE_KIND = 'resource.unikorn-cloud.org/kind';
export const LABEL_RESOURCE_ID = 'resource.unikorn-cloud.org/id';
