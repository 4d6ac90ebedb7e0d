// renderChart(): one SVG of titled panels in a grid, each a line plot (linear or log axes) or a heatmap of
// histograms, under a title, a wrapped subtitle and one legend for the whole figure. Only data in, text out: no
// DOM, no Node built-ins, the same bytes for the same data, so it runs in Node, in a page and in a worker alike.
//
// Every panel records its geometry in data-* attributes (plot area in pixels, axis types and domains), and every
// line its values, so a test or a page can read a plot back and check where each point was drawn.

import { datum, element, escapeXml, px, text, textWidth, wrap } from './svg.js';
import { extent, linearScale, logScale, type Scale, type ScaleType } from './scale.js';
import { SERIES_COLORS, STYLE, viridis } from './theme.js';

export interface Axis {
  readonly label: string;
  /** 'linear' (default) or 'log'. */
  readonly type?: ScaleType;
  /** Fixed domain; default: the data's, rounded out to ticks. Lines beyond it are clipped at the frame. */
  readonly domain?: readonly [number, number];
  /** Ticks on whole numbers only (layers, steps). */
  readonly integer?: boolean;
}

export interface LineSeries {
  readonly label: string;
  /** Colour by key (an initializer preset name, see SERIES_COLORS), or by `color`, else by position. */
  readonly key?: string;
  readonly color?: number;
  readonly x: readonly number[];
  /** null, NaN and (on a log axis) values <= 0 leave a gap. */
  readonly y: readonly (number | null)[];
  /** A dash pattern: 0 solid (default), 1 dashed, 2 dotted, 3 dash-dot; `dashed` is 1. */
  readonly dash?: number;
  readonly dashed?: boolean;
}

export interface LinePanel {
  readonly kind: 'lines';
  readonly title?: string;
  readonly x: Axis;
  readonly y: Axis;
  readonly series: readonly LineSeries[];
  /** Horizontal reference lines, labelled at the right end. */
  readonly rules?: readonly { readonly y: number; readonly label: string }[];
  /** A line of small text under the panel. */
  readonly note?: string;
}

export interface HeatmapPanel {
  readonly kind: 'heatmap';
  readonly title?: string;
  readonly x: Axis;
  readonly y: Axis;
  /** The x value of each column (a layer's number). */
  readonly columns: readonly number[];
  /** counts[column][bin]: bins of equal width over [low, high), the first at the bottom. */
  readonly counts: readonly (readonly number[])[];
  readonly low: number;
  readonly high: number;
  /**
   * Per column, the values outside the bins: exact zeros, below `low` and at or above `high`. Each kind with any
   * count gets a row of its own apart from the bins (zeros and below under them, above over them), so a ReLU's
   * zeros and an exploding layer's values are seen rather than dropped.
   */
  readonly edges?: { readonly zeros?: readonly number[]; readonly below?: readonly number[]; readonly above?: readonly number[] };
  readonly note?: string;
}

export type Panel = LinePanel | HeatmapPanel;

export interface Chart {
  readonly title: string;
  readonly subtitle?: string;
  readonly panels: readonly Panel[];
  /** Panels per row (default: up to 2). */
  readonly columns?: number;
  /** Width in pixels (default 960). */
  readonly width?: number;
  /** Height of each panel's plot area (default 220). */
  readonly panelHeight?: number;
  readonly footnote?: string;
  /** Prefix of the ids inside (clip paths): unique per page when several plots are inlined in one. Default 'p'. */
  readonly id?: string;
}

/** Colour levels of a heatmap: log(1 + count) quantized, so cells of equal level merge into runs. */
export const HEATMAP_LEVELS = 32;

const PAD = 16;
const GAP_X = 28;
const GAP_Y = 18;
const TITLE_SIZE = 18;
const SUBTITLE_SIZE = 13;
const LEGEND_SIZE = 12.5;
const TICK_SIZE = 11.5;
const LABEL_SIZE = 12;
const PANEL_TITLE = 24;
const MARGIN = { left: 62, right: 10, bottom: 42 };
/** Height of a line of a panel's note. */
const NOTE_LINE = 15;

