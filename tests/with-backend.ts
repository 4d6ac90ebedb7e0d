import { setBackend } from 'nninit';

/** Runs `run` on the given backend and restores wasm afterwards. */
export function withBackend<T>(name: 'wasm' | 'js', run: () => T): T {
  setBackend(name);
  try {
    return run();
  } finally {
    setBackend('wasm');
  }
}
