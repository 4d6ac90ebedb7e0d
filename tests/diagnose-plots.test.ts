// The plots: valid SVG (parsed by fast-xml-parser), the series and labels their data calls for, log-scale ticks at
// powers of ten, points drawn where the scales put them (recomputed here from the panel's recorded geometry), the
// heatmap's cells at their colour levels, and docs/claims-*.svg current with docs/claims.json.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { probe, plotProbe, plotClaimsStd, plotClaimsGradient, plotClaimsHistograms, plotTraining, renderChart, type ClaimsData, type TrainingCurves } from 'nninit';
import { heatmapLevel, HEATMAP_LEVELS } from '../dist/diagnose/plot/chart.js';
import { linearScale, logScale } from '../dist/diagnose/plot/scale.js';
import { claimsPlots } from '../bench/plots.ts';

interface Node {
  readonly name: string;
  readonly attrs: Record<string, string>;
  readonly children: Node[];
  readonly text: string;
}

const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', preserveOrder: true, parseAttributeValue: false, trimValues: false });

/** The SVG as a tree, after checking that it is well-formed XML with an <svg> root. */
function parse(svg: string): Node {
  assert.equal(XMLValidator.validate(svg), true, 'well-formed XML');
  const convert = (raw: Record<string, unknown>): Node | undefined => {
    const name = Object.keys(raw).find((k) => k !== ':@')!;
    if (name === '#text') return undefined;
    const kids = (raw[name] as Record<string, unknown>[]).map(convert).filter((n): n is Node => n !== undefined);
    const text = (raw[name] as Record<string, unknown>[]).filter((k) => '#text' in k).map((k) => String(k['#text'])).join('');
    return { name, attrs: (raw[':@'] ?? {}) as Record<string, string>, children: kids, text };
  };
  const roots = (parser.parse(svg) as Record<string, unknown>[]).map(convert).filter((n): n is Node => n !== undefined);
  assert.equal(roots.length, 1);
  assert.equal(roots[0].name, 'svg');
  assert.equal(roots[0].attrs.xmlns, 'http://www.w3.org/2000/svg');
  return roots[0];
}

function all(node: Node, test: (n: Node) => boolean, found: Node[] = []): Node[] {
  if (test(node)) found.push(node);
  for (const child of node.children) all(child, test, found);
  return found;
}
const textOf = (node: Node): string => node.text + node.children.map(textOf).join('');
const panels = (root: Node) => all(root, (n) => n.name === 'g' && n.attrs.class === 'panel');
const lines = (panel: Node) => all(panel, (n) => n.name === 'g' && n.attrs['data-label'] !== undefined && n.attrs.class === undefined);
const numbers = (list: string) => list.split(',').map(Number);

/** The points of a path's subpaths (M x y L x y ...). */
function subpaths(d: string): [number, number][][] {
  return d.split('M').filter(Boolean).map((part) => part.split('L').map((p) => p.trim().split(/\s+/).map(Number) as [number, number]));
}

/** Where a value lands on a panel's axis, from the geometry the panel records (independently of the scale code). */
function position(panel: Node, axis: 'x' | 'y', value: number): number {
  const [x0, y0, x1, y1] = numbers(panel.attrs['data-area']);
  const [d0, d1] = numbers(panel.attrs[`data-${axis}-domain`]);
  const type = panel.attrs[`data-${axis}-type`];
  const t = type === 'log' ? (Math.log10(value) - Math.log10(d0)) / (Math.log10(d1) - Math.log10(d0)) : (value - d0) / (d1 - d0);
  return axis === 'x' ? x0 + t * (x1 - x0) : y1 - t * (y1 - y0);
}

