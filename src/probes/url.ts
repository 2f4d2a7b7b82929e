import type { HttpProbe, Target } from '../experiment/schema';

/** The URL a probe hits: its own absolute url, or a named endpoint of the target plus path. */
export function probeUrl(probe: Pick<HttpProbe, 'url' | 'endpoint' | 'path'>, target: Target): string {
  if (probe.url) return probe.url;
  const base = target.endpoints[probe.endpoint!];
  return base.replace(/\/+$/, '') + probe.path;
}
