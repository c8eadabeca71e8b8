/**
 * A short run of the stress benchmark (`npm run stress`, test/support/stress.ts): three real
 * gateway processes share one store under concurrent clients, on SQLite and on the Kubernetes API
 * test server, with the admission protocol. Two organizations have ring-fenced projects whose fences
 * the clients change as they go. The audit must find nothing: no kind over quota, no ring-fence
 * invariant (I1–I3) broken, every success answer stored, nothing refused stored, no resource
 * allocated twice, nothing pending.
 *
 * The naive algorithm is left to the script: whether it oversubscribes in a given run is a matter
 * of timing, which is no basis for a test.
 */
import { describe, expect, it } from 'vitest';
import { formatFindings, formatReports, runStress, type StressStore } from '../support/stress.js';

const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);

describe.each(['sqlite', 'kubernetes'] satisfies StressStore[])('stress on %s, protocol', (store) => {
  it('keeps every quota and stores exactly what was answered', { timeout: 120_000 }, async () => {
    const report = await runStress({ store, algorithm: 'protocol', durationMs: 5_000, processes: 3, clients: 12 });
    const summary = `${formatReports([report])}\n${formatFindings(report)}`;

    expect(report.operations, summary).toBeGreaterThan(0);
    expect(report.admitted, summary).toBeGreaterThan(0);
    // Small quotas: the run did reach them, so the check was exercised, not just passed.
    expect(report.refused.QuotaExceededError ?? 0, summary).toBeGreaterThan(0);
    expect(report.violations, summary).toEqual([]);
    expect(report.partitionViolations, summary).toEqual([]);
    // The fences were in play: clients changed them during the run, and they refused allocations.
    expect(sum(Object.values(report.answers.setProjectQuota ?? {})), summary).toBeGreaterThan(0);
    expect(
      (report.quotaExceededByScope.SHARED_POOL ?? 0) + (report.quotaExceededByScope.PROJECT_LIMIT ?? 0),
      summary,
    ).toBeGreaterThan(0);
    expect(report.mismatches, summary).toEqual([]);
    expect(report.duplicates, summary).toEqual([]);
    expect(report.pendingLeft, summary).toBe(0);
    // No request went unanswered or failed unexpectedly (each would also hide its allocation from the audit).
    expect(report.errors, summary).toBe(0);
    expect(report.unverifiable, summary).toBe(0);
    expect(report.gatewayLog.error, summary).toBe(0);
  });
});
