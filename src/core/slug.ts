/**
 * A name as file names, ids and unit names can carry it: lower case, runs of anything but
 * a-z and 0-9 as one dash, no dash at either end, at most `max` characters; `fallback`
 * when nothing is left.
 */
export function slugOf(text: string, fallback: string, max = 40): string {
  const slug = text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, max)
    .replace(/-$/, '');
  return slug || fallback;
}
