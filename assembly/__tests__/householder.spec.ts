import {
  orthogonalStart, buildPanel, applyPanel, writeOrthogonal,
  orthogonalStart64, buildPanel64, applyPanel64, writeOrthogonal64,
} from "../householder";
import { fillNormal } from "../samplers";
import { GROUP_WORDS } from "../philox";

// The panel kernels against scalar loops written from src/core/householder.ts (the specification), bit for bit
// in every element, padding included: each kernel lane must round exactly as one scalar sum does. Shapes are
// chosen off the tile sizes: n not a multiple of 4 rows, m not a multiple of 4 (f64) or 8 (f32) columns, two
// panels of reflectors, a panel narrower than 4.

const WIDTH = 32;
const MAX_N = 64;
const MAX_M_PADDED = 40;

const gaussian = memory.data(WIDTH * MAX_N * 4, 16);
const y = memory.data(MAX_N * MAX_M_PADDED * 8, 16);
const yExpected = memory.data(MAX_N * MAX_M_PADDED * 8, 16);
const v = memory.data(MAX_N * WIDTH * 8, 16);
const vExpected = memory.data(MAX_N * WIDTH * 8, 16);
const t = memory.data(WIDTH * WIDTH * 8, 16);
const tExpected = memory.data(WIDTH * WIDTH * 8, 16);
const w = memory.data(WIDTH * MAX_M_PADDED * 8, 16);
const wExpected = memory.data(WIDTH * MAX_M_PADDED * 8, 16);
const strip = memory.data(MAX_N * 64, 16);
const signs = memory.data(MAX_M_PADDED * 8, 16);
const signsExpected = memory.data(MAX_M_PADDED * 8, 16);
const tau = memory.data(WIDTH * 8, 16);
const products = memory.data(WIDTH * 8, 16);
const out = memory.data(MAX_N * MAX_M_PADDED * 8, 16);
const outExpected = memory.data(MAX_N * MAX_M_PADDED * 8, 16);

function roundUp(value: i32, multiple: i32): i32 {
  return (value + multiple - 1) / multiple * multiple;
}

function at<T>(base: usize, index: i32): usize {
  return base + <usize>index * sizeof<T>();
}

/** Fills the Gaussian columns of panel k0 from a normal stream (any values would do; these are the real kind). */
function fillGaussian(k0: i32, n: i32): void {
  const groups = (WIDTH * n + GROUP_WORDS - 1) / GROUP_WORDS;
  const scratch = memory.data(WIDTH * MAX_N * 4 + GROUP_WORDS * 4, 16);
  fillNormal(scratch, groups, <u32>(k0 * 1000), 0, 7, 0, 0x9e3779b9, 3, 0, 1);
  memory.copy(gaussian, scratch, <usize>WIDTH * <usize>n * 4);
}

