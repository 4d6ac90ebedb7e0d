import { toFloat16, toBfloat16 } from "../half";

const buffer = memory.data(64, 16);

/** Converts eight float32 values in place and returns the halves' bit patterns. */
function convert(values: f32[], bfloat: bool): u16[] {
  for (let i = 0; i < 8; i++) store<f32>(buffer + (<usize>i << 2), values[i]);
  if (bfloat) toBfloat16(buffer, 8);
  else toFloat16(buffer, 8);
  const result: u16[] = [];
  for (let i = 0; i < 8; i++) result.push(load<u16>(buffer + (<usize>i << 1)));
  return result;
}

function expectBits(actual: u16[], expected: u16[]): void {
  for (let i = 0; i < 8; i++) expect<u16>(actual[i]).toBe(expected[i]);
}

// The same hand-worked cases as tests/half.test.ts, through the v128 lanes.
describe("toFloat16", () => {
  it("rounds normal values to nearest even and overflows to infinity at 65520", () => {
    expectBits(
      convert([1, -2, 65504, 65519, 65520, <f32>(1 + 2.0 ** -11), <f32>(1 + 3 * 2.0 ** -11), -Infinity], false),
      [0x3c00, 0xc000, 0x7bff, 0x7bff, 0x7c00, 0x3c00, 0x3c02, 0xfc00],
    );
  });

  it("rounds subnormals, keeps signed zeros, quiets NaN", () => {
    expectBits(
      convert([<f32>(2.0 ** -24), <f32>(2.0 ** -25), <f32>(3 * 2.0 ** -25), <f32>(1023.5 * 2.0 ** -24), <f32>(2.0 ** -14), -0.0, NaN, <f32>(-5 * 2.0 ** -24)], false),
      [0x0001, 0x0000, 0x0002, 0x0400, 0x0400, 0x8000, 0x7e00, 0x8005],
    );
  });
});

describe("toBfloat16", () => {
  it("rounds to nearest even, overflows to infinity, quiets NaN, rounds subnormals", () => {
    expectBits(
      convert([1, <f32>(1 + 2.0 ** -8), <f32>(1 + 3 * 2.0 ** -8), reinterpret<f32>(0x7f7fffff), NaN, reinterpret<f32>(1), reinterpret<f32>(0x00018000), -1], true),
      [0x3f80, 0x3f80, 0x3f82, 0x7f80, 0x7fc0, 0x0000, 0x0002, 0xbf80],
    );
  });
});
