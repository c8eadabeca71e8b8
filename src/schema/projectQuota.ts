import {
  ConflictError,
  NotFoundError,
  ProjectLimitBelowUsageError,
  RingFenceExceedsQuotaError,
  SharedPoolExhaustedError,
  UnknownQuotaKindError,
} from '../domain/errors.js';
import type { ProjectRecord } from '../domain/model.js';
import { setProjectQuota } from '../resolvers/projectQuota.js';
import { builder } from './builder.js';
import { Project } from './project.js';

const ProjectQuotaEntryInput = builder.inputType('ProjectQuotaEntryInput', {
  description:
    'A project’s ring-fence for one kind. It replaces the project’s fence for that kind; both null removes it.',
  fields: (t) => ({
    kind: t.id({ description: 'A catalogued quota kind.' }),
    guaranteed: t.field({
      type: 'Quantity',
      required: false,
      description:
        'Reserved for this project alone, out of the organization’s quantity, e.g. `4`; null or omitted for none.',
    }),
    limit: t.field({
      type: 'Quantity',
      required: false,
      description:
        'A hard cap on the project’s usage, not below `guaranteed`; null or omitted for none, in which case the ' +
        'guarantee (when set) is the cap.',
    }),
  }),
});

const SetProjectQuotaInput = builder.inputType('SetProjectQuotaInput', {
  description: 'Kinds whose fence changes for one project; kinds not listed keep their current fence.',
  fields: (t) => ({
    organizationId: t.id({ description: 'The organization.' }),
    projectId: t.id({ description: 'The organization’s project.' }),
    quotas: t.field({ type: [ProjectQuotaEntryInput], description: 'The kinds to set, each at most once.' }),
    expectedResourceVersion: t.string({
      required: false,
      description:
        'Refuse with ConflictError unless the stored quota is still at this version (from `Quota.resourceVersion`).',
    }),
  }),
});

const SetProjectQuotaSuccess = builder.objectRef<{ project: ProjectRecord }>('SetProjectQuotaSuccess').implement({
  description: 'The project’s fences were stored.',
  fields: (t) => ({
    project: t.field({
      type: Project,
      description: 'The project, whose `quota` shows the fences as stored now.',
      resolve: (s) => s.project,
    }),
  }),
});

builder.mutationField('setProjectQuota', (t) =>
  t.field({
    type: SetProjectQuotaSuccess,
    description:
      'Merge ring-fences (a guarantee and a limit per kind) into a project’s share of its organization’s quota. ' +
      'Refused, with nothing written, when the guarantees would exceed the quantity, a limit would drop below the ' +
      'project’s usage, or what projects use beyond their guarantees would no longer fit the shared pool.',
    args: { input: t.arg({ type: SetProjectQuotaInput, description: 'What to change.' }) },
    authScopes: (_root, { input }) => ({ setProjectQuota: String(input.organizationId) }),
    errors: {
      types: [
        RingFenceExceedsQuotaError,
        ProjectLimitBelowUsageError,
        SharedPoolExhaustedError,
        UnknownQuotaKindError,
        NotFoundError,
        ConflictError,
      ],
      directResult: true,
      union: {
        name: 'SetProjectQuotaResult',
        description: 'The project with its stored fences, or why nothing was stored.',
      },
    },
    resolve: (_root, { input }, ctx) =>
      setProjectQuota(ctx, {
        organizationId: String(input.organizationId),
        projectId: String(input.projectId),
        quotas: input.quotas.map((q) => ({
          kind: String(q.kind),
          guaranteed: q.guaranteed ?? null,
          limit: q.limit ?? null,
        })),
        expectedResourceVersion: input.expectedResourceVersion,
      }),
  }),
);
