// The pool's worker thread in Node (worker_threads).

/// <reference types="node" />

import { parentPort } from 'node:worker_threads';
import { handleMessage } from './serve.js';
import type { ToWorker } from './protocol.js';

const port = parentPort!;
port.on('message', (message: ToWorker) => handleMessage(message, (reply, transfer = []) => port.postMessage(reply, transfer)));
