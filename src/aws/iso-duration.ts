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

const isoPattern = /^PT(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?$/;

export function fromIsoDuration(text: string): number | undefined {
  const match = isoPattern.exec(text);
  if (!match || text === 'PT') return undefined;
  const [, h, m, s] = match;
  return (Number(h ?? 0) * 3600 + Number(m ?? 0) * 60 + Number(s ?? 0)) * 1000;
}
