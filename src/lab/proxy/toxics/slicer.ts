import { pass, waitUntil, type ToxicKind } from './kind';

export type SlicerAttributes = {
  readonly average_size: number;
  readonly size_variation: number;
  readonly delay: number;
};

/**
 * Cuts the stream into small pieces of `average_size` ± `size_variation` bytes with
 * `delay` µs between them, as in Toxiproxy: exercises parsers that assume one read is
 * one message. Bytes and their order are untouched.
 */
export const slicer: ToxicKind<SlicerAttributes> = {
  summary: 'cut data into pieces of average_size ± size_variation bytes, delay µs apart',
  attributes: {
    average_size: { unit: 'bytes', summary: 'mean piece size', min: 0, aboveMin: true },
    size_variation: { unit: 'bytes', summary: 'random spread of the piece size', default: 0, min: 0 },
    delay: { unit: 'µs', summary: 'pause between pieces', default: 0, min: 0 },
  },
  attach({ average_size: averageSize, size_variation: sizeVariation, delay: delayMicros }) {
    let nextDepartureAt = 0;
    // Drawn once per piece, since maxPieceBytes() is asked again while the piece waits.
    let nextPieceBytes: number | undefined;
    return {
      maxPieceBytes() {
        nextPieceBytes ??= Math.max(1, Math.round(averageSize + (Math.random() * 2 - 1) * sizeVariation));
        return nextPieceBytes;
      },
      admit: ({ now }) => (now >= nextDepartureAt ? pass : waitUntil(nextDepartureAt)),
      sent(_byteCount, now) {
        nextDepartureAt = now + delayMicros / 1000;
        nextPieceBytes = undefined;
      },
    };
  },
};
