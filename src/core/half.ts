// float32 -> IEEE 754 binary16 and bfloat16 bit patterns, rounding to nearest, ties to even. These scalar
// functions are the specification; assembly/half.ts converts four lanes at a time with the same results.

export type HalfFormat = 'float16' | 'bfloat16';

const bits = new DataView(new ArrayBuffer(4));

function float32Bits(value: number): number {
  bits.setFloat32(0, value);
  return bits.getUint32(0);
}

/** Round half to even for a non-negative double (Math.round rounds halves up). */
function roundHalfEven(x: number): number {
  const rounded = Math.round(x);
  return rounded - x === 0.5 && rounded % 2 === 1 ? rounded - 1 : rounded;
}

/**
 * binary16 bits of the float32 nearest `value`: overflow (|x| >= 65520) gives infinity, magnitudes below 2^-14
 * become subnormals (units of 2^-24) or zero, NaN becomes the quiet NaN 0x7e00 with the input's sign.
 */
export function float16Bits(value: number): number {
  const raw = float32Bits(value);
  const sign = (raw >>> 16) & 0x8000;
  const magnitude = raw & 0x7fffffff;
  if (magnitude > 0x7f800000) return sign | 0x7e00;
  if (magnitude >= 0x477ff000) return sign | 0x7c00;
  if (magnitude < 0x38800000) return sign | roundHalfEven(Math.abs(Math.fround(value)) * 2 ** 24);
  // Rebias the exponent (127 -> 15) and round the 13 dropped mantissa bits; a carry moves into the exponent.
  return sign | ((magnitude + 0xfff + ((magnitude >>> 13) & 1) - 0x38000000) >>> 13);
}

/** bfloat16 bits (the float32's upper half, rounded): NaN becomes quiet (0x7fc0 with the input's sign). */
export function bfloat16Bits(value: number): number {
  const raw = float32Bits(value);
  if ((raw & 0x7fffffff) > 0x7f800000) return ((raw >>> 16) & 0x8000) | 0x7fc0;
  return ((raw + 0x7fff + ((raw >>> 16) & 1)) >>> 16) & 0xffff;
}

/** The converter for a format. */
export function halfBitsOf(format: HalfFormat): (value: number) => number {
  return format === 'float16' ? float16Bits : bfloat16Bits;
}

/** Converts float32 values to half bits, element by element. */
export function convertToHalf(source: ArrayLike<number>, target: Uint16Array, format: HalfFormat): void {
  const convert = halfBitsOf(format);
  for (let i = 0; i < source.length; i++) target[i] = convert(source[i]);
}
