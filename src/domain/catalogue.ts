/**
 * The catalogue of quota kinds: one QuotaMetadata object per kind (DESIGN §1).
 *
 * A kind exists for the gateway only if it is catalogued here; quotas and allocations of other
 * kinds are drift that the quota view reports.
 */
import type { StoredObject } from '../store/types.js';
import { compareStrings } from './model.js';
import { tryParseQuantity } from './quantity.js';

export interface QuotaKindRecord {
  name: string;
  displayName: string;
  description: string;
  /**
   * The parsed default, or 0n when the stored default does not parse (see defaultIsValid): with
   * no provable capacity, zero is the safe direction; the quota view reports it as a problem.
   */
  default: bigint;
  defaultIsValid: boolean;
  /** spec.default as stored, for problem messages. */
  rawDefault: unknown;
}

export class Catalogue {
  /** Sorted by name. */
  readonly kinds: readonly QuotaKindRecord[];
  readonly #byName: ReadonlyMap<string, QuotaKindRecord>;

  /** Duplicate names (possible only across namespaces) keep the first one given. */
  constructor(kinds: QuotaKindRecord[]) {
    const byName = new Map<string, QuotaKindRecord>();
    for (const kind of kinds) if (!byName.has(kind.name)) byName.set(kind.name, kind);
    this.#byName = byName;
    this.kinds = Object.freeze([...byName.values()].sort((a, b) => compareStrings(a.name, b.name)));
  }

  get(name: string): QuotaKindRecord | undefined {
    return this.#byName.get(name);
  }

  has(name: string): boolean {
    return this.#byName.has(name);
  }
}

/** Builds the catalogue from QuotaMetadata objects; never throws on bad stored data. */
export function buildCatalogue(metadata: StoredObject[]): Catalogue {
  return new Catalogue(metadata.map(readQuotaKind));
}

export function readQuotaKind(o: StoredObject): QuotaKindRecord {
  const name = typeof o.metadata?.name === 'string' ? o.metadata.name : '';
  const spec: Record<string, unknown> = typeof o.spec === 'object' && o.spec !== null ? o.spec : {};
  const parsed = tryParseQuantity(spec.default);
  return {
    name,
    displayName: typeof spec.displayName === 'string' && spec.displayName !== '' ? spec.displayName : name,
    description: typeof spec.description === 'string' ? spec.description : '',
    default: parsed.ok ? parsed.value : 0n,
    defaultIsValid: parsed.ok,
    rawDefault: spec.default,
  };
}