/** The specification's buildPanel over the kernel's layout (rows and T of stride 32), storing V and T as T. */
function buildPanelScalar<T>(n: i32, k0: i32, kb: i32, pPadded: i32): void {
  const p = n - k0;
  memory.fill(vExpected, 0, <usize>pPadded * WIDTH * sizeof<T>());
  memory.fill(tExpected, 0, WIDTH * WIDTH * sizeof<T>());
  const tauOf = new StaticArray<f64>(WIDTH);
  for (let j = 0; j < kb; j++) {
    const length = p - j;
    const x = gaussian + <usize>j * <usize>n * 4;
    const alpha = <f64>load<f32>(at<f32>(x, 0));
    let tailSquares: f64 = 0, compensation: f64 = 0;
    for (let r = 1; r < length; r++) {
      const square = <f64>load<f32>(at<f32>(x, r)) * <f64>load<f32>(at<f32>(x, r));
      if (sizeof<T>() == 4) {
        tailSquares += square;
      } else {
        // Neumaier's compensated sum.
        const next = tailSquares + square;
        compensation += tailSquares >= square ? (tailSquares - next) + square : (square - next) + tailSquares;
        tailSquares = next;
      }
    }
    tailSquares += compensation;
    store<T>(at<T>(vExpected, j * WIDTH + j), <T>1);
    if (tailSquares == 0) {
      tauOf[j] = 0;
      store<f64>(at<f64>(signsExpected, k0 + j), alpha < 0 ? -1 : 1);
      continue;
    }
    const norm = Math.sqrt(alpha * alpha + tailSquares);
    const beta = alpha >= 0 ? -norm : norm;
    tauOf[j] = (beta - alpha) / beta;
    const scale = 1 / (alpha - beta);
    for (let r = 1; r < length; r++) store<T>(at<T>(vExpected, (j + r) * WIDTH + j), <T>(<f64>load<f32>(at<f32>(x, r)) * scale));
    store<f64>(at<f64>(signsExpected, k0 + j), beta < 0 ? -1 : 1);
  }
  const sums = new StaticArray<f64>(WIDTH);
  for (let j = 0; j < kb; j++) {
    store<T>(at<T>(tExpected, j * WIDTH + j), <T>tauOf[j]);
    for (let i = 0; i < WIDTH; i++) sums[i] = 0;
    for (let r = j; r < p; r++) {
      const vj = <f64>load<T>(at<T>(vExpected, r * WIDTH + j));
      for (let i = 0; i < j; i++) sums[i] += <f64>load<T>(at<T>(vExpected, r * WIDTH + i)) * vj;
    }
    for (let i = 0; i < j; i++) {
      let sum: f64 = 0;
      for (let l = i; l < j; l++) sum += <f64>load<T>(at<T>(tExpected, i * WIDTH + l)) * sums[l];
      store<T>(at<T>(tExpected, i * WIDTH + j), <T>(-tauOf[j] * sum));
    }
  }
}

/**
 * The specification's applyPanel over the padded y (row stride mPadded) from column start on, summing in T
 * arithmetic.
 */
function applyPanelScalar<T>(n: i32, mPadded: i32, k0: i32, start: i32, columns: i32, kb: i32): void {
  const p = n - k0;
  for (let i = 0; i < kb; i++) {
    for (let c = 0; c < columns; c++) {
      let sum = <T>0;
      for (let r = 0; r < p; r++) sum = sum + load<T>(at<T>(vExpected, r * WIDTH + i)) * load<T>(at<T>(yExpected, (k0 + r) * mPadded + start + c));
      store<T>(at<T>(wExpected, i * columns + c), sum);
    }
  }
  for (let i = 0; i < kb; i++) {
    for (let c = 0; c < columns; c++) {
      let sum = <T>0;
      for (let l = i; l < kb; l++) sum = sum + load<T>(at<T>(tExpected, i * WIDTH + l)) * load<T>(at<T>(wExpected, l * columns + c));
      store<T>(at<T>(wExpected, i * columns + c), sum);
    }
  }
  for (let r = 0; r < p; r++) {
    for (let c = 0; c < columns; c++) {
      let sum = <T>0;
      for (let i = 0; i < kb; i++) sum = sum + load<T>(at<T>(vExpected, r * WIDTH + i)) * load<T>(at<T>(wExpected, i * columns + c));
      const yAt = at<T>(yExpected, (k0 + r) * mPadded + start + c);
      store<T>(yAt, load<T>(yAt) - sum);
    }
  }
}

/** Index of the first of `count` elements whose bits differ, or -1: one expectation per array keeps the spec fast. */
function firstDifference<T>(actual: usize, expected: usize, count: i32): i32 {
  for (let i = 0; i < count; i++) {
    const same = sizeof<T>() == 8
      ? load<u64>(at<u64>(actual, i)) == load<u64>(at<u64>(expected, i))
      : load<u32>(at<u32>(actual, i)) == load<u32>(at<u32>(expected, i));
    if (!same) return i;
  }
  return -1;
}

function expectSameBits<T>(actual: usize, expected: usize, count: i32, what: string): void {
  expect<i32>(firstDifference<T>(actual, expected, count)).toBe(-1, what);
}

/**
 * Columns first .. first + count - 1 (first a multiple of 8) of the factor of an n x m matrix by the kernels
 * and by the scalar specification, panel by panel from the last one that reaches the block, checking V, T, the
 * signs and Y after every panel, then the written block; the whole factor is first = 0, count = m.
 */
