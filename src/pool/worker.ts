// The pool's module Web Worker (browsers, Deno, Bun). The pool starts it as
// `new Worker(new URL('./worker.js', import.meta.url), { type: 'module' })`, which bundlers follow.

import { handleMessage } from './serve.js';
import type { ToWorker } from './protocol.js';

interface WorkerScope {
  onmessage: ((event: MessageEvent<ToWorker>) => void) | null;
  postMessage(message: unknown, transfer: Transferable[]): void;
}

const scope = globalThis as unknown as WorkerScope;
scope.onmessage = (event) => handleMessage(event.data, (message, transfer = []) => scope.postMessage(message, transfer));
