import { gemm, INNER_BLOCK, ROW_BLOCK, im2col, col2im, activate, activateBackward, RELU, LEAKY_RELU, LINEAR, SOFTMAX } from "../probe";
import { activationf, derivativef } from "../activations";

// The probe kernels against scalar loops: the matrix product bit for bit (each lane sums over the inner index in
// increasing order from +0, block by block, as the loop below does), partial tiles and strided operands included;
// im2col and col2im as adjoints; every activation's derivative against a central difference of the activation.

const MAX = 80000;
const A = memory.data(MAX * 4, 16);
const B = memory.data(MAX * 4, 16);
const C = memory.data(MAX * 4, 16);
const EXPECTED = memory.data(MAX * 4, 16);
const PACK = memory.data((MAX + 4096) * 4, 16);

function at(base: usize, index: i32): usize {
  return base + (<usize>index << 2);
}

/** Deterministic values in (-1, 1), different per array. */
function fill(base: usize, count: i32, salt: i32): void {
  let state: u32 = <u32>(salt * 2654435761 + 12345);
  for (let i = 0; i < count; i++) {
    state = state * 1664525 + 1013904223;
    store<f32>(at(base, i), <f32>(<f64>(state >>> 8) / 8388608.0 - 1.0));
  }
}

function gemmScalar(m: i32, n: i32, k: i32, aRow: i32, aInner: i32, bInner: i32, bColumn: i32, ldc: i32, accumulate: bool): void {
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let c = accumulate ? load<f32>(at(C, i * ldc + j)) : <f32>0;
      for (let k0 = 0; k0 < k; k0 += INNER_BLOCK) {
        let sum: f32 = 0;
        for (let l = k0; l < min(k, k0 + INNER_BLOCK); l++) sum = sum + load<f32>(at(A, i * aRow + l * aInner)) * load<f32>(at(B, l * bInner + j * bColumn));
        c = k0 == 0 && !accumulate ? sum : c + sum;
      }
      store<f32>(at(EXPECTED, i * ldc + j), c);
    }
  }
}

function checkGemm(m: i32, n: i32, k: i32, transposeA: bool, transposeB: bool, accumulate: bool): void {
  fill(A, m * k, m + k);
  fill(B, k * n, n + 3 * k);
  const ldc = n + 3;
  fill(C, m * ldc, 7);
  memory.copy(EXPECTED, C, <usize>(m * ldc) << 2);
  const aRow = transposeA ? 1 : k, aInner = transposeA ? m : 1;
  const bInner = transposeB ? 1 : n, bColumn = transposeB ? k : 1;
  gemmScalar(m, n, k, aRow, aInner, bInner, bColumn, ldc, accumulate);
  gemm(m, n, k, A, aRow, aInner, B, bInner, bColumn, C, ldc, accumulate, PACK);
  let first = -1;
  for (let i = 0; i < m * ldc; i++) {
    if (load<u32>(at(C, i)) != load<u32>(at(EXPECTED, i))) {
      first = i;
      break;
    }
  }
  expect<i32>(first).toBe(-1, `gemm ${m}x${n}x${k} transposeA=${transposeA} transposeB=${transposeB} accumulate=${accumulate}`);
}

describe("gemm", () => {
  test("full and partial tiles, every operand orientation, bit for bit", () => {
    checkGemm(8, 16, 12, false, false, false);
    checkGemm(7, 13, 5, false, false, false);
    checkGemm(5, 9, 33, true, false, true);
    checkGemm(3, 21, 17, false, true, false);
    checkGemm(13, 6, 9, true, true, true);
    checkGemm(1, 1, 1, false, false, false);
  });
  test("inner dimensions beyond one block, rows beyond one block", () => {
    checkGemm(9, 11, INNER_BLOCK + 45, false, false, false);
    checkGemm(6, 10, 2 * INNER_BLOCK + 1, true, true, true);
    checkGemm(2 * ROW_BLOCK + 5, 12, 20, false, false, true);
    checkGemm(ROW_BLOCK + 3, 9, INNER_BLOCK + 7, true, false, false);
  });
  test("an empty inner dimension zeroes C or leaves it", () => {
    fill(C, 12, 3);
    const kept = load<f32>(C);
    gemm(3, 4, 0, A, 0, 1, B, 4, 1, C, 4, true, PACK);
    expect<f32>(load<f32>(C)).toBe(kept);
    gemm(3, 4, 0, A, 0, 1, B, 4, 1, C, 4, false, PACK);
    expect<f32>(load<f32>(C)).toBe(0);
  });
});

