/**
 * A static JSON index beside the page (sample lists under public/), fetched once with react-query
 * and parsed by the caller; a missing file (or the SPA's HTML fallback) is a clear error.
 */
import { useQuery } from '@tanstack/react-query';
import { pageBase } from '../store/modelSource';

export function useJsonIndex<T>(indexPath: string, parse: (json: unknown, indexUrl: URL) => T) {
  return useQuery({
    queryKey: ['json-index', indexPath],
    staleTime: Infinity,
    queryFn: async ({ signal }) => {
      const indexUrl = new URL(indexPath, pageBase());
      const res = await fetch(indexUrl, { signal });
      if (!res.ok) throw new Error(`the sample index answered ${res.status} (${indexUrl.pathname})`);
      if (/text\/html/i.test(res.headers.get('content-type') ?? '')) throw new Error(`there is no sample index at ${indexUrl.pathname}`);
      return parse(await res.json(), indexUrl);
    },
  });
}
