// Which backend runs. Both produce identical bits, so switching changes speed only.
// The js backend serves calls until a compiled WebAssembly module is installed: synchronously at import in the
// main entry where the platform allows it (always in Node; see embedded.ts), otherwise when an asynchronous
// compile finishes, which ready() waits for.

import type { Backend, BackendName } from './backend.js';
import { referenceBackend } from './reference.js';
import { createWasmBackend, simdSupported } from './wasm.js';
import { typeError, rangeError } from './validate.js';

let wasmBackend: Backend | undefined;
let wasmModule: WebAssembly.Module | undefined;
let active: Backend = referenceBackend;
/** Set once the caller picks a backend, so a late asynchronous compile does not override the choice. */
let chosen = false;
let pending: Promise<unknown> = Promise.resolve();

/** Makes a compiled kernel module the wasm backend, and the active one unless the caller chose a backend. */
export function installModule(module: WebAssembly.Module): void {
  wasmBackend = createWasmBackend(module);
  wasmModule = module;
  if (!chosen) active = wasmBackend;
}

/** Installs the module an asynchronous compile yields; ready() waits for it. A failed compile leaves js in use. */
export function installWhenCompiled(compile: Promise<WebAssembly.Module>): Promise<BackendName> {
  const installed = compile.then(installModule, () => undefined).then(() => active.name);
  pending = installed;
  return installed;
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
          ? "nninit.setBackend: the WebAssembly module is not compiled yet; await ready() (or loadWasm() from nninit/lean) first"
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

export { simdSupported };

/** The active backend, for the initializers. */
export function currentBackend(): Backend {
  return active;
}

/** The compiled kernel module once installed, which the worker pool hands to its workers instead of compiling it again. */
export function installedModule(): WebAssembly.Module | undefined {
  return wasmModule;
}

/**
 * Runs `body` with `backend` in place of the active one, restoring it afterwards even when `body` throws. The
 * worker pool checks a call's arguments by running it on a backend that stops at the first kernel call, since
 * every initializer checks all of its arguments before it calls the backend.
 */
export function withBackend<T>(backend: Backend, body: () => T): T {
  const previous = active;
  active = backend;
  try {
    return body();
  } finally {
    active = previous;
  }
}
