// Colours of the plots, for light and dark pages. Every plot carries its own background and a style sheet whose
// dark variant follows `prefers-color-scheme`, so whichever variant a viewer picks (GitHub's light or dark theme,
// an SVG opened on its own) the text sits on a background of its own variant. Rules are scoped to .nninit-plot,
// so several plots inlined in one page (the explorer) share them harmlessly.

/**
 * Series colours: Tableau 10 (Tableau's default categorical palette, chosen for telling lines apart) for light
 * backgrounds, and lighter versions of the same hues for dark ones.
 */
export const PALETTE_LIGHT = ['#4e79a7', '#f28e2b', '#e15759', '#59a14f', '#b07aa1', '#9c755f', '#76b7b2', '#edc948', '#ff9da7', '#79706e'] as const;
export const PALETTE_DARK = ['#79a6d6', '#ffa654', '#ff7b7d', '#7fcb74', '#d29fc4', '#c49a83', '#95d5d0', '#f5d96b', '#ffb8c0', '#bab0ac'] as const;

/**
 * The colour index of each initializer preset of the claims (and the names the explorer uses), so an initializer
 * has the same colour in every plot: He orange, Xavier blue, LeCun green, orthogonal purple, naive ones red/brown.
 */
export const SERIES_COLORS: Readonly<Record<string, number>> = {
  'xavier': 0, 'he': 1, 'normal-1': 2, 'lecun': 3, 'orthogonal': 4, 'normal-0.01': 5, 'xavier-tanh': 6,
  'orthogonal-gain': 4, 'zero': 9, 'lsuv': 7, 'policy': 8,
};

/**
 * viridis (matplotlib's default sequential colormap, van der Walt and Smith 2015), sampled at nine evenly spaced
 * points; between them colours are interpolated linearly in sRGB. Dark for few values, bright for many.
 */
const VIRIDIS = ['#440154', '#472d7b', '#3b528b', '#2c728e', '#21918c', '#28ae80', '#5ec962', '#addc30', '#fde725'];

const channels = (hex: string) => [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));

/** The viridis colour at t in [0, 1], as #rrggbb. */
export function viridis(t: number): string {
  const x = Math.min(1, Math.max(0, Number.isFinite(t) ? t : 0)) * (VIRIDIS.length - 1);
  const i = Math.min(VIRIDIS.length - 2, Math.floor(x));
  const f = x - i;
  const a = channels(VIRIDIS[i]), b = channels(VIRIDIS[i + 1]);
  return `#${a.map((c, k) => Math.round(c + (b[k] - c) * f).toString(16).padStart(2, '0')).join('')}`;
}

const FONT = "-apple-system, BlinkMacSystemFont, 'Segoe UI', 'Noto Sans', Helvetica, Arial, sans-serif";

const seriesRules = (palette: readonly string[]) => palette.map((c, i) => `.nninit-plot .s${i}{stroke:${c}}.nninit-plot .f${i}{fill:${c}}`).join('');

/**
 * The style sheet: GitHub's own light and dark colours for background, text, grid and frame
 * (#ffffff/#0d1117 backgrounds, #1f2328/#e6edf3 text), the series palette, and the fonts.
 */
export const STYLE = [
  `.nninit-plot{font-family:${FONT}}`,
  '.nninit-plot .bg{fill:#ffffff}',
  '.nninit-plot text{fill:#1f2328}',
  '.nninit-plot .muted{fill:#59636e}',
  '.nninit-plot .grid{stroke:#e4e8ec;stroke-width:1}',
  '.nninit-plot .grid.minor{stroke:#f0f2f4}',
  '.nninit-plot .frame{stroke:#818b98;fill:none;stroke-width:1}',
  '.nninit-plot .rule{stroke:#59636e;stroke-dasharray:4 3;stroke-width:1}',
  '.nninit-plot .series{fill:none;stroke-width:1.8;stroke-linejoin:round;stroke-linecap:round}',
  '.nninit-plot .series.dash1{stroke-dasharray:6 4}',
  '.nninit-plot .series.dash2{stroke-dasharray:1.5 3.5}',
  '.nninit-plot .series.dash3{stroke-dasharray:9 3 2 3}',
  '.nninit-plot .cellbg{fill:#440154}',
  seriesRules(PALETTE_LIGHT),
  '@media (prefers-color-scheme: dark){',
  '.nninit-plot .bg{fill:#0d1117}',
  '.nninit-plot text{fill:#e6edf3}',
  '.nninit-plot .muted{fill:#9198a1}',
  '.nninit-plot .grid{stroke:#262c36}',
  '.nninit-plot .grid.minor{stroke:#1b2029}',
  '.nninit-plot .frame{stroke:#656c76}',
  '.nninit-plot .rule{stroke:#9198a1}',
  seriesRules(PALETTE_DARK),
  '}',
].join('');
