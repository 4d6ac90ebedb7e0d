// Writes docs/examples/<name>.txt: explainModel of each example spec (npm run docs:examples). The tests check
// that the files are current.

import { readFileSync, readdirSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { explainModel } from '../src/index.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** The example specs, by name, and the text each one's explain file holds. */
export function exampleExplanations(): Map<string, string> {
  const explanations = new Map<string, string>();
  for (const file of readdirSync(join(root, 'examples')).filter((f) => f.endsWith('.json')).sort()) {
    explanations.set(file.replace(/\.json$/, ''), explainModel(readFileSync(join(root, 'examples', file), 'utf8')));
  }
  return explanations;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  mkdirSync(join(root, 'docs', 'examples'), { recursive: true });
  for (const [name, text] of exampleExplanations()) {
    writeFileSync(join(root, 'docs', 'examples', `${name}.txt`), text);
    console.log(`docs/examples/${name}.txt`);
  }
}
