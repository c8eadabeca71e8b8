/**
 * Several OS processes sharing one sqlite file: the compare-and-swap must serialize their
 * read-modify-write cycles so that no increment is lost.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { openSqliteStore } from '../../src/store/sqlite.js';
import { API_VERSION, type StoredObject, type WatchEvent } from '../../src/store/types.js';

const WORKER = fileURLToPath(new URL('../support/storeCasWorker.ts', import.meta.url));
const PROCESSES = 3;
const INCREMENTS = 100;
const NS = 'multiprocess';

interface WorkerReport {
  versions: string[];
  conflicts: number;
}

function runWorker(path: string): Promise<WorkerReport> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', WORKER, path, NS, String(INCREMENTS)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve(JSON.parse(stdout) as WorkerReport);
      else reject(new Error(`worker exited with ${code}: ${stderr}`));
    });
  });
}

const quantityOf = (object: StoredObject): number =>
  (object.spec as { quotas: { quantity: number }[] }).quotas[0]!.quantity;

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'quotagraph-multiprocess-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

it(`loses no update when ${PROCESSES} processes increment one counter ${INCREMENTS} times each`, async () => {
  const path = join(dir, 'shared.db');
  const store = openSqliteStore(path);
  try {
    const counter = await store.create({
      apiVersion: API_VERSION,
      kind: 'Quota',
      metadata: { name: 'counter', namespace: NS },
      spec: { quotas: [{ kind: 'servers', quantity: 0 }] },
    });

    const reports = await Promise.all(Array.from({ length: PROCESSES }, () => runWorker(path)));

    const total = PROCESSES * INCREMENTS;
    expect(quantityOf(await store.get('Quota', NS, 'counter'))).toBe(total);
    for (const { versions } of reports) {
      expect(versions).toHaveLength(INCREMENTS);
      const numbers = versions.map(Number);
      expect(numbers).toEqual([...numbers].sort((a, b) => a - b));
    }
    const allVersions = reports.flatMap((report) => report.versions);
    expect(new Set(allVersions).size).toBe(total);

    // The change log tells the whole story: every increment, in version order, each exactly +1.
    const events: WatchEvent[] = [];
    const controller = new AbortController();
    for await (const event of store.watch('Quota', counter.metadata.resourceVersion!, { signal: controller.signal })) {
      events.push(event);
      if (events.length === total) break;
    }
    expect(events.map((event) => quantityOf(event.object))).toEqual(Array.from({ length: total }, (_, i) => i + 1));
    const eventVersions = events.map((event) => Number(event.object.metadata.resourceVersion));
    expect(eventVersions.every((version, i) => i === 0 || version > eventVersions[i - 1]!)).toBe(true);
    expect(new Set(eventVersions.map(String))).toEqual(new Set(allVersions));
  } finally {
    await store.close();
  }
});
