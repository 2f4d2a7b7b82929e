/** The URL a probe hits: its own absolute url, or a named endpoint of the opened target plus path. */
export function probeUrl(
  probe: { url?: string; endpoint?: string; path: string },
  endpoints: Record<string, string>,
): string {
  if (probe.url) return probe.url;
  const base = endpoints[probe.endpoint!];
  return base.replace(/\/+$/, '') + probe.path;
}