test('scales: log ticks at powers of ten (every k-th decade over many), plain labels over few; linear ticks at 1, 2, 5 x 10^k', () => {
  const wide = logScale([3e-9, 0.8], [0, 100]);
  assert.deepEqual(wide.domain, [1e-10, 1]);
  const labelled = wide.ticks.filter((t) => t.label);
  assert.deepEqual(labelled.map((t) => t.value), [1e-10, 1e-8, 1e-6, 1e-4, 1e-2, 1]);
  assert.deepEqual(labelled.map((t) => t.label), ['10⁻¹⁰', '10⁻⁸', '10⁻⁶', '10⁻⁴', '10⁻²', '10⁰']);
  assert.equal(wide.map(1e-5), 50);
  assert.ok(Number.isNaN(wide.map(0)) && Number.isNaN(wide.map(-1)) && Number.isNaN(wide.map(Infinity)));
  const few = logScale([0.02, 40], [0, 1]);
  assert.deepEqual(few.ticks.filter((t) => t.label).map((t) => t.label), ['0.01', '0.1', '1', '10', '100']);
  const one = logScale([0.3, 0.9], [0, 1]);
  assert.deepEqual(one.ticks.map((t) => t.label), ['0.1', '0.2', '0.5', '1']);
  const linear = linearScale([0, 0.93], [0, 1]);
  assert.deepEqual(linear.ticks.map((t) => t.label), ['0.0', '0.2', '0.4', '0.6', '0.8', '1.0']);
  assert.deepEqual(linearScale([1, 50], [0, 1], { integer: true, count: 6 }).ticks.map((t) => t.value), [0, 10, 20, 30, 40, 50]);
});

test('a line plot of known data: each point where the scales put it, gaps where a log scale cannot draw, text escaped', () => {
  const svg = renderChart({
    title: 'Known <data> & "quotes"',
    panels: [
      { kind: 'lines', title: 'decades', x: { label: 'x', domain: [0, 6] }, y: { label: 'y', type: 'log', domain: [1e-6, 1] },
        series: [{ label: 'ten to the -x', x: [0, 1, 2, 3, 4, 5, 6], y: [1, 0.1, 0.01, 1e-3, 1e-4, 1e-5, 1e-6] }] },
      { kind: 'lines', title: 'gaps', x: { label: 'x' }, y: { label: 'y', type: 'log' },
        series: [{ label: 'a & b', x: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13], y: [1, 2, 0, 4, 8, null, 16, -1, 32, 64, NaN, 128, 256] }] },
    ],
  });
  const root = parse(svg);
  assert.equal(textOf(all(root, (n) => n.name === 'title')[0]), 'Known <data> & "quotes"');
  const [decades, gaps] = panels(root);
  assert.equal(decades.attrs['data-y-type'], 'log');
  assert.deepEqual(numbers(decades.attrs['data-y-domain']), [1e-6, 1]);
  // The y ticks are the decades, labelled 0.000001 ... 1 as powers of ten.
  const ticks = all(decades, (n) => n.name === 'text' && (n.attrs.class ?? '').includes('tick') && n.attrs['text-anchor'] === 'end');
  assert.deepEqual(ticks.map((t) => Number(t.attrs['data-value'])), [1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 1]);
  const [line] = lines(decades);
  const path = all(line, (n) => n.name === 'path')[0];
  const [points] = subpaths(path.attrs.d);
  assert.equal(points.length, 7);
  const [x0, y0, x1, y1] = numbers(decades.attrs['data-area']);
  points.forEach(([x, y], i) => {
    assert.ok(Math.abs(x - (x0 + (i / 6) * (x1 - x0))) <= 0.006, `x of point ${i}`);
    // 10^-i is i sixths of the way down from the top.
    assert.ok(Math.abs(y - (y0 + (i / 6) * (y1 - y0))) <= 0.006, `y of point ${i}`);
  });
  assert.deepEqual(numbers(line.attrs['data-y']), [1, 0.1, 0.01, 1e-3, 1e-4, 1e-5, 1e-6]);

  // 0, null, -1 and NaN break the line: runs [1, 2], [4, 8], [16], [32, 64], [128, 256]; the lone 16 gets a marker.
  const [gapLine] = lines(gaps);
  assert.equal(gapLine.attrs['data-label'], 'a & b');
  const runs = subpaths(all(gapLine, (n) => n.name === 'path')[0].attrs.d);
  assert.deepEqual(runs.map((r) => r.length), [2, 2, 2, 2]);
  const circles = all(gapLine, (n) => n.name === 'circle');
  assert.equal(circles.length, 1);
  assert.ok(Math.abs(Number(circles[0].attrs.cx) - position(gaps, 'x', 7)) < 0.006);
  assert.ok(Math.abs(Number(circles[0].attrs.cy) - position(gaps, 'y', 16)) < 0.006);
  runs.flat().forEach(([x, y], k) => {
    const [vx, vy] = [[1, 1], [2, 2], [4, 4], [5, 8], [9, 32], [10, 64], [12, 128], [13, 256]][k];
    assert.ok(Math.abs(x - position(gaps, 'x', vx)) < 0.006 && Math.abs(y - position(gaps, 'y', vy)) < 0.006, `point ${vx}`);
  });
  assert.match(svg, /a &amp; b/);
  // The legend names every series once.
  assert.deepEqual(all(root, (n) => n.attrs.class === 'legend-item').map((n) => n.attrs['data-label']), ['ten to the -x', 'a & b']);
});

