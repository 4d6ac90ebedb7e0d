// Which backend runs. Both produce identical bits, so switching changes speed only.
// At import the WebAssembly module is compiled synchronously where the platform allows it (always in Node);
// otherwise the js backend serves calls until the asynchronous compile finishes and ready() resolves.

import type { Backend, BackendName } from './backend.js';
import { referenceBackend } from './reference.js';
import { compileAsync, compileSync, createWasmBackend, simdSupported } from './wasm.js';
import { typeError, rangeError } from './validate.js';

let wasmBackend: Backend | undefined;
let active: Backend = referenceBackend;
/** Set once the caller picks a backend, so a late asynchronous compile does not override the choice. */
let chosen = false;
let pending: Promise<BackendName>;

if (simdSupported()) {
  try {
    wasmBackend = createWasmBackend(compileSync());
    active = wasmBackend;
    pending = Promise.resolve('wasm');
  } catch {
    pending = compileAsync().then(
      (module) => {
        wasmBackend = createWasmBackend(module);
        if (!chosen) active = wasmBackend;
        return active.name;
      },
      () => active.name,
    );
  }
} else {
  pending = Promise.resolve('js');
}

/** The backend in use: 'wasm' (SIMD WebAssembly) or 'js' (the pure TypeScript reference). */
export function getBackend(): BackendName {
  return active.name;
}

/**
 * Selects a backend. 'js' is always available; 'wasm' needs WebAssembly SIMD and a finished compile
 * (`await ready()` first on platforms that compile asynchronously). Results are bit-identical either way.
 */
export function setBackend(name: BackendName): void {
  if (name === 'js') {
    active = referenceBackend;
  } else if (name === 'wasm') {
    if (!wasmBackend) {
      throw new Error(
        simdSupported()
          ? "nninit.setBackend: the WebAssembly module is still compiling; await ready() before setBackend('wasm')"
          : "nninit.setBackend: this platform has no WebAssembly SIMD, so only the 'js' backend is available",
      );
    }
    active = wasmBackend;
  } else if (typeof name === 'string') {
    throw rangeError('setBackend', 'name', "'wasm' or 'js'", name);
  } else {
    throw typeError('setBackend', 'name', "'wasm' or 'js'", name);
  }
  chosen = true;
}

/**
 * Resolves once the WebAssembly backend is compiled and in use (immediately in Node), with the name of the
 * backend then active: 'js' where SIMD is unavailable or the caller chose 'js'.
 */
export function ready(): Promise<BackendName> {
  return pending.then(() => active.name);
}

/** The active backend, for the initializers. */
export function currentBackend(): Backend {
  return active;
}
