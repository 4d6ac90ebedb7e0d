// The write-bandwidth ceiling: no initializer can write the buffer faster than a constant fill does.

import type { Candidate } from './candidate.js';

export function fillCandidate(buffer: Float32Array): Candidate {
  return { name: 'fill(1.5) ceiling', group: 'limit', run: () => { buffer.fill(1.5); }, output: () => buffer };
}
