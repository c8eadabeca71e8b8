import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';
import { renderGraphiQL } from '@graphql-yoga/render-graphiql';

const brotli = promisify(brotliCompress);
const gzipAsync = promisify(gzip);

/** The query GraphiQL opens with: the dashboard view of one organization. */
export const DEFAULT_QUERY = `# quotagraph: an organization's quota with metadata, usage and drift problems.
query Dashboard($id: ID! = "acme") {
  organization(id: $id) {
    name
    quota {
      isDefault
      resourceVersion
      items { kind { name displayName } quantity isDefault committed reserved used free utilization }
      problems { code kind message }
    }
    projects { id name usage { kind { name } used } }
  }
}
`;

export interface GraphiQLPage {
  html: string;
  /** Compressed bodies, by content-encoding; computed once, on first use. */
  encoded(encoding: 'br' | 'gzip'): Promise<Buffer>;
}

/**
 * GraphiQL with every script and style inlined (@graphql-yoga/render-graphiql), so it works in an
 * air-gapped cluster. The page is ~9 MB, so it is served compressed (~1.7 MB brotli, ~2.4 MB gzip).
 */
export function createGraphiQLPage(endpoint: string): GraphiQLPage {
  const html = renderGraphiQL({ endpoint, title: 'quotagraph', defaultQuery: DEFAULT_QUERY });
  const cache = new Map<string, Promise<Buffer>>();
  return {
    html,
    encoded(encoding) {
      let body = cache.get(encoding);
      if (!body) {
        body =
          encoding === 'br'
            ? // Quality 6 compresses this page in well under a second; 11 takes many seconds for ~10% less.
              brotli(html, { params: { [constants.BROTLI_PARAM_QUALITY]: 6 } })
            : gzipAsync(html);
        cache.set(encoding, body);
      }
      return body;
    },
  };
}
