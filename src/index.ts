// nninit: neural-network weight initializers on a counter-based random stream, computed by SIMD WebAssembly
// kernels with a bit-identical TypeScript reference. See README.md for the reproducibility contract.
//
// This entry embeds the WebAssembly binary; nninit/lean loads it from a URL instead.

import './embedded.js';

export * from './api.js';
