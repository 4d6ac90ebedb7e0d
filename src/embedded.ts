// Compiles the WebAssembly binary embedded in the package (base64, see scripts/embed-wasm.mjs) on import, so
// `import 'nninit'` needs no extra file or server configuration anywhere. Synchronous compilation is tried
// first (Node, workers, small modules on main threads); where the platform refuses it, the js backend serves
// calls until the asynchronous compile finishes.

import { wasmBase64 } from './generated/wasm-binary.js';
import { installModule, installWhenCompiled, simdSupported } from './core/runtime.js';

function decodeBase64(text: string): Uint8Array<ArrayBuffer> {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

if (simdSupported()) {
  const bytes = decodeBase64(wasmBase64);
  try {
    installModule(new WebAssembly.Module(bytes));
  } catch {
    void installWhenCompiled(WebAssembly.compile(bytes));
  }
}
