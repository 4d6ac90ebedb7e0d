import { shiftedSums, momentsPointer } from "../moments";

const values = memory.data(64 * 4, 16);

/** Runs the kernel over `input` (at most 64 values) in pieces of `piece` values (a multiple of 8). */
function sums(input: f64[], shift: f64, piece: i32): f64[] {
  for (let i = 0; i < input.length; i++) store<f32>(values + (<usize>i << 2), <f32>input[i]);
  let done = 0;
  do {
    const take = min(input.length - done, piece);
    shiftedSums(values + (<usize>done << 2), take, shift, done == 0 ? 1 : 0);
    done += take;
  } while (done < input.length);
  return [load<f64>(momentsPointer()), load<f64>(momentsPointer(), 8)];
}

describe("shiftedSums", () => {
  it("sums (value - shift) and its square over whole steps and a tail", () => {
    const result = sums([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], 1, 64);
    expect<f64>(result[0]).toBe(55);
    expect<f64>(result[1]).toBe(385);
  });

  it("gives zeros for no values", () => {
    const result = sums([], 3, 64);
    expect<f64>(result[0]).toBe(0);
    expect<f64>(result[1]).toBe(0);
  });

  it("keeps each value in lane i % 8 and combines ((l0 + l2) + (l4 + l6)) + ((l1 + l3) + (l5 + l7))", () => {
    // 1e16 + 1 rounds away the 1 in one lane; the order decides which ones survive.
    const input: f64[] = [1e16, 1, -1e16, 1, 1, 1, 1, 1, 1];
    const result = sums(input, 0, 64);
    const l0 = (<f64>(<f32>1e16) + 1) + 1, l2: f64 = -<f64>(<f32>1e16);
    expect<f64>(result[0]).toBe(((l0 + l2) + (1 + 1)) + ((1 + 1) + (1 + 1)));
  });

  it("gives the same bits in pieces as in one call", () => {
    const input: f64[] = [];
    for (let i = 0; i < 61; i++) input.push(Math.sin(<f64>i) * Math.pow(10, <f64>(i % 7) - 3));
    const whole = sums(input, 0.25, 64);
    const pieces = sums(input, 0.25, 16);
    expect<f64>(pieces[0]).toBe(whole[0]);
    expect<f64>(pieces[1]).toBe(whole[1]);
  });
});
