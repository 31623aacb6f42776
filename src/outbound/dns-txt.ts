// DNS TXT look-ups for binding challenges (issue #18): `_wiggledesk-challenge.<domain>`. A
// resolver of its own (not the process-wide one) with a short timeout and few tries, so a slow
// or hostile name server delays only the admin who pressed "Check", never other requests. Tests
// inject their own resolver and never touch real DNS.
import { Resolver } from 'node:dns/promises';

export interface TxtResolver {
  /** The TXT records at `name`, each as its character strings (RFC 1035 §3.3.14); [] when there are none. */
  resolveTxt(name: string): Promise<string[][]>;
}

export function createDnsTxtResolver(options: { timeoutMs?: number; tries?: number; servers?: readonly string[] } = {}): TxtResolver {
  const resolver = new Resolver({ timeout: options.timeoutMs ?? 3000, tries: options.tries ?? 2 });
  if (options.servers?.length) resolver.setServers([...options.servers]);
  return {
    async resolveTxt(name) {
      try {
        return await resolver.resolveTxt(name);
      } catch (e) {
        const code = (e as { code?: unknown }).code;
        // No such name, or a name without TXT records: nothing published (yet).
        if (code === 'ENOTFOUND' || code === 'ENODATA') return [];
        throw e;
      }
    },
  };
}