const colorOf = (series: LineSeries, index: number) => series.color ?? (series.key !== undefined && series.key in SERIES_COLORS ? SERIES_COLORS[series.key] : index % 10);

/** Dash patterns of the series classes dash0 .. dash3. */
const DASHES = 4;

/** A series' colour (class s0 .. s9) and dash pattern (class dash0 .. dash3). */
interface SeriesStyle { color: number; dash: number }

/**
 * One style (colour, dash) per series label across the whole figure, no two labels alike: each keeps its
 * colour (by key, colour or position) and takes the first dash pattern no earlier label of that colour has,
 * starting from its own; when all four are taken it moves on to the next colour.
 */
function seriesStyles(panels: readonly Panel[]): Map<string, SeriesStyle> {
  const styles = new Map<string, SeriesStyle>();
  const taken = new Set<string>();
  for (const panel of panels) {
    if (panel.kind !== 'lines') continue;
    panel.series.forEach((s, i) => {
      if (styles.has(s.label)) return;
      const own = s.dash ?? (s.dashed ? 1 : 0);
      let color = colorOf(s, i), dash = own;
      for (let tries = 0; taken.has(`${color} ${dash}`) && tries < 10 * DASHES; tries++) {
        dash = (dash + 1) % DASHES;
        if (dash === own) color = (color + 1) % 10;
      }
      taken.add(`${color} ${dash}`);
      styles.set(s.label, { color, dash });
    });
  }
  return styles;
}

/** The level (0 for an empty bin, else 1 to HEATMAP_LEVELS) of a count, against the largest count. */
export function heatmapLevel(count: number, largest: number): number {
  if (!(count > 0) || !(largest > 0)) return 0;
  return Math.max(1, Math.min(HEATMAP_LEVELS, Math.ceil((HEATMAP_LEVELS * Math.log1p(count)) / Math.log1p(largest) - 1e-9)));
}

/** Compact count labels for the colour bar: 1, 10, 100, 1k, 10k, 100k, 1M. */
const countLabel = (n: number) => (n >= 1e6 ? `${n / 1e6}M` : n >= 1e3 ? `${n / 1e3}k` : String(n));

function scaleFor(axis: Axis, values: () => Iterable<number | null | undefined>, range: [number, number], fallback: [number, number]): Scale {
  const type = axis.type ?? 'linear';
  const domain = axis.domain ?? extent(values(), type) ?? fallback;
  return type === 'log' ? logScale(domain, range) : linearScale(domain, range, { integer: axis.integer, count: 6 });
}

/** Path data of a series: one subpath per run of drawable points; single points are returned apart. */
function linePath(xs: readonly number[], ys: readonly (number | null)[], x: Scale, y: Scale): { d: string; singles: [number, number][] } {
  let d = '';
  const singles: [number, number][] = [];
  let run: [number, number][] = [];
  const flush = () => {
    if (run.length === 1) singles.push(run[0]);
    else if (run.length > 1) d += `M${run.map(([a, b]) => `${px(a)} ${px(b)}`).join('L')}`;
    run = [];
  };
  for (let i = 0; i < xs.length; i++) {
    const v = ys[i];
    const a = x.map(xs[i]), b = v === null ? NaN : y.map(v);
    if (Number.isNaN(a) || Number.isNaN(b)) flush();
    else run.push([a, b]);
  }
  flush();
  return { d, singles };
}

interface Box { x: number; y: number; width: number; height: number }

