// The 32-bit Mersenne Twister (Matsumoto & Nishimura, ACM TOMACS 1998) with the bookkeeping of PyTorch's CPU
// engine (aten/src/ATen/core/MT19937RNGEngine.h): `left` counts down to the next regeneration of the 624-word
// state and `next` indexes the word to temper, so a state read from torch.get_rng_state() resumes exactly.

export const STATE_WORDS = 624;
const SHIFT = 397;
const MATRIX_A = 0x9908b0df;
const UPPER_MASK = 0x80000000;
const LOWER_MASK = 0x7fffffff;

export class MersenneTwister {
  readonly state = new Uint32Array(STATE_WORDS);
  /** Words left before the state is regenerated; 1 right after seeding, so the first draw regenerates. */
  left = 1;
  /** Index of the next state word to temper. */
  next = 0;

  constructor(seed: number) {
    this.seed(seed);
  }

  /** init_genrand of the reference implementation, with a 32-bit seed. */
  seed(seed: number): void {
    const state = this.state;
    state[0] = seed >>> 0;
    for (let i = 1; i < STATE_WORDS; i++) {
      const previous = state[i - 1];
      state[i] = Math.imul(1812433253, previous ^ (previous >>> 30)) + i;
    }
    this.left = 1;
    this.next = 0;
  }

  /** Regenerates all 624 words (the reference's next_state). */
  private twist(): void {
    const state = this.state;
    let i = 0;
    for (; i < STATE_WORDS - SHIFT; i++) {
      const mixed = (state[i] & UPPER_MASK) | (state[i + 1] & LOWER_MASK);
      state[i] = state[i + SHIFT] ^ (mixed >>> 1) ^ (-(state[i + 1] & 1) & MATRIX_A);
    }
    for (; i < STATE_WORDS - 1; i++) {
      const mixed = (state[i] & UPPER_MASK) | (state[i + 1] & LOWER_MASK);
      state[i] = state[i + SHIFT - STATE_WORDS] ^ (mixed >>> 1) ^ (-(state[i + 1] & 1) & MATRIX_A);
    }
    const mixed = (state[i] & UPPER_MASK) | (state[0] & LOWER_MASK);
    state[i] = state[SHIFT - 1] ^ (mixed >>> 1) ^ (-(state[0] & 1) & MATRIX_A);
    this.left = STATE_WORDS;
    this.next = 0;
  }

  /** The next 32-bit output, as an unsigned number. */
  nextUint32(): number {
    if (--this.left === 0) this.twist();
    let y = this.state[this.next++];
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  }

  /**
   * Advances past the next `count` outputs without tempering them: the same state as fill() of `count` words,
   * for skipping draws whose values are not wanted.
   */
  discard(count: number): void {
    let remaining = count;
    while (remaining > 0) {
      if (--this.left === 0) this.twist();
      const run = Math.min(remaining, this.left);
      this.next += run;
      this.left -= run - 1;
      remaining -= run;
    }
  }

  /** Fills `out` with the next out.length outputs, in order (the same words nextUint32 would give). */
  fill(out: Uint32Array): Uint32Array {
    const state = this.state;
    let written = 0;
    while (written < out.length) {
      if (--this.left === 0) this.twist();
      // Temper a run of words without touching left/next per word: `left - 1` more are ready after this one.
      const run = Math.min(out.length - written, this.left);
      let index = this.next;
      for (let k = 0; k < run; k++) {
        let y = state[index++];
        y ^= y >>> 11;
        y ^= (y << 7) & 0x9d2c5680;
        y ^= (y << 15) & 0xefc60000;
        y ^= y >>> 18;
        out[written++] = y;
      }
      this.next = index;
      this.left -= run - 1;
    }
    return out;
  }
}
