import {
  expf, expf4, expm1f, expm1f4, tanhf, tanhf4, sigmoidf, sigmoidf4, normalCdf, normalCdf4,
  activationf, activationf4, derivativef, derivativef4, SOFTMAX,
} from "../activations";

// The v128 forms of assembly/activations.ts lane by lane against the scalar forms, bit for bit (NaN lanes only
// need to be NaN): over special values (signed zeros, infinities, NaN, subnormals, the clamps and branch points),
// a dense grid of [-20, 20], and pseudo-random bit patterns of every exponent.

const COUNT = 4096;
const INPUTS = memory.data(COUNT * 4, 16);
const WIDE = memory.data(16, 16);

const SPECIALS: f32[] = [
  0, -0, Infinity, -Infinity, NaN, 1.4e-45, -1.4e-45, 1.1754942e-38, -1.1754942e-38, 3.4028235e38, -3.4028235e38,
  88.72283, 88.72284, 89, 89.5, -103.97, -104, -104.5, -87.3, 0.34657359, -0.34657359, 0.3465736, -0.3465736,
  16.63, -16.63, 9, -9, 16, -16, 20, 20.5, 1e-20, -1e-20, 1, -1, 0.5, -0.5,
];

function fillInputs(): void {
  let at = 0;
  for (let i = 0; i < SPECIALS.length; i++) store<f32>(INPUTS + (<usize>(at++) << 2), SPECIALS[i]);
  for (let i = 0; i < 2000; i++) store<f32>(INPUTS + (<usize>(at++) << 2), <f32>(<f64>i * 0.02 - 20.0));
  let state: u32 = 2463534242;
  while (at < COUNT) {
    state ^= state << 13;
    state ^= state >> 17;
    state ^= state << 5;
    store<u32>(INPUTS + (<usize>(at++) << 2), state);
  }
}

function same(a: f32, b: f32): bool {
  return reinterpret<u32>(a) == reinterpret<u32>(b) || (isNaN(a) && isNaN(b));
}

/** Index of the first input whose lanes differ from the scalar results, or -1. */
function check(which: i32, code: i32): i32 {
  for (let i = 0; i < COUNT; i += 4) {
    const x4 = v128.load(INPUTS + (<usize>i << 2));
    const slope4 = f32x4.splat(0.2);
    let y4: v128;
    if (which == 0) y4 = expf4(x4);
    else if (which == 1) y4 = expm1f4(x4);
    else if (which == 2) y4 = tanhf4(x4);
    else if (which == 3) y4 = sigmoidf4(x4);
    else if (which == 4) y4 = normalCdf4(x4);
    else if (which == 5) y4 = activationf4(code, slope4, x4);
    else y4 = derivativef4(code, slope4, x4, activationf4(code, slope4, x4));
    v128.store(WIDE, y4);
    for (let lane = 0; lane < 4; lane++) {
      const x = load<f32>(INPUTS + (<usize>(i + lane) << 2));
      let y: f32;
      if (which == 0) y = expf(x);
      else if (which == 1) y = expm1f(x);
      else if (which == 2) y = tanhf(x);
      else if (which == 3) y = sigmoidf(x);
      else if (which == 4) y = normalCdf(x);
      else if (which == 5) y = activationf(code, 0.2, x);
      else y = derivativef(code, 0.2, x, activationf(code, 0.2, x));
      if (!same(load<f32>(WIDE + (<usize>lane << 2)), y)) return i + lane;
    }
  }
  return -1;
}

describe("v128 forms of the probe's float32 functions", () => {
  test("exp, expm1, tanh, sigmoid and the normal distribution function: every lane equals the scalar result", () => {
    fillInputs();
    expect<i32>(check(0, 0)).toBe(-1, "expf4");
    expect<i32>(check(1, 0)).toBe(-1, "expm1f4");
    expect<i32>(check(2, 0)).toBe(-1, "tanhf4");
    expect<i32>(check(3, 0)).toBe(-1, "sigmoidf4");
    expect<i32>(check(4, 0)).toBe(-1, "normalCdf4");
  });
  test("every element-wise activation and its derivative: every lane equals the scalar result", () => {
    fillInputs();
    for (let code = 0; code < SOFTMAX; code++) {
      expect<i32>(check(5, code)).toBe(-1, `activationf4 code ${code}`);
      expect<i32>(check(6, code)).toBe(-1, `derivativef4 code ${code}`);
    }
  });
  test("exact values: exp(0) = 1, expm1(0) = 0, tanh and sigmoid at 0, Phi(0) = 1/2, the overflows and underflows", () => {
    expect<f32>(expf(0)).toBe(1);
    expect<f32>(expm1f(0)).toBe(0);
    expect<f32>(tanhf(0)).toBe(0);
    expect<bool>(reinterpret<u32>(tanhf(-0.0)) == 0x80000000).toBe(true, "tanh(-0) = -0");
    expect<f32>(sigmoidf(0)).toBe(0.5);
    expect<f32>(normalCdf(0)).toBe(0.5);
    expect<f32>(expf(89)).toBe(Infinity);
    expect<f32>(expf(-104)).toBe(0);
    expect<f32>(expm1f(-104)).toBe(-1);
    expect<f32>(tanhf(Infinity)).toBe(1);
    expect<f32>(tanhf(-Infinity)).toBe(-1);
    expect<f32>(sigmoidf(-Infinity)).toBe(0);
    expect<f32>(sigmoidf(Infinity)).toBe(1);
    expect<f32>(normalCdf(Infinity)).toBe(1);
    expect<f32>(normalCdf(-Infinity)).toBe(0);
    expect<bool>(isNaN(expf(NaN)) && isNaN(tanhf(NaN)) && isNaN(normalCdf(NaN))).toBe(true, "NaN in, NaN out");
  });
});