test('a heatmap of known counts: cells at their levels of log(1 + count), empty bins left dark, the colour bar to the largest count', () => {
  assert.equal(heatmapLevel(0, 1000), 0);
  assert.equal(heatmapLevel(1000, 1000), HEATMAP_LEVELS);
  assert.equal(heatmapLevel(1, 1000), Math.ceil((HEATMAP_LEVELS * Math.log(2)) / Math.log(1001)));
  const counts = [[0, 1000, 10, 0], [0, 1000, 10, 1], [5, 0, 0, 0]];
  const svg = renderChart({ title: 'heat', panels: [{ kind: 'heatmap', x: { label: 'layer' }, y: { label: 'value' }, columns: [1, 2, 3], counts, low: -2, high: 2 }] });
  const root = parse(svg);
  const [panel] = panels(root);
  const cells = all(panel, (n) => n.name === 'path' && n.attrs['data-level'] !== undefined);
  const rects = cells.flatMap((c) => c.attrs.d.split('M').filter(Boolean).map((r) => {
    const [left, top] = r.split('H')[0].split(' ').map(Number);
    const right = Number(r.split('H')[1].split('V')[0]), bottom = Number(r.split('V')[1].split('H')[0]);
    return { level: Number(c.attrs['data-level']), left, right, top, bottom };
  }));
  // Column c (layer c + 1), bin b (value -2 + b): its centre lies in exactly one rectangle of its level, or none if empty.
  counts.forEach((column, c) => column.forEach((count, b) => {
    const cx = position(panel, 'x', c + 1), cy = position(panel, 'y', -2 + b + 0.5);
    const hits = rects.filter((r) => r.left <= cx && cx <= r.right && r.top <= cy && cy <= r.bottom);
    if (count === 0) assert.equal(hits.length, 0, `layer ${c + 1}, bin ${b} is empty`);
    else assert.deepEqual(hits.map((h) => h.level), [heatmapLevel(count, 1000)], `layer ${c + 1}, bin ${b}`);
  }));
  // Equal levels side by side merge: the 1000s of layers 1 and 2 are one rectangle.
  assert.equal(rects.filter((r) => r.level === HEATMAP_LEVELS).length, 1);
  assert.equal(all(root, (n) => n.attrs.class === 'colorbar')[0].attrs['data-largest'], '1000');
});

