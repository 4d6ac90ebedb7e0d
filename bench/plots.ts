// npm run plots: draws the claims plots (docs/claims-*.svg) from docs/claims.json, without running the
// experiments again; npm run claims calls it after writing the data.
//
//   node --import tsx bench/plots.ts [--check]     (--check: write nothing, exit 1 if an SVG is not current)

import { readFileSync, writeFileSync } from 'node:fs';
import { plotClaimsGradient, plotClaimsHistograms, plotClaimsStd, plotTraining, type ClaimsData, type TrainingCurves } from 'nninit';

const DOCS = new URL('../docs/', import.meta.url);

/** The activations whose histograms get a figure of their own. */
export const HEATMAP_ACTIVATIONS = ['tanh', 'relu', 'selu'] as const;

/** Every claims plot, by file name in docs/. */
export function claimsPlots(doc: ClaimsData & { readonly training: readonly TrainingCurves[] }): Map<string, string> {
  const plots = new Map<string, string>();
  plots.set('claims-std.svg', plotClaimsStd(doc));
  plots.set('claims-gradient.svg', plotClaimsGradient(doc));
  for (const activation of HEATMAP_ACTIVATIONS) plots.set(`claims-heatmap-${activation}.svg`, plotClaimsHistograms(doc, activation));
  plots.set('claims-training.svg', plotTraining(doc.training));
  return plots;
}

/** Writes the plots into docs/ (or, with check, reports whether they are current); returns the names that differ. */
export function writeClaimsPlots(doc: ClaimsData & { readonly training: readonly TrainingCurves[] }, check = false): string[] {
  const stale: string[] = [];
  for (const [name, svg] of claimsPlots(doc)) {
    const url = new URL(name, DOCS);
    let current: string | undefined;
    try {
      current = readFileSync(url, 'utf8');
    } catch {
      current = undefined;
    }
    if (current === svg) continue;
    stale.push(name);
    if (!check) writeFileSync(url, svg);
  }
  return stale;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const check = process.argv.includes('--check');
  const doc = JSON.parse(readFileSync(new URL('claims.json', DOCS), 'utf8')) as ClaimsData & { training: TrainingCurves[] };
  const stale = writeClaimsPlots(doc, check);
  if (check) {
    console.log(stale.length ? `not current: ${stale.map((n) => `docs/${n}`).join(', ')}: run npm run plots` : 'docs/claims-*.svg are current');
    process.exitCode = stale.length ? 1 : 0;
  } else {
    console.log(`wrote ${[...claimsPlots(doc).keys()].map((n) => `docs/${n}`).join(', ')}${stale.length ? '' : ' (unchanged)'}`);
  }
}