/** The axes of a panel: y ticks over `yArea` (a heatmap's bins, default the whole area), x ticks under `area`. */
function axes(panel: Panel, area: Box, x: Scale, y: Scale, yArea: Box = area): string[] {
  const out: string[] = [];
  const bottom = area.y + area.height, right = area.x + area.width;
  for (const t of y.ticks) {
    const py = y.map(t.value);
    if (Number.isNaN(py) || py < yArea.y - 0.5 || py > yArea.y + yArea.height + 0.5) continue;
    // Heatmaps get tick marks outside the frame; grid lines would cross their cells.
    if (panel.kind === 'lines') out.push(element('line', { class: t.minor ? 'grid minor' : 'grid', x1: area.x, x2: right, y1: py, y2: py }));
    else out.push(element('line', { class: 'frame', x1: area.x - 4, x2: area.x, y1: py, y2: py }));
    if (t.label) out.push(text(t.label, { class: 'muted tick', x: area.x - 6, y: py + 3.5, 'text-anchor': 'end', 'font-size': TICK_SIZE, 'data-value': datum(t.value) }));
  }
  for (const t of x.ticks) {
    const pxv = x.map(t.value);
    if (Number.isNaN(pxv) || pxv < area.x - 0.5 || pxv > right + 0.5) continue;
    if (panel.kind === 'lines') out.push(element('line', { class: 'grid', x1: pxv, x2: pxv, y1: area.y, y2: bottom }));
    out.push(element('line', { class: 'frame', x1: pxv, x2: pxv, y1: bottom, y2: bottom + 4 }));
    if (t.label) out.push(text(t.label, { class: 'muted tick', x: pxv, y: bottom + 16, 'text-anchor': 'middle', 'font-size': TICK_SIZE, 'data-value': datum(t.value) }));
  }
  out.push(text(panel.x.label, { class: 'muted', x: area.x + area.width / 2, y: bottom + 33, 'text-anchor': 'middle', 'font-size': LABEL_SIZE }));
  const cy = area.y + area.height / 2;
  out.push(text(panel.y.label, { class: 'muted', x: area.x - 48, y: cy, 'text-anchor': 'middle', 'font-size': LABEL_SIZE, transform: `rotate(-90 ${px(area.x - 48)} ${px(cy)})` }));
  return out;
}

function linePanel(panel: LinePanel, area: Box, clipId: string, styles: Map<string, SeriesStyle>): { body: string[]; x: Scale; y: Scale } {
  const x = scaleFor(panel.x, () => panel.series.flatMap((s) => s.x), [area.x, area.x + area.width], [0, 1]);
  const y = scaleFor(panel.y, () => [...panel.series.flatMap((s) => s.y), ...(panel.rules ?? []).map((r) => r.y)], [area.y + area.height, area.y], [0.1, 1]);
  const body = axes(panel, area, x, y);
  const lines: string[] = [];
  for (const r of panel.rules ?? []) {
    const py = y.map(r.y);
    if (Number.isNaN(py) || py < area.y || py > area.y + area.height) continue;
    lines.push(element('line', { class: 'rule', x1: area.x, x2: area.x + area.width, y1: py, y2: py }));
    body.push(text(r.label, { class: 'muted', x: area.x + area.width - 4, y: py - 4, 'text-anchor': 'end', 'font-size': TICK_SIZE }));
  }
  panel.series.forEach((s) => {
    const { color: c, dash } = styles.get(s.label)!;
    const { d, singles } = linePath(s.x, s.y, x, y);
    const markers = s.x.length <= 12 ? s.x.map((_, k) => k).filter((k) => s.y[k] !== null && !Number.isNaN(y.map(s.y[k] as number)) && !Number.isNaN(x.map(s.x[k]))).map((k) => [x.map(s.x[k]), y.map(s.y[k] as number)] as [number, number]) : singles;
    const title = element('title', {}, escapeXml(s.label));
    // Markers are not clipped (one on the frame would be cut in half), but only those inside the frame are drawn.
    const inside = markers.filter(([a, b]) => a >= area.x - 0.5 && a <= area.x + area.width + 0.5 && b >= area.y - 0.5 && b <= area.y + area.height + 0.5);
    lines.push(element('g', { 'data-label': s.label, 'data-key': s.key, 'data-x': s.x.map(datum).join(','), 'data-y': s.y.map(datum).join(',') }, [
      d ? element('path', { class: `series s${c} dash${dash}`, d, 'clip-path': `url(#${clipId})` }, title) : '',
      ...inside.map(([a, b]) => element('circle', { class: `f${c}`, cx: a, cy: b, r: 2.6 }, title)),
    ]));
  });
  body.push(element('g', { class: 'lines' }, lines));
  return { body, x, y };
}