test('plotProbe draws a report\'s numbers: std and gradient per layer on log scales, the dead units, a histogram per layer', () => {
  const spec = { seed: 5, layers: Array.from({ length: 8 }, (_, i) => ({ type: 'dense', name: `fc${i + 1}`, in: 32, out: 32, activation: 'relu' })) };
  const he = probe(spec, { batch: 64 });
  const xavier = probe(spec, { batch: 64, rules: [{ match: '**.weight', init: 'glorotUniform' }] });
  const root = parse(plotProbe([{ label: 'He', key: 'he', report: he }, { label: 'Xavier', key: 'xavier', report: xavier }], { id: 'two' }));
  const titles = panels(root).map((p) => p.attrs['data-title']);
  assert.deepEqual(titles, ['Activation std per layer', 'Gradient std per layer', 'Dead units', 'He', 'Xavier']);
  const [std, gradient] = panels(root);
  assert.equal(std.attrs['data-y-type'], 'log');
  const heLine = lines(std).find((l) => l.attrs['data-label'] === 'He')!;
  assert.deepEqual(numbers(heLine.attrs['data-y']), [he.input.std, ...he.layers.map((l) => l.post.std)].map((v) => Number(v.toPrecision(5))));
  const xGradient = lines(gradient).find((l) => l.attrs['data-label'] === 'Xavier')!;
  assert.deepEqual(numbers(xGradient.attrs['data-y']), xavier.layers.map((l) => Number(l.gradientInputStd.toPrecision(5))));
  // Every point of the He std line is where the report's value belongs on the panel's log scale.
  const [points] = subpaths(all(heLine, (n) => n.name === 'path')[0].attrs.d);
  points.forEach(([x, y], i) => {
    const value = i === 0 ? he.input.std : he.layers[i - 1].post.std;
    assert.ok(Math.abs(x - position(std, 'x', i)) < 0.006 && Math.abs(y - position(std, 'y', value)) < 0.006, `layer ${i}`);
  });
  // Log-scale ticks are powers of ten (with 2 and 5 between them only when there are few decades).
  for (const tick of all(std, (n) => n.name === 'text' && n.attrs['text-anchor'] === 'end' && n.attrs['data-value'] !== undefined)) {
    const mantissa = Number(tick.attrs['data-value']) / 10 ** Math.floor(Math.log10(Number(tick.attrs['data-value'])) + 1e-9);
    assert.ok([1, 2, 5].some((m) => Math.abs(mantissa - m) < 1e-9), tick.attrs['data-value']);
  }
  // The heatmap panels: one column per layer, the report's own bins.
  const heat = panels(root).find((p) => p.attrs['data-title'] === 'He')!;
  assert.equal(all(heat, (n) => n.attrs['data-bins'] !== undefined)[0].attrs['data-bins'], String(he.layers[0].histogram.counts.length));
  assert.deepEqual(numbers(heat.attrs['data-x-domain']), [0.5, 8.5]);
  // A single report is titled by its initializer.
  assert.match(textOf(all(parse(plotProbe(he)), (n) => n.name === 'title')[0]), /heNormal/);
});

const docs = (name: string) => readFileSync(new URL(`../docs/${name}`, import.meta.url), 'utf8');
const doc = JSON.parse(docs('claims.json')) as ClaimsData & { training: TrainingCurves[] };

test('docs/claims-*.svg are drawn from docs/claims.json (npm run plots), with every experiment\'s series', () => {
  for (const [name, svg] of claimsPlots(doc)) {
    assert.equal(docs(name), svg, `docs/${name} is not what docs/claims.json draws: run npm run plots`);
    parse(svg);
  }
  const std = parse(plotClaimsStd(doc));
  // The naive-random experiments fall or rise by many decades: they get a panel of their own, so the scale of the
  // tanh panel shows Xavier with gain 1 against gain 5/3.
  assert.deepEqual(panels(std).map((p) => p.attrs['data-title']), ['tanh', 'tanh, naive random weights', 'ReLU', 'SELU', 'linear (no activation)']);
  assert.deepEqual(lines(panels(std)[1]).map((l) => l.attrs['data-key']).sort(), ['normal-0.01', 'normal-1']);
  const relu = panels(std)[2];
  const he = doc.series.find((s) => s.id === 'he-relu')!;
  const heLine = lines(relu).find((l) => l.attrs['data-label'] === he.label)!;
  assert.deepEqual(numbers(heLine.attrs['data-y']), he.postStdGeomean);
  assert.equal(relu.attrs['data-y-type'], 'log');
  // Every drawable series appears once per plot; the zero initialization (std 0) is named as not drawn.
  const drawn = lines(std).length;
  assert.equal(drawn, doc.series.filter((s) => s.postStdGeomean.some((v) => v > 0)).length);
  assert.match(textOf(std), /Not drawn .*zero on sigmoid/);
  const gradient = parse(plotClaimsGradient(doc));
  assert.equal(lines(gradient).length, drawn);
  const tanh = parse(plotClaimsHistograms(doc, 'tanh'));
  assert.equal(panels(tanh).length, doc.series.filter((s) => s.activation === 'tanh').length);
  assert.throws(() => plotClaimsHistograms(doc, 'swish'), /no experiment on activation "swish"/);
  const training = parse(plotTraining(doc.training));
  const reluPanel = panels(training)[1];
  assert.match(textOf(reluPanel), /N\(0, 1\) diverges by step \d+ \(5 of 5 seeds\)/);
  assert.match(textOf(training), /Each line is the median over seeds/);
  assert.deepEqual(numbers(reluPanel.attrs['data-y-domain']), [0, 1]);
  assert.equal(lines(reluPanel).length, doc.training[1].runs.length);
});

