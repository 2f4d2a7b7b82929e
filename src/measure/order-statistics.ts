/** Below this many values a copy is sorted: cheaper than several passes, and its memory does not matter. */
const sortedCopyBelow = 1 << 16;
/** A candidate set this small is copied and sorted instead of narrowed further. */
const collectAtMost = 4096;
const digitCount = 1 << 16;
const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * The values at the given 0-based ranks of `values` in ascending order: exactly what
 * `Float64Array.from(values).sort()[rank]` gives, without the copy. A day of latencies is
 * 35 MB, and a summary asks for its percentiles several times (the whole run, each period).
 *
 * Exact, by radix selection: a double that is not negative orders as its 64 bits read as an
 * unsigned integer (+Infinity and NaN above every finite value, as sort places them), so
 * each rank is narrowed 16 bits at a time by counting how many values share each next
 * 16 bits among those that share the bits already chosen, until at most a few thousand
 * candidates remain, which are copied and sorted. A pass over the values per 16 bits, 256 KB
 * of counts. Values with the sign bit set (negative, or -0) and short lists are sorted as a copy.
 * Pure; `values` is not modified.
 */
export function valuesAtRanks(values: ArrayLike<number>, ranks: readonly number[]): number[] {
  for (const rank of ranks)
    if (!Number.isInteger(rank) || rank < 0 || rank >= values.length)
      throw new RangeError(`rank ${rank} outside 0..${values.length - 1}`);
  if (ranks.length === 0) return [];
  if (!(values instanceof Float64Array) || values.length < sortedCopyBelow || !littleEndian)
    return sortedCopyAt(values, ranks);
  const words = new Uint32Array(values.buffer, values.byteOffset, values.length * 2);
  const topCounts = new Uint32Array(digitCount);
  for (let i = 1; i < words.length; i += 2) topCounts[words[i] >>> 16]++;
  // The sign bit: negative values (and -0) order the other way as integers.
  for (let digit = digitCount >>> 1; digit < digitCount; digit++)
    if (topCounts[digit] > 0) return sortedCopyAt(values, ranks);
  return ranks.map((rank) => select(values, words, topCounts, rank));
}

function sortedCopyAt(values: ArrayLike<number>, ranks: readonly number[]): number[] {
  const sorted = Float64Array.from(values).sort();
  return ranks.map((rank) => sorted[rank]);
}

/** The 16 bits of value i at `digit` (0: the highest). */
function digitOf(words: Uint32Array, i: number, digit: number): number {
  const word = words[2 * i + (digit < 2 ? 1 : 0)];
  return digit % 2 === 0 ? word >>> 16 : word & 0xffff;
}

function select(values: Float64Array, words: Uint32Array, topCounts: Uint32Array, rank: number): number {
  const prefix: number[] = [];
  let counts = topCounts;
  let remaining = rank;
  for (let digit = 0; ; digit++) {
    // The next 16 bits of the value at the rank: where the running count passes it.
    let chosen = 0;
    while (remaining >= counts[chosen]) remaining -= counts[chosen++];
    prefix.push(chosen);
    const candidates = counts[chosen];
    if (digit === 3) return valueWith(values, words, prefix);
    if (candidates <= collectAtMost) return collect(values, words, prefix, candidates)[remaining];
    counts = new Uint32Array(digitCount);
    for (let i = 0; i < values.length; i++) if (matches(words, i, prefix)) counts[digitOf(words, i, digit + 1)]++;
  }
}

function matches(words: Uint32Array, i: number, prefix: readonly number[]): boolean {
  for (let digit = 0; digit < prefix.length; digit++) if (digitOf(words, i, digit) !== prefix[digit]) return false;
  return true;
}

/** The values whose highest bits are `prefix`, sorted. */
function collect(values: Float64Array, words: Uint32Array, prefix: readonly number[], count: number): Float64Array {
  const out = new Float64Array(count);
  let at = 0;
  for (let i = 0; i < values.length && at < count; i++) if (matches(words, i, prefix)) out[at++] = values[i];
  return out.sort();
}

/** The value whose 64 bits are all of `prefix` (every candidate left has them: they are one value). */
function valueWith(values: Float64Array, words: Uint32Array, prefix: readonly number[]): number {
  for (let i = 0; i < values.length; i++) if (matches(words, i, prefix)) return values[i];
  throw new Error('no value with the chosen bits');
}