/** <im2col(x), y> against <x, col2im(y)>, and one column by hand. */
function checkAdjoint(depth: i32, height: i32, width: i32, channels: i32, groups: i32, kd: i32, kh: i32, kw: i32, channelMajor: bool): void {
  const samples = 2, positions = depth * height * width, groupChannels = channels / groups;
  const columns = groupChannels * kd * kh * kw;
  for (let g = 0; g < groups; g++) {
    fill(A, samples * positions * channels, 1);
    fill(B, samples * positions * columns, 2);
    im2col(samples, depth, height, width, channels, g * groupChannels, groupChannels, kd, kh, kw, channelMajor, A, C);
    let left: f64 = 0;
    for (let i = 0; i < samples * positions * columns; i++) left += <f64>load<f32>(at(C, i)) * <f64>load<f32>(at(B, i));
    memory.fill(EXPECTED, 0, <usize>(samples * positions * channels) << 2);
    col2im(samples, depth, height, width, channels, g * groupChannels, groupChannels, kd, kh, kw, channelMajor, B, EXPECTED);
    let right: f64 = 0;
    for (let i = 0; i < samples * positions * channels; i++) right += <f64>load<f32>(at(A, i)) * <f64>load<f32>(at(EXPECTED, i));
    expect<bool>(Math.abs(left - right) < 1e-4 * (Math.abs(left) + 1)).toBe(true, "im2col and col2im are adjoint");
  }
}

describe("im2col", () => {
  test("'same' padding along one axis, by hand", () => {
    // One sample, width 3, one channel, kernel 3: rows [0 x0 x1], [x0 x1 x2], [x1 x2 0].
    store<f32>(A, 1); store<f32>(A, 2, 4); store<f32>(A, 3, 8);
    im2col(1, 1, 1, 3, 1, 0, 1, 1, 1, 3, true, A, C);
    const expected: f32[] = [0, 1, 2, 1, 2, 3, 2, 3, 0];
    for (let i = 0; i < 9; i++) expect<f32>(load<f32>(at(C, i))).toBe(expected[i]);
  });
  test("col2im is its adjoint for 1-D, 2-D and 3-D kernels, even sizes, groups and both column orders", () => {
    checkAdjoint(1, 1, 7, 3, 1, 1, 1, 4, true);
    checkAdjoint(1, 5, 6, 4, 2, 1, 3, 2, false);
    checkAdjoint(3, 4, 2, 6, 3, 2, 3, 3, true);
  });
});

describe("activations", () => {
  test("each derivative matches a central difference of its activation", () => {
    for (let code = 0; code < SOFTMAX; code++) {
      for (let i = -40; i <= 40; i++) {
        const x = <f32>(<f64>i * 0.1 + 0.05);
        // In float32 a step of 1/128 balances the central difference's truncation error against its rounding.
        const h: f32 = 0.0078125;
        const numeric = <f64>(activationf(code, 0.2, x + h) - activationf(code, 0.2, x - h)) / (2 * <f64>h);
        const analytic = <f64>derivativef(code, 0.2, x, activationf(code, 0.2, x));
        expect<bool>(Math.abs(numeric - analytic) < 2e-4).toBe(true, `activation ${code} at ${x}: ${analytic} vs ${numeric}`);
      }
    }
  });
  test("the four-lane ReLU, leaky ReLU and identity agree with the scalar form, remainders included", () => {
    fill(A, 11, 9);
    for (let code = 0; code <= LEAKY_RELU; code++) {
      activate(code, 0.2, 1, 11, A, C);
      for (let i = 0; i < 11; i++) expect<f32>(load<f32>(at(C, i))).toBe(activationf(code, <f32>0.2, load<f32>(at(A, i))));
      fill(B, 11, 4);
      memory.copy(EXPECTED, B, 44);
      activateBackward(code, 0.2, 1, 11, A, C, B);
      for (let i = 0; i < 11; i++) {
        const x = load<f32>(at(A, i)), g = load<f32>(at(EXPECTED, i));
        const want: f32 = code == LINEAR ? g : x > 0 ? g : (code == RELU ? <f32>0 : <f32>0.2) * g;
        expect<f32>(load<f32>(at(B, i))).toBe(want);
      }
    }
  });
  test("softmax rows sum to one and its backward pass removes the gradient's projection on them", () => {
    fill(A, 12, 5);
    activate(SOFTMAX, 0, 3, 4, A, C);
    for (let r = 0; r < 3; r++) {
      let sum: f64 = 0;
      for (let j = 0; j < 4; j++) sum += <f64>load<f32>(at(C, r * 4 + j));
      expect<bool>(Math.abs(sum - 1) < 1e-6).toBe(true);
    }
    // A gradient equal on a row is orthogonal to the tangent space of the simplex: it vanishes.
    for (let i = 0; i < 12; i++) store<f32>(at(B, i), 2.5);
    activateBackward(SOFTMAX, 0, 3, 4, A, C, B);
    for (let i = 0; i < 12; i++) expect<bool>(Math.abs(load<f32>(at(B, i))) < 1e-6).toBe(true);
  });
});
