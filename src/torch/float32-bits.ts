// Float32 bit patterns, for the kernels that split a float32 into exponent and mantissa as C code does with
// a union or a vector cast.

const scratch = new Float32Array(1);
const scratchBits = new Uint32Array(scratch.buffer);

/** The IEEE 754 bits of a float32 value (the value is rounded to float32 first), as an unsigned integer. */
export function float32Bits(value: number): number {
  scratch[0] = value;
  return scratchBits[0];
}

/** The float32 value with the given bits. */
export function float32FromBits(bits: number): number {
  scratchBits[0] = bits;
  return scratch[0];
}
