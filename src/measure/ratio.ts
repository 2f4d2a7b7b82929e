/** Share of requests that succeeded, to 4 decimals; null when there were none. */
export function successRatioOf(requests: number, errors: number): number | null {
  return requests === 0 ? null : Math.round(((requests - errors) / requests) * 10_000) / 10_000;
}
