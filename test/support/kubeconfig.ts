import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * A kubeconfig file for the test API server, the way kubectl and the gateway read one. Every
 * context points at the same server; `current` picks the current-context (default `test`).
 */
export function writeKubeconfig(
  dir: string,
  server: string,
  options: { contexts?: string[]; current?: string } = {},
): string {
  const contexts = options.contexts ?? ['test'];
  const path = join(dir, 'kubeconfig');
  writeFileSync(
    path,
    `apiVersion: v1
kind: Config
clusters:
  - name: test
    cluster: { server: "${server}", insecure-skip-tls-verify: true }
users:
  - name: gateway
    user: { token: not-checked-by-the-test-server }
contexts:
${contexts.map((name) => `  - name: ${name}\n    context: { cluster: test, user: gateway }`).join('\n')}
current-context: ${options.current ?? contexts[0]}
`,
  );
  return path;
}
