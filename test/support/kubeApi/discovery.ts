/**
 * Discovery documents (/api, /apis, /apis/<group>, /apis/<group>/<version>, /version), listing
 * only the verbs this server implements, so a discovery-driven client is not misled.
 */
import { apiVersionOf, CUSTOM_RESOURCES, GROUP, GROUP_VERSION, type JsonObject, NAMESPACES, VERSION } from './types.js';

const RESOURCE_VERBS = ['create', 'delete', 'get', 'list', 'update', 'watch'];
const STATUS_VERBS = ['get', 'update'];

const groupVersion = { groupVersion: GROUP_VERSION, version: VERSION };

const apiGroup = (): JsonObject => ({
  name: GROUP,
  versions: [groupVersion],
  preferredVersion: groupVersion,
});

function customResourceList(): JsonObject {
  const resources = CUSTOM_RESOURCES.flatMap((resource) => [
    {
      name: resource.plural,
      singularName: resource.singular,
      namespaced: true,
      kind: resource.kind,
      verbs: RESOURCE_VERBS,
    },
    { name: `${resource.plural}/status`, singularName: '', namespaced: true, kind: resource.kind, verbs: STATUS_VERBS },
  ]);
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: GROUP_VERSION, resources };
}

const coreResourceList = (): JsonObject => ({
  kind: 'APIResourceList',
  groupVersion: apiVersionOf(NAMESPACES),
  resources: [
    {
      name: NAMESPACES.plural,
      singularName: NAMESPACES.singular,
      namespaced: false,
      kind: NAMESPACES.kind,
      verbs: ['create', 'delete', 'get', 'list'],
      shortNames: ['ns'],
    },
  ],
});

/** The document served at `path`, or undefined when `path` is not a discovery path. */
export function discoveryDocument(path: string, serverAddress: string): JsonObject | undefined {
  switch (path) {
    case '/api':
      return {
        kind: 'APIVersions',
        versions: ['v1'],
        serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }],
      };
    case '/api/v1':
      return coreResourceList();
    case '/apis':
      return { kind: 'APIGroupList', apiVersion: 'v1', groups: [apiGroup()] };
    case `/apis/${GROUP}`:
      return { kind: 'APIGroup', apiVersion: 'v1', ...apiGroup() };
    case `/apis/${GROUP_VERSION}`:
      return customResourceList();
    case '/version':
      return {
        major: '1',
        minor: '31',
        gitVersion: 'v1.31.0+quotagraph-test',
        gitCommit: '0000000000000000000000000000000000000000',
        gitTreeState: 'clean',
        buildDate: '2024-08-13T00:00:00Z',
        goVersion: 'go1.22.5',
        compiler: 'gc',
        platform: 'linux/amd64',
      };
    default:
      return undefined;
  }
}
