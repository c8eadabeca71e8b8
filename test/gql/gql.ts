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
    "\n  query BatchDashboard($id: ID!) {\n    organization(id: $id) {\n      quota { items { kind { name displayName } quantity used free } problems { code } }\n      projects { id organization { id name } usage { kind { name } used } }\n    }\n  }\n": typeof types.BatchDashboardDocument,
    "\n  query BatchReport($first: Int) {\n    organizations(first: $first) {\n      totalCount\n      edges { node { id name quota { items { kind { name } quantity used free } problems { code } } } }\n    }\n  }\n": typeof types.BatchReportDocument,
    "\n  query OrganizationsPage($first: Int, $after: String) {\n    organizations(first: $first, after: $after) {\n      totalCount\n      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }\n      edges { cursor node { id name } }\n    }\n  }\n": typeof types.OrganizationsPageDocument,
    "\n  query Catalogue {\n    quotaKinds { name displayName description default }\n    gpus: quotaKind(name: \"gpus\") { name default }\n    missing: quotaKind(name: \"tpus\") { name }\n  }\n": typeof types.CatalogueDocument,
    "\n  query OrganizationQuota($id: ID!) {\n    organization(id: $id) {\n      id\n      name\n      quota {\n        organization { id }\n        isDefault\n        resourceVersion\n        items { kind { name displayName } quantity isDefault committed reserved used free utilization }\n        servers: item(kind: \"servers\") { quantity used }\n        nothing: item(kind: \"tpus\") { quantity }\n        problems { code kind message }\n      }\n    }\n  }\n": typeof types.OrganizationQuotaDocument,
    "\n  query Projects($id: ID!) {\n    organization(id: $id) {\n      projects { id name organization { id name } usage { kind { name } committed reserved used } }\n    }\n  }\n": typeof types.ProjectsDocument,
    "\n  mutation SetQuota($input: SetQuotaInput!) {\n    setQuota(input: $input) {\n      __typename\n      ... on Error { message }\n      ... on SetQuotaSuccess {\n        quota {\n          organization { id }\n          isDefault\n          resourceVersion\n          items { kind { name } quantity isDefault used free }\n          problems { code kind }\n        }\n      }\n      ... on QuotaBelowUsageError { violations { kind requested committed reserved } }\n      ... on UnknownQuotaKindError { kinds }\n      ... on ConflictError { currentResourceVersion }\n      ... on NotFoundError { id }\n    }\n  }\n": typeof types.SetQuotaDocument,
    "\n  mutation SetServersLiteral {\n    setQuota(input: { organizationId: \"acme\", quotas: [{ kind: \"servers\", quantity: \"500m\" }] }) { __typename }\n  }\n": typeof types.SetServersLiteralDocument,
    "\n  query ReadQuota($id: ID!) {\n    organization(id: $id) { quota { isDefault resourceVersion items { kind { name } quantity isDefault } } }\n  }\n": typeof types.ReadQuotaDocument,
    "\n  query UnikornEverything {\n    quotaKinds { name default }\n    organizations(first: 100) {\n      totalCount\n      edges {\n        node {\n          id\n          name\n          quota {\n            isDefault\n            resourceVersion\n            items { kind { name } quantity isDefault committed reserved used free utilization }\n            problems { code }\n          }\n          projects { id name usage { kind { name } committed reserved used } }\n        }\n      }\n    }\n  }\n": typeof types.UnikornEverythingDocument,
};
const documents: Documents = {
    "\n  query BatchDashboard($id: ID!) {\n    organization(id: $id) {\n      quota { items { kind { name displayName } quantity used free } problems { code } }\n      projects { id organization { id name } usage { kind { name } used } }\n    }\n  }\n": types.BatchDashboardDocument,
    "\n  query BatchReport($first: Int) {\n    organizations(first: $first) {\n      totalCount\n      edges { node { id name quota { items { kind { name } quantity used free } problems { code } } } }\n    }\n  }\n": types.BatchReportDocument,
    "\n  query OrganizationsPage($first: Int, $after: String) {\n    organizations(first: $first, after: $after) {\n      totalCount\n      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }\n      edges { cursor node { id name } }\n    }\n  }\n": types.OrganizationsPageDocument,
    "\n  query Catalogue {\n    quotaKinds { name displayName description default }\n    gpus: quotaKind(name: \"gpus\") { name default }\n    missing: quotaKind(name: \"tpus\") { name }\n  }\n": types.CatalogueDocument,
    "\n  query OrganizationQuota($id: ID!) {\n    organization(id: $id) {\n      id\n      name\n      quota {\n        organization { id }\n        isDefault\n        resourceVersion\n        items { kind { name displayName } quantity isDefault committed reserved used free utilization }\n        servers: item(kind: \"servers\") { quantity used }\n        nothing: item(kind: \"tpus\") { quantity }\n        problems { code kind message }\n      }\n    }\n  }\n": types.OrganizationQuotaDocument,
    "\n  query Projects($id: ID!) {\n    organization(id: $id) {\n      projects { id name organization { id name } usage { kind { name } committed reserved used } }\n    }\n  }\n": types.ProjectsDocument,
    "\n  mutation SetQuota($input: SetQuotaInput!) {\n    setQuota(input: $input) {\n      __typename\n      ... on Error { message }\n      ... on SetQuotaSuccess {\n        quota {\n          organization { id }\n          isDefault\n          resourceVersion\n          items { kind { name } quantity isDefault used free }\n          problems { code kind }\n        }\n      }\n      ... on QuotaBelowUsageError { violations { kind requested committed reserved } }\n      ... on UnknownQuotaKindError { kinds }\n      ... on ConflictError { currentResourceVersion }\n      ... on NotFoundError { id }\n    }\n  }\n": types.SetQuotaDocument,
    "\n  mutation SetServersLiteral {\n    setQuota(input: { organizationId: \"acme\", quotas: [{ kind: \"servers\", quantity: \"500m\" }] }) { __typename }\n  }\n": types.SetServersLiteralDocument,
    "\n  query ReadQuota($id: ID!) {\n    organization(id: $id) { quota { isDefault resourceVersion items { kind { name } quantity isDefault } } }\n  }\n": types.ReadQuotaDocument,
    "\n  query UnikornEverything {\n    quotaKinds { name default }\n    organizations(first: 100) {\n      totalCount\n      edges {\n        node {\n          id\n          name\n          quota {\n            isDefault\n            resourceVersion\n            items { kind { name } quantity isDefault committed reserved used free utilization }\n            problems { code }\n          }\n          projects { id name usage { kind { name } committed reserved used } }\n        }\n      }\n    }\n  }\n": types.UnikornEverythingDocument,
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
export function graphql(source: "\n  query BatchDashboard($id: ID!) {\n    organization(id: $id) {\n      quota { items { kind { name displayName } quantity used free } problems { code } }\n      projects { id organization { id name } usage { kind { name } used } }\n    }\n  }\n"): (typeof documents)["\n  query BatchDashboard($id: ID!) {\n    organization(id: $id) {\n      quota { items { kind { name displayName } quantity used free } problems { code } }\n      projects { id organization { id name } usage { kind { name } used } }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query BatchReport($first: Int) {\n    organizations(first: $first) {\n      totalCount\n      edges { node { id name quota { items { kind { name } quantity used free } problems { code } } } }\n    }\n  }\n"): (typeof documents)["\n  query BatchReport($first: Int) {\n    organizations(first: $first) {\n      totalCount\n      edges { node { id name quota { items { kind { name } quantity used free } problems { code } } } }\n    }\n  }\n"];
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
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SetQuota($input: SetQuotaInput!) {\n    setQuota(input: $input) {\n      __typename\n      ... on Error { message }\n      ... on SetQuotaSuccess {\n        quota {\n          organization { id }\n          isDefault\n          resourceVersion\n          items { kind { name } quantity isDefault used free }\n          problems { code kind }\n        }\n      }\n      ... on QuotaBelowUsageError { violations { kind requested committed reserved } }\n      ... on UnknownQuotaKindError { kinds }\n      ... on ConflictError { currentResourceVersion }\n      ... on NotFoundError { id }\n    }\n  }\n"): (typeof documents)["\n  mutation SetQuota($input: SetQuotaInput!) {\n    setQuota(input: $input) {\n      __typename\n      ... on Error { message }\n      ... on SetQuotaSuccess {\n        quota {\n          organization { id }\n          isDefault\n          resourceVersion\n          items { kind { name } quantity isDefault used free }\n          problems { code kind }\n        }\n      }\n      ... on QuotaBelowUsageError { violations { kind requested committed reserved } }\n      ... on UnknownQuotaKindError { kinds }\n      ... on ConflictError { currentResourceVersion }\n      ... on NotFoundError { id }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SetServersLiteral {\n    setQuota(input: { organizationId: \"acme\", quotas: [{ kind: \"servers\", quantity: \"500m\" }] }) { __typename }\n  }\n"): (typeof documents)["\n  mutation SetServersLiteral {\n    setQuota(input: { organizationId: \"acme\", quotas: [{ kind: \"servers\", quantity: \"500m\" }] }) { __typename }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ReadQuota($id: ID!) {\n    organization(id: $id) { quota { isDefault resourceVersion items { kind { name } quantity isDefault } } }\n  }\n"): (typeof documents)["\n  query ReadQuota($id: ID!) {\n    organization(id: $id) { quota { isDefault resourceVersion items { kind { name } quantity isDefault } } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query UnikornEverything {\n    quotaKinds { name default }\n    organizations(first: 100) {\n      totalCount\n      edges {\n        node {\n          id\n          name\n          quota {\n            isDefault\n            resourceVersion\n            items { kind { name } quantity isDefault committed reserved used free utilization }\n            problems { code }\n          }\n          projects { id name usage { kind { name } committed reserved used } }\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query UnikornEverything {\n    quotaKinds { name default }\n    organizations(first: 100) {\n      totalCount\n      edges {\n        node {\n          id\n          name\n          quota {\n            isDefault\n            resourceVersion\n            items { kind { name } quantity isDefault committed reserved used free utilization }\n            problems { code }\n          }\n          projects { id name usage { kind { name } committed reserved used } }\n        }\n      }\n    }\n  }\n"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;