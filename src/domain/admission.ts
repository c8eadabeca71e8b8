/**
 * The admission protocol (DESIGN §5): every capacity decision of an organization is serialized
 * through one object, the organization's Quota, so that no number of gateway replicas can admit
 * more than the quota allows.
 *
 *   1. The caller writes the change first, marked pending (see allocations.ts). Pending
 *      allocations count as usage for every decision.
 *   2. Read the Quota (its resourceVersion R), then 3. list the organization's allocations.
 *   4. Decide with everything listed, pending included.
 *   5. Commit: compare-and-swap the Quota at R (bumping its fence annotation, or writing the new
 *      limits). A Conflict means another decision committed in between: go back to 2.
 *
 * Why it holds: two decisions that both commit are ordered by the CAS on the Quota. The later one
 * read the Quota after the earlier one's commit, and listed after that read, so it saw the earlier
 * change (written before the earlier decision even listed). Each decision checks the total, so
 * the last one to commit has checked everything that committed before it.
 *
 * This module knows the store port only; it is shared by allocation writes, quota changes and the
 * janitor, so the capacity rule and its commit point exist once.
 */
import { randomUUID } from 'node:crypto';
import { API_VERSION, isStoreError, type ObjectStore, type StoredObject } from '../store/types.js';
import { buildCatalogue, type Catalogue } from './catalogue.js';
import { ConflictError, NotFoundError } from './errors.js';
import { ANNOTATION_FENCE, LABEL_ORGANIZATION } from './labels.js';
import {
  type AllocationRecord,
  type OrganizationRecord,
  type QuotaRecord,
  readAllocation,
  readOrganization,
  readQuota,
} from './model.js';
import { pickQuota } from './ownership.js';

/** Where a decision is; test hooks pause a writer at any of these to force an interleaving. */
export type AdmissionStep =
  | 'previewed'
  | 'pending-written'
  | 'quota-read'
  | 'listed'
  | 'committed'
  | 'settled'
  | 'rolled-back';

export interface StepInfo {
  organizationId: string;
  /** 1 for the first try, more after a lost compare-and-swap or contention. */
  attempt: number;
}

export type AdmissionHook = (step: AdmissionStep, info: StepInfo) => Promise<void> | void;

/** What a decision sees: the Quota as read at R and every allocation listed after that read. */
export interface DecisionState {
  organization: OrganizationRecord;
  /** null when the organization has no Quota object (it follows the catalogue defaults). */
  quota: QuotaRecord | null;
  /** The stored Quota's spec as it is ({} when none), so a quota change keeps what it does not own. */
  quotaSpec: Record<string, unknown>;
  catalogue: Catalogue;
  allocations: AllocationRecord[];
}

/**
 * A check's answer. `commit` writes `spec` into the Quota when given (a quota change) and only
 * bumps the fence otherwise (an allocation); `contended` means only other writers' pending
 * allocations are in the way, which is worth a retry, not a refusal.
 */
export type Verdict<T> =
  | { type: 'commit'; value: T; spec?: Record<string, unknown> }
  | { type: 'refuse'; error: Error }
  | { type: 'contended' };

export type DecisionResult<T> =
  | { type: 'committed'; value: T; quota: StoredObject }
  | { type: 'refused'; error: Error }
  | { type: 'contended' };

export interface AdmissionOptions {
  hook?: AdmissionHook;
  /** Decisions (lost CASes and contention retries together) before answering ConflictError. */
  maxAttempts?: number;
  /** Backoff after contention: a random delay up to min(maxMs, baseMs × 2^attempt). */
  backoff?: { baseMs: number; maxMs: number };
  random?: () => number;
  now?: () => Date;
}

/** Name of the Quota object the gateway creates when an organization has none. */
export const QUOTA_OBJECT_NAME = 'quota';

export class Admission {
  readonly maxAttempts: number;
  private readonly queues = new Map<string, Promise<unknown>>();
  private readonly hook: AdmissionHook;
  private readonly backoffMs: { baseMs: number; maxMs: number };
  private readonly random: () => number;
  readonly now: () => Date;

  constructor(
    readonly store: ObjectStore,
    readonly identityNamespace: string,
    options: AdmissionOptions = {},
  ) {
    this.maxAttempts = options.maxAttempts ?? 8;
    this.hook = options.hook ?? (() => {});
    this.backoffMs = options.backoff ?? { baseMs: 5, maxMs: 250 };
    this.random = options.random ?? Math.random;
    this.now = options.now ?? (() => new Date());
  }

  /**
   * Runs `work` after every earlier decision for the same organization in this process has
   * finished: within a process decisions never race each other, so only replicas contend.
   */
  serialize<T>(organizationId: string, work: () => Promise<T>): Promise<T> {
    const previous = this.queues.get(organizationId) ?? Promise.resolve();
    const next = previous.then(work, work);
    const tail = next.catch(() => {});
    this.queues.set(organizationId, tail);
    void tail.then(() => {
      if (this.queues.get(organizationId) === tail) this.queues.delete(organizationId);
    });
    return next;
  }

  step(step: AdmissionStep, info: StepInfo): Promise<void> | void {
    return this.hook(step, info);
  }

