// nninit/lean: the same API without the embedded WebAssembly binary (a smaller bundle, and no base64 compile
// for sites whose policies want WebAssembly fetched from a URL). Calls run on the bit-identical js backend
// until loadWasm() installs the kernels.

import type { BackendName } from './core/backend.js';
import { installWhenCompiled, simdSupported } from './core/runtime.js';

export * from './api.js';

/** Where the kernels can come from: a URL of nninit.wasm (shipped as nninit/nninit.wasm), a fetch Response, bytes, or a compiled module. */
export type WasmSource = string | URL | Response | ArrayBuffer | ArrayBufferView | WebAssembly.Module;

async function compile(source: WasmSource): Promise<WebAssembly.Module> {
  if (source instanceof WebAssembly.Module) return source;
  if (source instanceof ArrayBuffer || ArrayBuffer.isView(source)) return WebAssembly.compile(source as BufferSource);
  const response = source instanceof Response ? source : await fetch(source);
  if (!response.ok) throw new Error(`nninit.loadWasm: fetching the kernels failed with HTTP ${response.status}`);
  // compileStreaming needs the application/wasm MIME type; fall back to bytes for servers that send another.
  if (response.headers.get('content-type')?.startsWith('application/wasm')) return WebAssembly.compileStreaming(response);
  return WebAssembly.compile(await response.arrayBuffer());
}

/**
 * Compiles and installs the SIMD kernels, resolving with the backend then in use ('wasm', or 'js' where
 * WebAssembly SIMD is unavailable). Rejects if the source cannot be fetched or compiled; the js backend stays.
 *
 * @example await loadWasm(new URL('nninit/nninit.wasm', import.meta.url));
 */
export async function loadWasm(source: WasmSource): Promise<BackendName> {
  if (!simdSupported()) return 'js';
  const module = await compile(source);
  return installWhenCompiled(Promise.resolve(module));
}
