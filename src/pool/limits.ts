// When the pool splits work, and how finely.

/**
 * Fewest elements per slice. Below this a worker's round trip (a message each way, tens of microseconds) is no
 * longer small next to the work: 2^18 float32 normals take about 0.7 ms on one core.
 */
export const MIN_SLICE = 2 ** 18;
/** Slice boundaries fall on multiples of this many elements: whole kernel groups, and 4 KiB of float32. */
export const SLICE_ALIGN = 1024;
/** orthogonal and deltaOrthogonal of fewer elements run inline (a 128 x 128 orthogonal takes 0.3 ms). */
export const MIN_WHOLE = 2 ** 16;
