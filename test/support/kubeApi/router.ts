/**
 * From an HTTP request to the registries: which route a path names, which methods it allows,
 * and what each answers. Paths the apiserver would not serve are 404 NotFound; known paths with
 * a method they do not support are 405 MethodNotAllowed.
 */
import type { ServerResponse } from 'node:http';
import { discoveryDocument } from './discovery.js';
import { type ListScope, listObjects } from './list.js';
import { parseListOptions, parseWatchRevision } from './listOptions.js';
import type { NamespaceRegistry } from './namespaces.js';
import type { CustomResourceRegistry, Subresource } from './objects.js';
import { parseFilter } from './selectors.js';
import { badRequest, methodNotAllowed, optimisticLockConflict, routeNotFound, unsupportedMediaType } from './status.js';
import type { Storage } from './storage.js';
import { customResourceByPlural, GROUP, type JsonObject, NAMESPACES, type ResourceType, VERSION } from './types.js';
import { type WatchSettings, WatchStream } from './watch.js';

type Route =
  | { kind: 'discovery'; document: JsonObject }
  | { kind: 'collection'; resource: ResourceType; namespace: string | undefined }
  | { kind: 'object'; resource: ResourceType; namespace: string | undefined; name: string; subresource: Subresource };

export interface Request {
  method: string;
  path: string;
  query: URLSearchParams;
  contentType: string | undefined;
  body: string;
}

export interface Answer {
  code: number;
  body: JsonObject;
}

export interface RouterContext {
  storage: Storage;
  customResources: CustomResourceRegistry;
  namespaces: NamespaceRegistry;
  serverAddress: string;
  watchSettings: WatchSettings;
  /** Open watches, so that close() and down() can end them. */
  watches: Set<WatchStream>;
  /** Whether a conflict storm claims this PUT. */
  takeConflict: () => boolean;
}

/** Serves `request`; returns the answer, or undefined when a watch stream took over `response`. */
export function serve(context: RouterContext, request: Request, response: ServerResponse): Answer | undefined {
  const route = parseRoute(request.path, context.serverAddress);
  if (route === undefined) throw routeNotFound();
  if (['POST', 'PUT'].includes(request.method)) checkBody(request);
  if (request.query.has('dryRun') && request.method !== 'GET') {
    throw badRequest('dryRun is not supported by this test API server');
  }
  switch (route.kind) {
    case 'discovery':
      if (request.method !== 'GET') throw methodNotAllowed();
      return { code: 200, body: route.document };
    case 'collection':
      return serveCollection(context, route, request, response);
    case 'object':
      return serveObject(context, route, request);
  }
}

function parseRoute(path: string, serverAddress: string): Route | undefined {
  const document = discoveryDocument(path, serverAddress);
  if (document !== undefined) return { kind: 'discovery', document };
  let segments: string[];
  try {
    segments = path.split('/').slice(1).map(decodeURIComponent);
  } catch {
    return undefined;
  }
  if (segments.some((segment) => segment === '')) return undefined;
  const [root, ...rest] = segments;
  if (root === 'api' && rest[0] === 'v1' && rest[1] === NAMESPACES.plural) return namespaceRoute(rest.slice(2));
  if (root === 'apis' && rest[0] === GROUP && rest[1] === VERSION) return customResourceRoute(rest.slice(2));
  return undefined;
}

/** /api/v1/namespaces[/{name}] */
function namespaceRoute(rest: string[]): Route | undefined {
  if (rest.length === 0) return { kind: 'collection', resource: NAMESPACES, namespace: undefined };
  if (rest.length === 1)
    return { kind: 'object', resource: NAMESPACES, namespace: undefined, name: rest[0]!, subresource: 'main' };
  return undefined;
}

/** /apis/G/V/{plural} and /apis/G/V/namespaces/{ns}/{plural}[/{name}[/status]] */
function customResourceRoute(rest: string[]): Route | undefined {
  if (rest.length === 1) {
    const resource = customResourceByPlural(rest[0]!);
    return resource === undefined ? undefined : { kind: 'collection', resource, namespace: undefined };
  }
  const [namespaces, namespace, plural, name, subresource, ...extra] = rest;
  const resource = customResourceByPlural(plural ?? '');
  if (namespaces !== 'namespaces' || namespace === undefined || resource === undefined || extra.length > 0) {
    return undefined;
  }
  if (name === undefined) return { kind: 'collection', resource, namespace };
  if (subresource === undefined) return { kind: 'object', resource, namespace, name, subresource: 'main' };
  return subresource === 'status' ? { kind: 'object', resource, namespace, name, subresource: 'status' } : undefined;
}

/** The apiserver negotiates the body's media type; this server speaks JSON only (no YAML, no protobuf). */
function checkBody(request: Request): void {
  const mediaType = (request.contentType ?? 'application/json').split(';')[0]!.trim().toLowerCase();
  if (mediaType !== 'application/json') throw unsupportedMediaType(mediaType);
}

function serveCollection(
  context: RouterContext,
  route: Extract<Route, { kind: 'collection' }>,
  request: Request,
  response: ServerResponse,
): Answer | undefined {
  const { resource, namespace } = route;
  if (request.method === 'GET') {
    const options = parseListOptions(request.query);
    const scope: ListScope = { resource, namespace, filter: parseFilter(resource, namespace, request.query) };
    if (!options.watch) return { code: 200, body: listObjects(context.storage, scope, options) };
    const from = parseWatchRevision(options.resourceVersion, resource);
    const stream = new WatchStream(context.storage, scope, response, (finished) => context.watches.delete(finished));
    context.watches.add(stream);
    stream.start(from, options, context.watchSettings);
    return undefined;
  }
  if (request.method === 'POST') {
    if (resource === NAMESPACES) return { code: 201, body: context.namespaces.create(request.body) };
    // The cluster-wide path of a namespaced resource only lists and watches.
    if (namespace === undefined) throw methodNotAllowed();
    return { code: 201, body: context.customResources.create(resource, namespace, request.body) };
  }
  if (request.method === 'DELETE')
    throw methodNotAllowed('deletecollection is not implemented by this test API server');
  throw methodNotAllowed();
}

function serveObject(context: RouterContext, route: Extract<Route, { kind: 'object' }>, request: Request): Answer {
  const { resource, name, subresource } = route;
  if (resource === NAMESPACES) {
    if (request.method === 'GET') return { code: 200, body: context.namespaces.get(name) };
    if (request.method === 'DELETE') return { code: 200, body: context.namespaces.delete(name, request.body) };
    throw methodNotAllowed();
  }
  const namespace = route.namespace!;
  switch (request.method) {
    case 'GET':
      return { code: 200, body: context.customResources.get(resource, namespace, name) };
    case 'PUT':
      if (context.takeConflict()) throw optimisticLockConflict(resource, name);
      return { code: 200, body: context.customResources.replace(resource, namespace, name, request.body, subresource) };
    case 'DELETE':
      if (subresource === 'status') throw methodNotAllowed();
      return { code: 200, body: context.customResources.delete(resource, namespace, name, request.body) };
    case 'PATCH':
      throw methodNotAllowed('patch is not implemented by this test API server');
    default:
      throw methodNotAllowed();
  }
}
