import type { Admission } from './admission.js';
import {
  type CreateAllocationRequest,
  createAllocation,
  type DeleteAllocationRequest,
  deleteAllocation,
  type UpdateAllocationRequest,
  updateAllocation,
} from './allocations.js';
import type { AllocationRecord } from './model.js';

/**
 * How allocation writes are decided. Production always uses {@link protocolWrites}; the naive
 * check-then-write of the original system exists only so that the stress benchmark and the
 * interleaving tests can show, side by side, what the protocol prevents.
 */
export interface AllocationWrites {
  readonly name: 'protocol' | 'naive';
  create(admission: Admission, request: CreateAllocationRequest): Promise<AllocationRecord>;
  update(admission: Admission, request: UpdateAllocationRequest): Promise<AllocationRecord>;
  /** Resolves with the deleted allocation's id. */
  delete(admission: Admission, request: DeleteAllocationRequest): Promise<string>;
}

export const protocolWrites: AllocationWrites = {
  name: 'protocol',
  create: createAllocation,
  update: updateAllocation,
  delete: deleteAllocation,
};