/** Height of a heatmap's row of zeros, of values below or above its range, and the gap that sets it apart. */
const EDGE_ROW = 10;
const EDGE_GAP = 5;

/** Horizontal runs of equal colour level along one row of cells, as path data by level. */
function levelRuns(columns: readonly number[], count: (c: number) => number, largest: number, x: Scale, top: number, bottom: number, byLevel: Map<number, string[]>): void {
  let c = 0;
  while (c < columns.length) {
    const level = heatmapLevel(count(c), largest);
    let end = c + 1;
    while (end < columns.length && heatmapLevel(count(end), largest) === level) end++;
    if (level > 0) {
      const left = x.map(columns[c] - 0.5), right = x.map(columns[end - 1] + 0.5);
      const list = byLevel.get(level) ?? [];
      list.push(`M${px(left)} ${px(top)}H${px(right)}V${px(bottom)}H${px(left)}Z`);
      byLevel.set(level, list);
    }
    c = end;
  }
}

function heatmapPanel(panel: HeatmapPanel, area: Box, largest: number, clipId: string): { body: string[]; x: Scale; y: Scale; area: Box } {
  const first = panel.columns[0] ?? 0, last = panel.columns.at(-1) ?? 1;
  const x = linearScale(panel.x.domain ?? [first - 0.5, last + 0.5], [area.x, area.x + area.width], { nice: false, integer: true, count: 6 });
  // Rows apart from the bins, for the kinds of values outside them that occur: above the bins at the top; below
  // them and exact zeros at the bottom.
  const any = (values?: readonly number[]) => (values?.some((v) => v > 0) ? values : undefined);
  const above = any(panel.edges?.above), below = any(panel.edges?.below), zeros = any(panel.edges?.zeros);
  const step = EDGE_ROW + EDGE_GAP;
  const top = above ? 1 : 0, bottom = (below ? 1 : 0) + (zeros ? 1 : 0);
  const binsArea: Box = { x: area.x, y: area.y + top * step, width: area.width, height: area.height - (top + bottom) * step };
  const y = linearScale(panel.y.domain ?? [panel.low, panel.high], [binsArea.y + binsArea.height, binsArea.y], { nice: false, count: 6 });
  const bins = panel.counts[0]?.length ?? 0;
  const width = (panel.high - panel.low) / Math.max(1, bins);
  const byLevel = new Map<number, string[]>();
  for (let b = 0; b < bins; b++) {
    levelRuns(panel.columns, (c) => panel.counts[c][b], largest, x, y.map(panel.low + (b + 1) * width), y.map(panel.low + b * width), byLevel);
  }
  const edgeRows: { values: readonly number[]; label: string; top: number }[] = [];
  const low = binsArea.y + binsArea.height + EDGE_GAP;
  if (above) edgeRows.push({ values: above, label: `≥ ${panel.high}`, top: area.y });
  if (below) edgeRows.push({ values: below, label: `< ${panel.low}`, top: low });
  if (zeros) edgeRows.push({ values: zeros, label: '= 0', top: low + (below ? step : 0) });
  for (const row of edgeRows) levelRuns(panel.columns, (c) => row.values[c] ?? 0, largest, x, row.top, row.top + EDGE_ROW, byLevel);
  const cells = [...byLevel.keys()].sort((a, b) => a - b).map((level) => element('path', { fill: viridis(level / HEATMAP_LEVELS), 'data-level': level, d: byLevel.get(level)!.join('') }));
  const body = [
    element('rect', { class: 'cellbg', x: binsArea.x, y: binsArea.y, width: binsArea.width, height: binsArea.height }),
    ...edgeRows.map((row) => element('rect', { class: 'cellbg', x: area.x, y: row.top, width: area.width, height: EDGE_ROW })),
    element('g', { 'clip-path': `url(#${clipId})`, 'shape-rendering': 'crispEdges', 'data-largest': datum(largest), 'data-bins': bins }, cells),
    ...edgeRows.map((row) => text(row.label, { class: 'muted tick', x: area.x - 6, y: row.top + EDGE_ROW - 1, 'text-anchor': 'end', 'font-size': TICK_SIZE - 1.5, 'data-edge': row.label })),
    ...axes(panel, area, x, y, binsArea),
  ];
  return { body, x, y, area: binsArea };
}

