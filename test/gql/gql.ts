/* eslint-disable */
import * as types from './graphql.js';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "\n  query OrganizationsPage($first: Int, $after: String) {\n    organizations(first: $first, after: $after) {\n      totalCount\n      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }\n      edges { cursor node { id name } }\n    }\n  }\n": typeof types.OrganizationsPageDocument,
    "\n  query Catalogue {\n    quotaKinds { name displayName description default }\n    gpus: quotaKind(name: \"gpus\") { name default }\n    missing: quotaKind(name: \"tpus\") { name }\n  }\n": typeof types.CatalogueDocument,
    "\n  query OrganizationQuota($id: ID!) {\n    organization(id: $id) {\n      id\n      name\n      quota {\n        organization { id }\n        isDefault\n        resourceVersion\n        items { kind { name displayName } quantity isDefault committed reserved used free utilization }\n        servers: item(kind: \"servers\") { quantity used }\n        nothing: item(kind: \"tpus\") { quantity }\n        problems { code kind message }\n      }\n    }\n  }\n": typeof types.OrganizationQuotaDocument,
    "\n  query Projects($id: ID!) {\n    organization(id: $id) {\n      projects { id name organization { id name } usage { kind { name } committed reserved used } }\n    }\n  }\n": typeof types.ProjectsDocument,
};
const documents: Documents = {
    "\n  query OrganizationsPage($first: Int, $after: String) {\n    organizations(first: $first, after: $after) {\n      totalCount\n      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }\n      edges { cursor node { id name } }\n    }\n  }\n": types.OrganizationsPageDocument,
    "\n  query Catalogue {\n    quotaKinds { name displayName description default }\n    gpus: quotaKind(name: \"gpus\") { name default }\n    missing: quotaKind(name: \"tpus\") { name }\n  }\n": types.CatalogueDocument,
    "\n  query OrganizationQuota($id: ID!) {\n    organization(id: $id) {\n      id\n      name\n      quota {\n        organization { id }\n        isDefault\n        resourceVersion\n        items { kind { name displayName } quantity isDefault committed reserved used free utilization }\n        servers: item(kind: \"servers\") { quantity used }\n        nothing: item(kind: \"tpus\") { quantity }\n        problems { code kind message }\n      }\n    }\n  }\n": types.OrganizationQuotaDocument,
    "\n  query Projects($id: ID!) {\n    organization(id: $id) {\n      projects { id name organization { id name } usage { kind { name } committed reserved used } }\n    }\n  }\n": types.ProjectsDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query OrganizationsPage($first: Int, $after: String) {\n    organizations(first: $first, after: $after) {\n      totalCount\n      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }\n      edges { cursor node { id name } }\n    }\n  }\n"): (typeof documents)["\n  query OrganizationsPage($first: Int, $after: String) {\n    organizations(first: $first, after: $after) {\n      totalCount\n      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }\n      edges { cursor node { id name } }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Catalogue {\n    quotaKinds { name displayName description default }\n    gpus: quotaKind(name: \"gpus\") { name default }\n    missing: quotaKind(name: \"tpus\") { name }\n  }\n"): (typeof documents)["\n  query Catalogue {\n    quotaKinds { name displayName description default }\n    gpus: quotaKind(name: \"gpus\") { name default }\n    missing: quotaKind(name: \"tpus\") { name }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query OrganizationQuota($id: ID!) {\n    organization(id: $id) {\n      id\n      name\n      quota {\n        organization { id }\n        isDefault\n        resourceVersion\n        items { kind { name displayName } quantity isDefault committed reserved used free utilization }\n        servers: item(kind: \"servers\") { quantity used }\n        nothing: item(kind: \"tpus\") { quantity }\n        problems { code kind message }\n      }\n    }\n  }\n"): (typeof documents)["\n  query OrganizationQuota($id: ID!) {\n    organization(id: $id) {\n      id\n      name\n      quota {\n        organization { id }\n        isDefault\n        resourceVersion\n        items { kind { name displayName } quantity isDefault committed reserved used free utilization }\n        servers: item(kind: \"servers\") { quantity used }\n        nothing: item(kind: \"tpus\") { quantity }\n        problems { code kind message }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Projects($id: ID!) {\n    organization(id: $id) {\n      projects { id name organization { id name } usage { kind { name } committed reserved used } }\n    }\n  }\n"): (typeof documents)["\n  query Projects($id: ID!) {\n    organization(id: $id) {\n      projects { id name organization { id name } usage { kind { name } committed reserved used } }\n    }\n  }\n"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;