// The test page's module: the package entry loaded unbundled by <script type="module">. It records the backend
// in use right after the import, then offers the test one function that reports on the page and on a module
// worker started from it.

import * as nninit from '../../dist/index.js';
import { report } from './cases.js';

const backendAtImport = nninit.getBackend();

/** @returns {Promise<import('./cases.js').Report>} */
function workerReport() {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
    worker.onmessage = (event) => {
      worker.terminate();
      if (event.data.error) reject(new Error(`in the worker: ${event.data.error}`));
      else resolve(event.data.report);
    };
    worker.onerror = (event) => {
      worker.terminate();
      reject(new Error(`the worker failed to load or threw: ${event.message}`));
    };
  });
}

/** @type {Window & { nninitBrowserTest?: () => Promise<{ page: import('./cases.js').Report, worker: import('./cases.js').Report }> }} */
const page = window;
page.nninitBrowserTest = async () => ({ page: await report(nninit, backendAtImport), worker: await workerReport() });
