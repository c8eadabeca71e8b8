import { isIP } from 'node:net';

/**
 * 127.0.0.0/8, ::1 and localhost: addresses no other machine can reach. Where `--auth none` may
 * listen, and where a JWKS may be fetched over plain http.
 */
export function isLoopback(host: string): boolean {
  const bare = host.replace(/^\[(.*)\]$/, '$1');
  if (bare === 'localhost') return true;
  if (isIP(bare) === 4) return bare.startsWith('127.');
  if (isIP(bare) === 6) return bare === '::1' || /^::ffff:127\./i.test(bare);
  return false;
}
