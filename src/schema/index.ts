import { lexicographicSortSchema } from 'graphql';
import { builder } from './builder.js';
import './scalars.js';
import './errors.js';
import './quotaKind.js';
import './quota.js';
import './organization.js';
import './project.js';
import './setQuota.js';
import './projectQuota.js';
import './allocation.js';
import './allocationMutations.js';
import './viewer.js';

/** Assembles the schema from one file per domain type; sorted so the printed SDL is stable. */
export const schema = lexicographicSortSchema(builder.toSchema());
