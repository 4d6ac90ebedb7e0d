// What `npm pack` ships: the license the package declares, source maps that resolve to their sources, and
// declarations without the embedded binary in them.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join, posix } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** The paths `npm pack` would put in the tarball (scripts skipped: `npm test` has just built dist/). */
function packedFiles(): string[] {
  const output = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT, encoding: 'utf8' });
  const [pack] = JSON.parse(output) as { files: { path: string }[] }[];
  return pack.files.map((file) => file.path);
}

const files = packedFiles();

test('the package ships the MIT license that package.json declares', () => {
  const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { license: string };
  assert.equal(manifest.license, 'MIT');
  assert.ok(files.includes('LICENSE'), `LICENSE is not in the package: ${files.filter((f) => !f.startsWith('dist/')).join(', ')}`);
  const text = readFileSync(join(ROOT, 'LICENSE'), 'utf8');
  assert.match(text, /^MIT License/);
  assert.match(text, /Copyright \(c\) \d{4} nninit contributors/);
  assert.match(text, /THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND/);
});

test('every shipped source map resolves: each source is in the package or inlined', () => {
  const maps = files.filter((file) => file.endsWith('.js.map'));
  assert.ok(maps.length >= 10, `${maps.length} source maps`);
  const unresolved: string[] = [];
  for (const map of maps) {
    const parsed = JSON.parse(readFileSync(join(ROOT, map), 'utf8')) as { sources: string[]; sourcesContent?: (string | null)[]; sourceRoot?: string };
    parsed.sources.forEach((source, i) => {
      const resolved = posix.normalize(posix.join(dirname(map), parsed.sourceRoot ?? '', source));
      const inlined = typeof parsed.sourcesContent?.[i] === 'string' && parsed.sourcesContent[i]!.length > 0;
      if (!inlined && !files.includes(resolved)) unresolved.push(`${map}: ${source}`);
    });
  }
  assert.deepEqual(unresolved, []);
});

test('the declaration of the embedded binary is a string, not the base64 literal', () => {
  const declaration = 'dist/generated/wasm-binary.d.ts';
  assert.ok(files.includes(declaration));
  const text = readFileSync(join(ROOT, declaration), 'utf8');
  assert.match(text, /export declare const wasmBase64: string;/);
  assert.ok(text.length < 1000, `${declaration} is ${text.length} bytes`);
});
