import { philoxBlock, philoxGroup, prepareRoundKeys, GROUP_WORDS, IN_ORDER, MAPPED_IN_ORDER } from "../philox";

// Random123 known-answer vectors (tests/fixtures/philox4x32-10.kat): counter, key, expected output.
const VECTORS: u32[][] = [
  [0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8],
  [0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff, 0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd],
  [0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344, 0xa4093822, 0x299f31d0, 0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1],
];

const buffer = memory.data(GROUP_WORDS * 4 * 2, 16);

describe("philoxBlock", () => {
  it("reproduces the Random123 known-answer vectors", () => {
    for (let v = 0; v < VECTORS.length; v++) {
      const w = VECTORS[v];
      philoxBlock(buffer, w[0], w[1], w[2], w[3], w[4], w[5]);
      for (let i = 0; i < 4; i++) expect<u32>(load<u32>(buffer + (<usize>i << 2))).toBe(w[6 + i]);
    }
  });
});

/** Checks that every lane of philoxGroup equals philoxBlock of its own counter. */
function checkGroup(block: u64, streamLo: u32, streamHi: u32, seedLo: u32, seedHi: u32): void {
  prepareRoundKeys(seedLo, seedHi);
  philoxGroup(buffer, block, streamLo, streamHi);
  const scalar = buffer + <usize>GROUP_WORDS * 4;
  for (let j = 0; j < GROUP_WORDS / 4; j++) {
    const b = block + <u64>j;
    philoxBlock(scalar, <u32>b, <u32>(b >>> 32), streamLo, streamHi, seedLo, seedHi);
    // Lane-major layout: vector 4h + k holds word k of blocks 4h .. 4h + 3.
    const half = j >> 2, lane = j & 3;
    for (let k = 0; k < 4; k++) {
      const simd = load<u32>(buffer + (<usize>((half * 4 + k) * 4 + lane) << 2));
      expect<u32>(simd).toBe(load<u32>(scalar + (<usize>k << 2)));
    }
  }
}

/** Checks that philoxGroup's IN_ORDER and MAPPED_IN_ORDER layouts hold the words of philoxBlock in stream order. */
function checkGroupInOrder(block: u64, streamLo: u32, streamHi: u32, seedLo: u32, seedHi: u32): void {
  const scale: f32 = 0.375, offset: f32 = -2.5;
  const scalar = buffer + <usize>GROUP_WORDS * 4;
  for (let mapped = 0; mapped < 2; mapped++) {
    prepareRoundKeys(seedLo, seedHi);
    if (mapped) {
      philoxGroup(buffer, block, streamLo, streamHi, MAPPED_IN_ORDER, f32x4.splat(scale), f32x4.splat(offset));
    } else {
      philoxGroup(buffer, block, streamLo, streamHi, IN_ORDER);
    }
    for (let j = 0; j < GROUP_WORDS / 4; j++) {
      const b = block + <u64>j;
      philoxBlock(scalar, <u32>b, <u32>(b >>> 32), streamLo, streamHi, seedLo, seedHi);
      for (let k = 0; k < 4; k++) {
        const word = load<u32>(scalar + (<usize>k << 2));
        const expected = mapped ? reinterpret<u32>(<f32>(word >>> 8) * scale + offset) : word;
        expect<u32>(load<u32>(buffer + (<usize>(4 * j + k) << 2))).toBe(expected);
      }
    }
  }
}

describe("philoxGroup", () => {
  it("matches the scalar block function lane by lane", () => {
    checkGroup(0, 0, 0, 0, 0);
    checkGroup(12345, 7, 8, 0xdeadbeef, 0x01234567);
  });

  it("carries the block counter into its high word inside a group", () => {
    checkGroup(0xfffffffd, 3, 4, 5, 6);
    checkGroup(0x1fffffffe, 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff);
  });

  it("stores the words, or their affine map, in stream order", () => {
    checkGroupInOrder(12345, 7, 8, 0xdeadbeef, 0x01234567);
    checkGroupInOrder(0xfffffffd, 3, 4, 5, 6);
  });
});
