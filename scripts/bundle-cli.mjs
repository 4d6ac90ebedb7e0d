// Bundles the `nninit` command into dist/cli/main.js (package.json "bin"), over the module tsc emitted there, and
// its lazily loaded parts (ONNX and TF.js formats, the probe and plots, the worker pool) into chunks in
// dist/cli/bin/. Node's ES module loader resolves, reads and compiles each module of the unbundled command one at a
// time: about seventy of them for `nninit init spec.json`, some 30 ms of every run, where the bundle loads nine
// files. The library's modules in dist/ are tsc's, unbundled; tests import the command's (dist/cli/program.js) from
// there too. build/cli-bundle.json (esbuild's metafile) tells which sources each output file holds.
import { build } from 'esbuild';
import { chmodSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
rmSync(new URL('../dist/cli/bin/', import.meta.url), { recursive: true, force: true });
const result = await build({
  absWorkingDir: root,
  entryPoints: [
    { in: 'src/cli/main.ts', out: 'main' },
    // The pool's worker script, beside the chunk that holds src/pool/node.ts, which starts it as
    // new URL('./node-worker.js', import.meta.url).
    { in: 'src/pool/node-worker.ts', out: 'bin/node-worker' },
  ],
  outdir: 'dist/cli',
  bundle: true,
  splitting: true,
  chunkNames: 'bin/[name]-[hash]',
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // Stack traces name the bundle's lines; `node --enable-source-maps` maps them to src/ (sources inlined).
  sourcemap: true,
  // The ONNX schema's packages (CommonJS, loaded only for ONNX inputs) stay Node's to load from node_modules:
  // bundled, with their source maps, they would double the package's size for no gain at start.
  external: ['onnx-proto', 'protobufjs', 'protobufjs/*'],
  // Node runs every module it imports. package.json's "sideEffects" (for bundlers of the library; it names dist/
  // files) must not drop src/embedded.ts, whose import installs the WebAssembly kernels.
  ignoreAnnotations: true,
  // commander is CommonJS: its require() of Node built-ins needs a require inside an ES module. The banner goes
  // into every output file, and createRequire costs 0.3-0.4 ms each, so it is made on first call: only the
  // chunk of esbuild's __require helper calls it.
  banner: {
    js: "import { createRequire as __nninitCreateRequire } from 'node:module';\n" +
      'let __nninitRequire;\nfunction require(id) { return (__nninitRequire ??= __nninitCreateRequire(import.meta.url))(id); }',
  },
  metafile: true,
  logLevel: 'warning',
});
mkdirSync(new URL('../build/', import.meta.url), { recursive: true });
writeFileSync(new URL('../build/cli-bundle.json', import.meta.url), `${JSON.stringify(result.metafile)}\n`);
chmodSync(new URL('../dist/cli/main.js', import.meta.url), 0o755);
