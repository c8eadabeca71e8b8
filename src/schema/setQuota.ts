import {
  ConflictError,
  NotFoundError,
  QuotaBelowRingFencesError,
  QuotaBelowUsageError,
  UnknownQuotaKindError,
} from '../domain/errors.js';
import type { QuotaParent } from '../resolvers/quota.js';
import { setQuota } from '../resolvers/setQuota.js';
import { builder } from './builder.js';
import { Quota } from './quota.js';

const QuotaEntryInput = builder.inputType('QuotaEntryInput', {
  description: 'A quota for one kind.',
  fields: (t) => ({
    kind: t.id({ description: 'A catalogued quota kind.' }),
    quantity: t.field({ type: 'Quantity', description: 'The new quota, e.g. `40` or `"10Gi"`.' }),
  }),
});

const SetQuotaInput = builder.inputType('SetQuotaInput', {
  description: 'Kinds to change; kinds not listed keep their current quota.',
  fields: (t) => ({
    organizationId: t.id({ description: 'The organization.' }),
    quotas: t.field({ type: [QuotaEntryInput], description: 'The kinds to set, each at most once.' }),
    expectedResourceVersion: t.string({
      required: false,
      description:
        'Refuse with ConflictError unless the stored quota is still at this version (from `Quota.resourceVersion`).',
    }),
  }),
});

const SetQuotaSuccess = builder.objectRef<{ quota: QuotaParent }>('SetQuotaSuccess').implement({
  description: 'The quota was stored.',
  fields: (t) => ({
    quota: t.field({ type: Quota, description: 'The quota as stored now.', resolve: (s) => s.quota }),
  }),
});

builder.mutationField('setQuota', (t) =>
  t.field({
    type: SetQuotaSuccess,
    description:
      'Merge quotas into an organization’s quota. Refused, with nothing written, when a kind is not catalogued, a ' +
      'kind would drop below its committed + reserved usage, or below its ring-fences (the projects’ guarantees plus ' +
      'what projects use beyond them).',
    args: { input: t.arg({ type: SetQuotaInput, description: 'What to change.' }) },
    authScopes: (_root, { input }) => ({ setQuota: String(input.organizationId) }),
    errors: {
      types: [QuotaBelowUsageError, QuotaBelowRingFencesError, UnknownQuotaKindError, ConflictError, NotFoundError],
      directResult: true,
      union: { name: 'SetQuotaResult', description: 'The stored quota, or why nothing was stored.' },
    },
    resolve: (_root, { input }, ctx) =>
      setQuota(ctx, {
        organizationId: String(input.organizationId),
        quotas: input.quotas.map((q) => ({ kind: String(q.kind), quantity: q.quantity })),
        expectedResourceVersion: input.expectedResourceVersion,
      }),
  }),
);
