// The lean entry loaded unbundled: loadWasm() with no argument fetches dist/nninit.wasm next to dist/lean.js.

import * as lean from '../../dist/lean.js';
import { digestCases } from './cases.js';

/** @type {Window & { nninitLeanTest?: () => Promise<{ backendAtImport: string, loaded: string, active: import('./cases.js').CaseDigest[] }> }} */
const page = window;
const backendAtImport = lean.getBackend();
page.nninitLeanTest = async () => {
  const loaded = await lean.loadWasm();
  return { backendAtImport, loaded, active: await digestCases(lean) };
};
