// The seed of a model run that was given none.

/**
 * A fresh seed in [0, 2^53) from crypto.getRandomValues: exact as a JSON number and short enough to retype, so a
 * plan that shows it can be repeated.
 */
export function freshSeed53(): number {
  const words = new Uint32Array(2);
  globalThis.crypto.getRandomValues(words);
  return (words[1] & 0x1fffff) * 2 ** 32 + words[0];
}
