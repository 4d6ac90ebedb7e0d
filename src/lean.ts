// nninit/lean: the same API without the embedded WebAssembly binary (a smaller bundle, and no base64 compile
// for sites whose policies want WebAssembly fetched from a URL). Calls run on the bit-identical js backend
// until loadWasm() installs the kernels.
//
// This module must stay free of static Node imports, so that browser bundles of it stay clean: Node's file
// system is reached through a dynamic import whose specifier bundlers are told to leave alone, and only when a
// file: URL or a path is loaded in Node.

import type { BackendName } from './core/backend.js';
import { installWhenCompiled, simdSupported } from './core/runtime.js';
import { describe } from './core/validate.js';

export * from './api.js';

/**
 * Where the kernels can come from: a URL of nninit.wasm (http(s): fetched; file: read from disk in Node), a path
 * (in Node), a fetch Response, bytes, or a compiled module.
 */
export type WasmSource = string | URL | Response | ArrayBuffer | ArrayBufferView | WebAssembly.Module;

const WHAT_IT_TAKES = 'a URL (or URL string) of nninit.wasm, a file path in Node, a fetch Response, an ArrayBuffer or typed array of its bytes, or a WebAssembly.Module';

/** Node's fs/promises, typed as far as it is used here. */
interface FileSystem {
  readFile(path: URL | string): Promise<Uint8Array>;
}

const isNode = () => typeof (globalThis as { process?: { versions?: { node?: unknown } } }).process?.versions?.node === 'string';

/** A specifier kept out of bundlers' sight (they would try to bundle or polyfill a literal 'node:fs/promises'). */
const FS_MODULE = 'node:fs/promises';

async function readFromDisk(location: URL | string): Promise<Uint8Array> {
  const fs = await import(/* @vite-ignore */ /* webpackIgnore: true */ FS_MODULE) as FileSystem;
  try {
    return await fs.readFile(location);
  } catch (error) {
    throw new Error(`nninit.loadWasm: reading ${String(location)} failed: ${(error as Error).message}`, { cause: error });
  }
}

/** A string or URL source: read from disk for file: URLs and paths in Node, fetched otherwise. */
async function bytesOrResponse(source: string | URL): Promise<Response | Uint8Array> {
  let url: URL | undefined;
  try {
    url = source instanceof URL ? source : new URL(source);
  } catch {
    url = undefined; // a relative URL (for fetch) or a path (in Node)
  }
  if (isNode() && (url === undefined || url.protocol === 'file:')) return readFromDisk(url ?? String(source));
  return fetch(url ?? source);
}

async function compile(source: WasmSource): Promise<WebAssembly.Module> {
  if (source instanceof WebAssembly.Module) return source;
  if (source instanceof ArrayBuffer || ArrayBuffer.isView(source)) return WebAssembly.compile(source as BufferSource);
  const loaded = source instanceof Response ? source : await bytesOrResponse(source);
  if (!(loaded instanceof Response)) return WebAssembly.compile(loaded as BufferSource);
  if (!loaded.ok) throw new Error(`nninit.loadWasm: fetching the kernels failed with HTTP ${loaded.status}`);
  // compileStreaming needs the application/wasm MIME type; fall back to bytes for servers that send another.
  if (loaded.headers.get('content-type')?.startsWith('application/wasm')) return WebAssembly.compileStreaming(loaded);
  return WebAssembly.compile(await loaded.arrayBuffer());
}

function isWasmSource(source: unknown): source is WasmSource {
  return typeof source === 'string' || source instanceof URL || source instanceof ArrayBuffer || ArrayBuffer.isView(source)
    || source instanceof WebAssembly.Module || (typeof Response === 'function' && source instanceof Response);
}

/**
 * Compiles and installs the SIMD kernels, resolving with the backend then in use ('wasm', or 'js' where
 * WebAssembly SIMD is unavailable). Without an argument it loads the nninit.wasm shipped next to this module
 * (`new URL('./nninit.wasm', import.meta.url)`): Node reads the file, browsers fetch it, and bundlers that
 * understand that pattern (Vite, webpack 5, Parcel 2) emit it as an asset. Rejects with a TypeError for a source
 * of another kind, and with an Error if it cannot be read, fetched or compiled; the js backend stays in use then.
 *
 * @example await loadWasm();                                       // Node, browsers, bundlers
 * @example await loadWasm('https://cdn.example.com/nninit.wasm');  // from your own server
 */
export async function loadWasm(source: WasmSource = new URL('./nninit.wasm', import.meta.url)): Promise<BackendName> {
  if (!isWasmSource(source)) throw new TypeError(`nninit.loadWasm: source must be ${WHAT_IT_TAKES}, got ${describe(source)}`);
  if (!simdSupported()) return 'js';
  const module = await compile(source);
  return installWhenCompiled(Promise.resolve(module));
}