test('every line of a figure has its own colour and dash pattern; one label keeps one style across panels', () => {
  // Twelve series that all ask for the same colour (key 'he'): colour alone would draw them alike.
  const series = Array.from({ length: 12 }, (_, i) => ({ label: `run ${i}`, key: 'he', x: [0, 1], y: [i, i + 1] }));
  const svg = parse(renderChart({
    title: 't',
    panels: [
      { kind: 'lines', title: 'a', x: { label: 'x' }, y: { label: 'y' }, series },
      { kind: 'lines', title: 'b', x: { label: 'x' }, y: { label: 'y' }, series: [series[3], { label: 'dashed one', x: [0, 1], y: [1, 2], dashed: true }] },
    ],
  }));
  const styleOf = (g: Node) => all(g, (n) => n.name === 'path')[0].attrs.class;
  const [a, b] = panels(svg);
  const styles = lines(a).map(styleOf);
  assert.equal(new Set(styles).size, 12, styles.join(' | '));
  for (const s of styles) assert.match(s, /^series s\d dash[0-3]$/);
  // The same label in the second panel, and the legend, draw it the same way.
  assert.equal(styleOf(lines(b).find((g) => g.attrs['data-label'] === 'run 3')!), styles[3]);
  const legend = all(svg, (n) => n.name === 'g' && n.attrs.class === 'legend-item');
  assert.equal(legend.length, 13);
  assert.equal(all(legend.find((g) => g.attrs['data-label'] === 'run 3')!, (n) => n.name === 'line')[0].attrs.class, styles[3]);
  assert.match(styleOf(lines(b).find((g) => g.attrs['data-label'] === 'dashed one')!), /dash1$/);
});

test('a heatmap sets the values outside its bins apart: rows for zeros, below and above the range, only where there are any', () => {
  const heat = (edges?: { zeros?: number[]; below?: number[]; above?: number[] }) => parse(renderChart({
    title: 't',
    panels: [{ kind: 'heatmap', title: 'h', x: { label: 'layer' }, y: { label: 'value' }, columns: [1, 2], counts: [[5, 5], [0, 10]], low: 0, high: 4, ...(edges ? { edges } : {}) }],
  }));
  const edgeLabels = (root: Node) => all(root, (n) => n.attrs['data-edge'] !== undefined).map((n) => n.attrs['data-edge']);
  assert.deepEqual(edgeLabels(heat()), []);
  assert.deepEqual(edgeLabels(heat({ zeros: [0, 0], below: [0, 0], above: [0, 0] })), []);
  const withEdges = heat({ zeros: [20, 0], below: [0, 0], above: [0, 3] });
  assert.deepEqual(edgeLabels(withEdges), ['≥ 4', '= 0']);
  // The bins keep the panel's height less the two rows, and the largest count (the zeros' 20) sets the colours.
  const [panel] = panels(withEdges);
  const [, top, , bottom] = numbers(panel.attrs['data-area']);
  const [, plainTop, , plainBottom] = numbers(panels(heat())[0].attrs['data-area']);
  assert.equal(plainBottom - plainTop - (bottom - top), 2 * 15);
  assert.equal(all(withEdges, (n) => n.attrs.class === 'colorbar')[0].attrs['data-largest'], '20');
});
