import { GROUP_WORDS } from "../philox";
import {
  fillBits, fillUniform, fillNormal, fillTruncatedNormal, fillTruncatedNormalTail,
  uniformOf, normalPairOf, normalCosine, normalSine, truncatedOf, truncatedTailOf,
} from "../samplers";
import { logf, logf4, erfinvf, erfinvf4, normalTailInverse, normalTailInverse4 } from "../f32math";

const GROUPS = 3;
const WORDS = GROUPS * GROUP_WORDS;
const words = memory.data(WORDS * 4, 16);
const values = memory.data(WORDS * 4, 16);

function bitsOf(x: f32): u32 {
  return reinterpret<u32>(x);
}

// A block counter that wraps its low word inside the checked range, a stream, a seed.
const BLOCK_LO: u32 = 0xfffffffa, BLOCK_HI: u32 = 2, T_LO: u32 = 11, T_HI: u32 = 12, S_LO: u32 = 0x9e3779b9, S_HI: u32 = 77;

describe("v128 samplers against the scalar specification, lane by lane", () => {
  beforeEach(() => {
    fillBits(words, GROUPS, BLOCK_LO, BLOCK_HI, T_LO, T_HI, S_LO, S_HI);
  });

  it("fillUniform, with 2^-24 folded into the range and without", () => {
    // (low, range): ordinary ranges and a huge one take the folded path; 2^-110 folds to a subnormal that is
    // still exact; 3e-35 and 1e-40 would lose bits in range 2^-24, so they take the path of the specification.
    const cases: f32[][] = [
      [-0.75, 1.5], [3, -0.1], [-1.5e38, 3e38], [0, 0], [0.5, 7.703719777548943e-34], [1e-30, 3e-35], [0, 1e-40],
    ];
    for (let c = 0; c < cases.length; c++) {
      const low = cases[c][0], range = cases[c][1];
      fillUniform(values, GROUPS, BLOCK_LO, BLOCK_HI, T_LO, T_HI, S_LO, S_HI, low, range);
      for (let i = 0; i < WORDS; i++) {
        const expected = uniformOf(load<u32>(words + (<usize>i << 2)), low, range);
        expect<u32>(load<u32>(values + (<usize>i << 2))).toBe(bitsOf(expected));
      }
    }
  });

  it("fillNormal pairs words (0, 1) and (2, 3) of each block", () => {
    const mean: f32 = 0.25, stddev: f32 = 2;
    fillNormal(values, GROUPS, BLOCK_LO, BLOCK_HI, T_LO, T_HI, S_LO, S_HI, mean, stddev);
    for (let i = 0; i < WORDS; i += 2) {
      normalPairOf(load<u32>(words + (<usize>i << 2)), load<u32>(words + (<usize>(i + 1) << 2)), mean, stddev);
      expect<u32>(load<u32>(values + (<usize>i << 2))).toBe(bitsOf(normalCosine));
      expect<u32>(load<u32>(values + (<usize>(i + 1) << 2))).toBe(bitsOf(normalSine));
    }
  });

  it("fillTruncatedNormal, including the tail branch of erfinv", () => {
    // Bounds (-4.5, 3.5) standard deviations put some lanes past erfinv's central branch.
    const start: f32 = -0.99999320, width: f32 = 1.99952803, mean: f32 = -1, stddev: f32 = 0.5;
    const lowest: f32 = -3.2499998, highest: f32 = 0.74999994;
    fillTruncatedNormal(values, GROUPS, BLOCK_LO, BLOCK_HI, T_LO, T_HI, S_LO, S_HI, start, width, mean, stddev, lowest, highest);
    for (let i = 0; i < WORDS; i++) {
      const expected = truncatedOf(load<u32>(words + (<usize>i << 2)), start, width, mean, stddev, lowest, highest);
      expect<u32>(load<u32>(values + (<usize>i << 2))).toBe(bitsOf(expected));
    }
  });

  it("fillTruncatedNormalTail: an interval [6, 7], and a mirrored one-sided interval", () => {
    // -log Q(6) and Q(7) / Q(6); then (-infinity, -3]: -log Q(3), ratio 0, a negative scale.
    const cases: f32[][] = [
      [20.7367420, 0.00129284, 0.5, -1, 1.9999999, 2.4999998],
      [6.5917050, 0, -2, 0.25, -3.4028235e38, -5.7499995],
    ];
    for (let c = 0; c < cases.length; c++) {
      const p = cases[c];
      fillTruncatedNormalTail(values, GROUPS, BLOCK_LO, BLOCK_HI, T_LO, T_HI, S_LO, S_HI, p[0], p[1], p[2], p[3], p[4], p[5]);
      for (let i = 0; i < WORDS; i++) {
        const expected = truncatedTailOf(load<u32>(words + (<usize>i << 2)), p[0], p[1], p[2], p[3], p[4], p[5]);
        expect<u32>(load<u32>(values + (<usize>i << 2))).toBe(bitsOf(expected));
      }
    }
  });
});

describe("v128 elementary functions against their scalar forms", () => {
  it("logf4 equals logf over a sweep of positive normal floats", () => {
    for (let bits: u32 = 0x00800000; bits < 0x7f800000; bits += 0x0001f3a7) {
      const x = reinterpret<f32>(bits);
      const lanes = logf4(f32x4.splat(x));
      expect<u32>(i32x4.extract_lane(lanes, 0)).toBe(bitsOf(logf(x)));
    }
  });

  it("erfinvf4 equals erfinvf across (-1, 1), both branches", () => {
    for (let k = -999; k <= 999; k++) {
      const x = <f32>k / <f32>1000;
      const lanes = erfinvf4(f32x4(x, -x, x * <f32>0.5, <f32>0.9999));
      expect<u32>(i32x4.extract_lane(lanes, 0)).toBe(bitsOf(erfinvf(x)));
      expect<u32>(i32x4.extract_lane(lanes, 1)).toBe(bitsOf(erfinvf(-x)));
      expect<u32>(i32x4.extract_lane(lanes, 2)).toBe(bitsOf(erfinvf(x * <f32>0.5)));
      expect<u32>(i32x4.extract_lane(lanes, 3)).toBe(bitsOf(erfinvf(<f32>0.9999)));
    }
  });

  it("normalTailInverse4 equals normalTailInverse from w = -log Q(1) to 800, lane by lane", () => {
    for (let k = 0; k < 4000; k++) {
      const w = <f32>1.8410217 + <f32>k * <f32>0.2; // up to 801
      const lanes = normalTailInverse4(f32x4(w, w * <f32>1.0001, w + <f32>0.05, <f32>1.8410217 + <f32>k * <f32>0.0003));
      expect<u32>(i32x4.extract_lane(lanes, 0)).toBe(bitsOf(normalTailInverse(w)));
      expect<u32>(i32x4.extract_lane(lanes, 1)).toBe(bitsOf(normalTailInverse(w * <f32>1.0001)));
      expect<u32>(i32x4.extract_lane(lanes, 2)).toBe(bitsOf(normalTailInverse(w + <f32>0.05)));
      expect<u32>(i32x4.extract_lane(lanes, 3)).toBe(bitsOf(normalTailInverse(<f32>1.8410217 + <f32>k * <f32>0.0003)));
    }
  });
});