function checkFactor<T>(n: i32, m: i32, gain: f64, first: i32 = 0, count: i32 = m): void {
  const double = sizeof<T>() == 8;
  const nPadded = roundUp(n, 4), mPadded = roundUp(count, double ? 4 : 8);
  if (double) orthogonalStart64(y, nPadded, mPadded, first, count);
  else orthogonalStart(y, nPadded, mPadded, first, count);
  memory.fill(yExpected, 0, <usize>nPadded * <usize>mPadded * sizeof<T>());
  for (let j = 0; j < count; j++) store<T>(at<T>(yExpected, (first + j) * mPadded + j), <T>1);
  expectSameBits<T>(y, yExpected, nPadded * mPadded, "start");
  for (let k0 = (first + count - 1) / WIDTH * WIDTH; k0 >= 0; k0 -= WIDTH) {
    const kb = min(WIDTH, m - k0);
    fillGaussian(k0, n);
    if (double) buildPanel64(n, k0, kb, nPadded - k0, gaussian, v, t, signs, tau, products);
    else buildPanel(n, k0, kb, nPadded - k0, gaussian, v, t, signs, tau, products);
    buildPanelScalar<T>(n, k0, kb, nPadded - k0);
    expectSameBits<T>(v, vExpected, (nPadded - k0) * WIDTH, "V");
    expectSameBits<T>(t, tExpected, WIDTH * WIDTH, "T");
    expectSameBits<f64>(at<f64>(signs, k0), at<f64>(signsExpected, k0), kb, "signs");
    const start = max(0, k0 - first);
    if (double) applyPanel64(y, nPadded, mPadded, k0, start, roundUp(kb, 4), v, t, w, strip);
    else applyPanel(y, nPadded, mPadded, k0, start, roundUp(kb, 4), v, t, w, strip);
    applyPanelScalar<T>(n, mPadded, k0, start, count - start, kb);
    expectSameBits<T>(y, yExpected, nPadded * mPadded, "Y");
  }
  // Written both ways: as the tall n x m matrix, and transposed as the wide m x n one.
  for (let transpose = 0; transpose < 2; transpose++) {
    const signsFirst = at<f64>(signs, first);
    if (double) writeOrthogonal64(y, mPadded, signsFirst, n, count, gain, transpose != 0, out);
    else writeOrthogonal(y, mPadded, signsFirst, n, count, gain, transpose != 0, out);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < count; j++) {
        const value = load<T>(at<T>(yExpected, i * mPadded + j));
        const index = transpose ? j * n + i : i * count + j;
        store<T>(at<T>(outExpected, index), <T>(<f64>value * (load<f64>(at<f64>(signsExpected, first + j)) * gain)));
      }
    }
    expectSameBits<T>(out, outExpected, n * count, "out");
  }
}

describe("f64 Householder kernels (float64 output) against the scalar specification, lane by lane", () => {
  it("two panels, 45 x 37", () => { checkFactor<f64>(45, 37, 1); });
  it("one panel narrower than a tile, 5 x 3", () => { checkFactor<f64>(5, 3, -1.5); });
  it("a single column, 9 x 1", () => { checkFactor<f64>(9, 1, 2.5); });
  it("square with a full panel and a remainder, 64 x 33", () => { checkFactor<f64>(64, 33, 1); });
  it("a block of columns across both panels, columns 24 to 36 of 45 x 37", () => { checkFactor<f64>(45, 37, 1, 24, 13); });
  it("a block of columns in the last panel, columns 32 to 36 of 45 x 37", () => { checkFactor<f64>(45, 37, -2, 32, 5); });
});

describe("f32 Householder kernels (float32 output) against the same specification", () => {
  it("two panels, 45 x 37", () => { checkFactor<f32>(45, 37, 1); });
  it("one panel narrower than a tile, 5 x 3", () => { checkFactor<f32>(5, 3, -1.5); });
  it("square with a full panel and a remainder, 64 x 33", () => { checkFactor<f32>(64, 33, 1); });
  it("a block of columns in the first panel, columns 8 to 19 of 45 x 37", () => { checkFactor<f32>(45, 37, 1, 8, 12); });
  it("a block of columns across both panels, columns 16 to 36 of 64 x 37", () => { checkFactor<f32>(64, 37, 1.5, 16, 21); });
});