  /** Waits a random, growing delay so that contending replicas stop colliding. */
  async backoff(attempt: number): Promise<void> {
    const ceiling = Math.min(this.backoffMs.maxMs, this.backoffMs.baseMs * 2 ** attempt);
    await new Promise((resolve) => setTimeout(resolve, Math.floor(this.random() * ceiling)));
  }

  async organization(id: string): Promise<OrganizationRecord> {
    try {
      return readOrganization(await this.store.get('Organization', this.identityNamespace, id));
    } catch (error) {
      if (isStoreError(error, 'NotFound')) throw new NotFoundError(id);
      throw error;
    }
  }

  /**
   * Steps 2–5: reads the Quota, then lists, decides with `check`, and commits with a
   * compare-and-swap on the Quota, re-deciding after every lost swap. The caller has already
   * written its change (pending), so every concurrent decision sees it.
   */
  async decide<T>(
    organization: OrganizationRecord,
    check: (state: DecisionState) => Verdict<T>,
    attempt = 1,
  ): Promise<DecisionResult<T>> {
    const namespace = requireNamespace(organization);
    for (let swap = 0; swap < this.maxAttempts; swap++) {
      const info = { organizationId: organization.id, attempt };
      const { quotaObject, state } = await this.readState(organization, namespace, info);
      const verdict = check(state);
      if (verdict.type === 'refuse') return { type: 'refused', error: verdict.error };
      if (verdict.type === 'contended') return { type: 'contended' };

      const committed = await this.commit(organization, namespace, quotaObject, verdict.spec);
      if (committed) {
        await this.step('committed', info);
        return { type: 'committed', value: verdict.value, quota: committed };
      }
    }
    throw new ConflictError(await this.currentQuotaVersion(organization), tooMuchContention(organization.id));
  }

  /**
   * The state a decision would see now, read the same way (the Quota first), without deciding or
   * committing anything and without the test hooks. For refusing early: a verdict reached on it is
   * as sound as one reached in {@link decide}, which also refuses on what it read.
   */
  async preview<T>(organization: OrganizationRecord, check: (state: DecisionState) => Verdict<T>): Promise<Verdict<T>> {
    return check((await this.readState(organization, requireNamespace(organization), null)).state);
  }

  /** Steps 2–3. The order matters: the Quota first, then the allocations (see the proof above). */
  private async readState(organization: OrganizationRecord, namespace: string, info: StepInfo | null) {
    const quotaObject = await this.readQuota(organization, namespace);
    if (info) await this.step('quota-read', info);
    const [allocations, metadata] = await Promise.all([
      this.store.list('Allocation', { labelSelector: `${LABEL_ORGANIZATION}=${organization.id}` }),
      this.store.list('QuotaMetadata', { namespace: this.identityNamespace }),
    ]);
    if (info) await this.step('listed', info);
    const state: DecisionState = {
      organization,
      quota: quotaObject ? readQuota(quotaObject) : null,
      quotaSpec: quotaObject?.spec ?? {},
      catalogue: buildCatalogue(metadata.items),
      allocations: allocations.items.map(readAllocation),
    };
    return { quotaObject, state };
  }

  /** The Quota's compare-and-swap; null when another decision committed first. */
  private async commit(
    organization: OrganizationRecord,
    namespace: string,
    quota: StoredObject | null,
    spec: Record<string, unknown> | undefined,
  ): Promise<StoredObject | null> {
    const fence = { [ANNOTATION_FENCE]: randomUUID() };
    try {
      if (quota === null) {
        // "Absent" was read too: creating is the swap, and AlreadyExists is the lost race.
        return await this.store.create({
          apiVersion: API_VERSION,
          kind: 'Quota',
          metadata: {
            name: QUOTA_OBJECT_NAME,
            namespace,
            labels: { [LABEL_ORGANIZATION]: organization.id },
            annotations: fence,
          },
          spec: spec ?? {},
        });
      }
      return await this.store.update({
        ...quota,
        metadata: { ...quota.metadata, annotations: { ...quota.metadata.annotations, ...fence } },
        spec: spec ?? quota.spec ?? {},
      });
    } catch (error) {
      if (isStoreError(error, 'Conflict') || isStoreError(error, 'AlreadyExists')) return null;
      throw error;
    }
  }

  private async readQuota(organization: OrganizationRecord, namespace: string): Promise<StoredObject | null> {
    const quotas = await this.store.list('Quota', {
      namespace,
      labelSelector: `${LABEL_ORGANIZATION}=${organization.id}`,
    });
    return pickQuota(namespace, quotas.items);
  }

  async currentQuotaVersion(organization: OrganizationRecord): Promise<string | null> {
    if (organization.namespace === null) return null;
    return (await this.readQuota(organization, organization.namespace))?.metadata.resourceVersion ?? null;
  }
}

function requireNamespace(organization: OrganizationRecord): string {
  if (organization.namespace === null) {
    throw new NotFoundError(
      organization.id,
      `organization "${organization.id}" has no namespace yet (not provisioned)`,
    );
  }
  return organization.namespace;
}

export const tooMuchContention = (organizationId: string) =>
  `too many concurrent changes to organization "${organizationId}"; retry`;
