/**
 * ISO-8601 durations as FIS writes them (PT2M, PT1H30M, PT45S). FIS action durations are
 * whole seconds at least one minute for most actions; the lab accepts shorter ones.
 */
export function toIsoDuration(ms: number): string {
  const totalSeconds = Math.max(1, Math.ceil(ms / 1000));
  const hours = Math.floor(totalSeconds / 3600);
  const minutes = Math.floor((totalSeconds % 3600) / 60);
  const seconds = totalSeconds % 60;
  return `PT${hours ? `${hours}H` : ''}${minutes ? `${minutes}M` : ''}${seconds ? `${seconds}S` : ''}`;
}