interface LegendItem extends SeriesStyle { label: string }

function legendItems(styles: Map<string, SeriesStyle>): LegendItem[] {
  return [...styles].map(([label, style]) => ({ label, ...style }));
}

/** The text, cut with an ellipsis to fit `width` pixels (bold text is about 8% wider). */
function fit(content: string, width: number, fontSize: number): string {
  if (textWidth(content, fontSize) * 1.08 <= width) return content;
  const chars = [...content];
  while (chars.length > 1 && textWidth(`${chars.join('')}…`, fontSize) * 1.08 > width) chars.pop();
  return `${chars.join('').trimEnd()}…`;
}

/** Renders a chart as a standalone SVG document (also fit to be inlined in HTML). */
export function renderChart(chart: Chart): string {
  const width = chart.width ?? 960;
  const id = (chart.id ?? 'p').replace(/[^\w-]/g, '_');
  const columns = Math.max(1, Math.min(chart.columns ?? 2, chart.panels.length || 1));
  const inner = width - 2 * PAD;
  const parts: string[] = [];
  let y = PAD + TITLE_SIZE;
  parts.push(text(chart.title, { class: 'title', x: PAD, y, 'font-size': TITLE_SIZE, 'font-weight': 600 }));
  y += 6;
  for (const line of chart.subtitle ? wrap(chart.subtitle, inner, SUBTITLE_SIZE) : []) {
    y += SUBTITLE_SIZE + 5;
    parts.push(text(line, { class: 'muted', x: PAD, y, 'font-size': SUBTITLE_SIZE }));
  }

  // The legend: line swatches in rows, then the heatmaps' colour bar.
  const styles = seriesStyles(chart.panels);
  const items = legendItems(styles);
  if (items.length) {
    y += 14;
    let x = PAD;
    let row = y;
    const legend: string[] = [];
    for (const item of items) {
      const w = 28 + textWidth(item.label, LEGEND_SIZE) + 18;
      if (x > PAD && x + w > width - PAD) {
        x = PAD;
        row += 20;
      }
      legend.push(element('g', { class: 'legend-item', 'data-label': item.label }, [
        element('line', { class: `series s${item.color} dash${item.dash}`, x1: x, x2: x + 22, y1: row + 8, y2: row + 8 }),
        text(item.label, { x: x + 28, y: row + 12, 'font-size': LEGEND_SIZE }),
      ]));
      x += w;
    }
    parts.push(element('g', { class: 'legend' }, legend));
    y = row + 20;
  }
  const heatmaps = chart.panels.filter((p): p is HeatmapPanel => p.kind === 'heatmap');
  const edgeCounts = (p: HeatmapPanel) => [...(p.edges?.zeros ?? []), ...(p.edges?.below ?? []), ...(p.edges?.above ?? [])];
  const largest = Math.max(0, ...heatmaps.flatMap((p) => [...p.counts.flat(), ...edgeCounts(p)]));
  if (heatmaps.length) {
    y += 12;
    const barX = PAD, barWidth = 240, barY = y;
    const bar: string[] = [];
    for (let level = 1; level <= HEATMAP_LEVELS; level++) {
      bar.push(element('rect', { x: barX + ((level - 1) * barWidth) / HEATMAP_LEVELS, y: barY, width: barWidth / HEATMAP_LEVELS + 0.3, height: 10, fill: viridis(level / HEATMAP_LEVELS) }));
    }
    for (let k = 0; 10 ** k <= largest; k++) {
      const tx = barX + (barWidth * Math.log1p(10 ** k)) / Math.log1p(largest);
      bar.push(element('line', { class: 'frame', x1: tx, x2: tx, y1: barY + 10, y2: barY + 14 }));
      bar.push(text(countLabel(10 ** k), { class: 'muted', x: tx, y: barY + 25, 'text-anchor': 'middle', 'font-size': TICK_SIZE }));
    }
    bar.push(text('values per bin (log scale; the darkest are empty bins)', { class: 'muted', x: barX + barWidth + 12, y: barY + 9, 'font-size': LEGEND_SIZE }));
    parts.push(element('g', { class: 'colorbar', 'data-largest': datum(largest) }, bar));
    y += 28;
  }

  // The panels, row by row.
  const panelHeight = chart.panelHeight ?? 220;
  const cellWidth = (inner - (columns - 1) * GAP_X) / columns;
  const defs: string[] = [];
  y += 10;
  for (let start = 0; start < chart.panels.length; start += columns) {
    const row = chart.panels.slice(start, start + columns);
    const titled = row.some((p) => p.title);
    const cellWidthNote = cellWidth - MARGIN.left + 40 - MARGIN.right;
    const noteLines = row.map((p) => (p.note ? wrap(p.note, cellWidthNote, TICK_SIZE) : []));
    const noted = Math.max(0, ...noteLines.map((l) => l.length));
    row.forEach((panel, j) => {
      const k = start + j;
      const left = PAD + j * (cellWidth + GAP_X);
      const area: Box = { x: left + MARGIN.left, y: y + (titled ? PANEL_TITLE : 0), width: cellWidth - MARGIN.left - MARGIN.right, height: panelHeight };
      const clipId = `${id}-clip${k}`;
      defs.push(element('clipPath', { id: clipId }, element('rect', { x: area.x, y: area.y, width: area.width, height: area.height })));
      const drawn: { body: string[]; x: Scale; y: Scale; area?: Box } = panel.kind === 'lines' ? linePanel(panel, area, clipId, styles) : heatmapPanel(panel, area, largest, clipId);
      const body = [
        ...(panel.title ? [text(fit(panel.title, area.width, 14), { x: area.x, y: y + 15, 'font-size': 14, 'font-weight': 600 })] : []),
        ...drawn.body,
        element('rect', { class: 'frame', x: area.x, y: area.y, width: area.width, height: area.height }),
        ...noteLines[j].map((line, n) => text(line, { class: 'muted note', x: area.x - 40, y: area.y + area.height + MARGIN.bottom + 10 + n * NOTE_LINE, 'font-size': TICK_SIZE })),
      ];
      parts.push(element('g', {
        class: 'panel', 'data-kind': panel.kind, 'data-title': panel.title,
        'data-area': [drawn.area ?? area].flatMap((a) => [a.x, a.y, a.x + a.width, a.y + a.height]).map(px).join(','),
        'data-x-type': drawn.x.type, 'data-x-domain': drawn.x.domain.map(datum).join(','),
        'data-y-type': drawn.y.type, 'data-y-domain': drawn.y.domain.map(datum).join(','),
      }, body));
    });
    y += (titled ? PANEL_TITLE : 0) + panelHeight + MARGIN.bottom + noted * NOTE_LINE + GAP_Y;
  }
  for (const line of chart.footnote ? wrap(chart.footnote, inner, 12) : []) {
    parts.push(text(line, { class: 'muted', x: PAD, y: y + 4, 'font-size': 12 }));
    y += 17;
  }
  const height = Math.ceil(y + PAD - GAP_Y + 4);
  return `${element('svg', {
    xmlns: 'http://www.w3.org/2000/svg', class: 'nninit-plot', width, height, viewBox: `0 0 ${width} ${height}`,
    role: 'img', 'aria-label': chart.title,
  }, [
    element('title', {}, escapeXml(chart.title)),
    element('style', {}, STYLE),
    element('defs', {}, defs),
    element('rect', { class: 'bg', x: 0, y: 0, width, height, rx: 6 }),
    ...parts,
  ])}\n`;
}
