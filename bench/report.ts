// Presents a BenchReport three ways: a console table, docs/benchmarks.md and the docs/benchmarks.svg bar chart.

import type { BenchReport, CandidateResult, Group, WorkloadResult } from './results.js';
import { ORTHOGONALITY_COLUMNS, ORTHOGONALITY_TOLERANCE, STD_TOLERANCE } from './sanity.js';
import { TFJS_ORTHOGONAL_CAP_SECONDS } from './workloads.js';

const GROUP_ORDER: readonly Group[] = ['nninit', 'plain JS', 'TF.js', 'native', 'limit'];

/** A workload's results in report order: by group, then in the order they were measured. */
export function orderedResults(results: readonly CandidateResult[]): CandidateResult[] {
  return [...results].sort((a, b) => GROUP_ORDER.indexOf(a.group) - GROUP_ORDER.indexOf(b.group));
}

// ---- numbers -----------------------------------------------------------------------------------------------------

function formatDuration(ms: number): string {
  if (ms < 1) return `${(ms * 1000).toPrecision(3)} µs`;
  if (ms < 1000) return `${ms.toPrecision(3)} ms`;
  return `${(ms / 1000).toPrecision(3)} s`;
}

function formatRate(perSecond: number): string {
  for (const [unit, scale] of [['G', 1e9], ['M', 1e6], ['k', 1e3]] as const) {
    if (perSecond >= scale) return `${(perSecond / scale).toPrecision(3)} ${unit}`;
  }
  return perSecond.toPrecision(3);
}

function formatRatio(ratio: number): string {
  return ratio >= 100 ? `${Math.round(ratio)}×` : `${ratio.toPrecision(3)}×`;
}

// ---- table rows --------------------------------------------------------------------------------------------------

interface Row {
  readonly workload: string;
  readonly candidate: string;
  readonly threads: string;
  readonly median: string;
  readonly range: string;
  readonly rate: string;
  readonly versusNninit: string;
  readonly versusFill: string;
  readonly check: string;
}

const COLUMNS: readonly (readonly [keyof Row, string, 'left' | 'right'])[] = [
  ['workload', 'workload', 'left'],
  ['candidate', 'candidate', 'left'],
  ['median', 'median', 'right'],
  ['range', 'min–max', 'right'],
  ['rate', 'values/s', 'right'],
  ['threads', 'threads', 'right'],
  ['versusNninit', 'vs nninit wasm', 'right'],
  ['versusFill', 'vs fill', 'right'],
  ['check', 'check', 'left'],
];

/** Marks a median taken from the calls that finished before the time cap stopped the candidate. */
const CAPPED_MARK = '†';
const CAPPED_NOTE = `${CAPPED_MARK} stopped by its time cap: statistics of the calls that finished before it.`;

/** Median time relative to a reference's: "> x×" when only a lower bound (the cap) is known. */
function ratioCell(result: CandidateResult, reference: CandidateResult | undefined): string {
  if (reference?.median == null) return '–';
  if (result.median !== null) return formatRatio(result.median / reference.median);
  if (result.capSeconds !== undefined) return `> ${formatRatio((result.capSeconds * 1000) / reference.median)}`;
  return '–';
}

function rowsOf(workload: WorkloadResult): Row[] {
  const results = orderedResults(workload.results);
  const nninitWasm = results.find((result) => result.candidate === 'nninit wasm');
  const fill = results.find((result) => result.group === 'limit');
  return results.map((result, index) => {
    const base = {
      workload: index === 0 ? workload.label : '',
      candidate: result.candidate,
      threads: String(result.threads ?? 1),
      versusNninit: ratioCell(result, nninitWasm),
      versusFill: ratioCell(result, fill),
      check: result.sanity.detail,
    };
    if (result.median !== null && result.min !== null && result.max !== null && result.valuesPerSecond !== null) {
      return {
        ...base,
        median: formatDuration(result.median) + (result.capSeconds === undefined ? '' : ` ${CAPPED_MARK}`),
        range: `${formatDuration(result.min)} – ${formatDuration(result.max)}`,
        rate: formatRate(result.valuesPerSecond),
      };
    }
    if (result.capSeconds !== undefined) {
      return { ...base, median: `> ${result.capSeconds} s`, range: '–', rate: `< ${formatRate(workload.values / result.capSeconds)}` };
    }
    return { ...base, median: 'error', range: '–', rate: '–' };
  });
}

// ---- console -----------------------------------------------------------------------------------------------------

export function consoleTable(report: BenchReport): string {
  const rows = report.workloads.flatMap(rowsOf);
  const widths = COLUMNS.map(([key, title]) => Math.max(title.length, ...rows.map((row) => row[key].length)));
  const line = (cells: readonly string[]) =>
    cells.map((cell, i) => (COLUMNS[i][2] === 'right' ? cell.padStart(widths[i]) : cell.padEnd(widths[i]))).join('  ').trimEnd();
  const rule = widths.map((width) => '─'.repeat(width)).join('  ');
  const body = rows.map((row) => (row.workload ? `${rule}\n` : '') + line(COLUMNS.map(([key]) => row[key])));
  const capped = report.workloads.some((workload) => workload.results.some((result) => result.capSeconds !== undefined && result.median !== null));
  return [line(COLUMNS.map(([, title]) => title)), ...body, ...(capped ? ['', CAPPED_NOTE] : [])].join('\n');
}

// ---- markdown ----------------------------------------------------------------------------------------------------

function markdownTable(report: BenchReport): string {
  const escape = (cell: string) => cell.replaceAll('|', '\\|');
  const header = `| ${COLUMNS.map(([, title]) => title).join(' | ')} |`;
  const align = `|${COLUMNS.map(([, , side]) => (side === 'right' ? '---:' : '---')).join('|')}|`;
  const rows = report.workloads.flatMap(rowsOf).map((row) => `| ${COLUMNS.map(([key]) => escape(row[key])).join(' | ')} |`);
  return [header, align, ...rows].join('\n');
}

function machineLine(report: BenchReport): string {
  const { machine, versions } = report;
  const [hash, modified] = (versions.nninitCommit ?? '').split('+');
  const commit = hash ? ` (${hash.slice(0, 10)}${modified ? ' with uncommitted changes to src/ or assembly/' : ''})` : '';
  const native = [
    versions.torch && `PyTorch ${versions.torch}`,
    versions.numpy && `numpy ${versions.numpy}`,
    versions.python && `Python ${versions.python}`,
  ].filter(Boolean).join(', ');
  return [
    `${report.date.slice(0, 10)}, ${report.mode} mode, ${(report.durationSeconds / 60).toFixed(1)} min${report.load ? `, load average ${report.load.before[0].toFixed(2)} at the start and ${report.load.after[0].toFixed(2)} at the end` : ''}.`,
    `${machine.cpu}, ${machine.cores} cores, ${(machine.totalMemoryBytes / 2 ** 30).toFixed(0)} GiB, ${machine.os};`,
    `Node ${machine.node} (V8 ${machine.v8}).`,
    `nninit ${versions.nninit}${commit}, tinybench ${versions.tinybench}, TF.js ${versions.tfjs}`,
    `(tfjs-backend-wasm ${versions.tfjsBackendWasm}), seedrandom ${versions.seedrandom}${native ? `, ${native}` : ''}.`,
  ].join(' ');
}

const CANDIDATES_TEXT = `## What each candidate runs

Every call writes the workload's values into a buffer allocated before timing, except TF.js, which cannot:
its calls are \`tf.initializers.X(...).apply(shape)\` followed by \`dataSync()\` and \`dispose()\`.

- **nninit wasm / nninit js**: the initializer with \`{ seed, out }\` after \`setBackend('wasm')\` or
  \`setBackend('js')\` (the pure-TypeScript reference, bit-identical).
- **nninit pool ×N**: \`await pool.X(shape, { seed, out })\` on \`createPool({ threads: N })\` from \`nninit/pool\`
  (N = 1, 2, 4, as far as the machine has cores), the wasm backend in every worker, \`out\` a Float32Array over a
  SharedArrayBuffer so the workers write into it directly. The pool is started before timing; each timed call
  includes splitting, the messages and awaiting the workers. orthogonal runs whole in one worker (×1 only).
- **Math.random loop, alea loop**: \`low + (high − low) · u\` per value, from \`Math.random\` or from
  seedrandom's \`alea\` (the generator TF.js samples with). glorotUniform uses them scaled to its limit.
- **Box–Muller, Marsaglia polar**: the two classic normal transforms on \`Math.random\` (Box–Muller also on
  \`alea\`); heNormal and lecunNormal use them scaled to the expected standard deviation (untruncated, as
  PyTorch's \`kaiming_normal_\`). The truncated normal draws Box–Muller pairs and rejects values beyond 2σ.
- **TF.js cpu / TF.js wasm**: TF.js 4.22 with \`tf.setBackend('cpu')\` or \`@tensorflow/tfjs-backend-wasm\`.
  Sampling is plain JavaScript (alea and the polar method) on either backend; orthogonal runs
  \`tf.linalg.qr\` on the backend. TF.js orthogonal runs in a worker terminated at a time cap
  (${TFJS_ORTHOGONAL_CAP_SECONDS.full} s in a full run, ${TFJS_ORTHOGONAL_CAP_SECONDS.quick} s in a quick one), shown as "> cap".
- **PyTorch**: \`torch.nn.init.uniform_\`, \`normal_\`, \`trunc_normal_(a = −2, b = 2)\`, \`xavier_uniform_\`,
  \`kaiming_normal_\` (with \`nonlinearity='linear'\` for lecunNormal: PyTorch has no LeCun initializer) and
  \`orthogonal_\` on a preallocated float32 tensor, \`torch.set_num_threads(1)\`.
- **numpy**: \`np.random.default_rng()\` with \`random(out=…, dtype=np.float32)\` and
  \`standard_normal(out=…, dtype=np.float32)\`, scaled in place for the presets; orthogonal is
  \`standard_normal\` + \`np.linalg.qr\` + the sign fix of R's diagonal. numpy has no truncated normal.
- **fill(1.5) ceiling**: \`Float32Array.prototype.fill(1.5)\` on the same buffer: the write-bandwidth limit.

Python runs as \`/usr/bin/python3 bench/native.py\` with \`OMP_NUM_THREADS\`, \`OPENBLAS_NUM_THREADS\` and
\`MKL_NUM_THREADS\` set to 1, so every candidate uses one core.`;

const REPRODUCE_TEXT = `## How to reproduce

\`\`\`sh
npm ci                                             # installs and builds nninit
sudo apt-get install python3-torch python3-numpy python3-scipy   # the native anchors (Debian); optional
npm run bench                                      # full run: docs/benchmarks.{md,svg}, bench/results/latest.json
npm run bench -- --quick                           # smaller sizes, under 2 minutes
npm run bench -- --only normal,orthogonal          # some families: uniform, normal, truncatedNormal,
                                                   # glorotUniform, heNormal, lecunNormal, orthogonal
npm run bench -- --quick --out-dir /tmp/bench      # write latest.json, benchmarks.md and .svg elsewhere
\`\`\`

Without \`--out-dir\`, only a full run of every family rewrites docs/; other runs put their Markdown and SVG
next to bench/results/latest.json. Without PyTorch or numpy the run prints a note and skips them.`;

const JSON_TEXT = `## bench/results/latest.json

The types are in bench/results.ts. Times are milliseconds per call.

\`\`\`
{
  date: ISO 8601 start time, mode: 'full' | 'quick', families: [...], durationSeconds,
  machine: { cpu, cores, totalMemoryBytes, os, node, v8 },
  versions: { nninit, nninitCommit, tinybench, tfjs, tfjsBackendWasm, seedrandom, python, torch, numpy },
  notes: [ why a candidate or workload was skipped ],
  workloads: [{
    id: 'heNormal-1024x1024', family, label, shape, values, expectedStd,
    results: [{
      candidate: 'nninit wasm', group: 'nninit' | 'plain JS' | 'TF.js' | 'native' | 'limit',
      threads,                   // 1, or the pool's worker count for 'nninit pool ×N'
      median, min, max,          // null when no call finished within the cap, or the candidate threw
      samples, valuesPerSecond,  // values / median seconds
      capSeconds?,               // the time cap stopped the measurement
      error?,
      sanity: { ok: true | false | null, detail: 'std 1.000×' }
    }]
  }]
}
\`\`\``;

/** How to read the table, as one paragraph. */
function explanation(report: BenchReport): string {
  return [
    `Medians of the timed calls after a warm-up (tinybench ${report.versions.tinybench}), with the fastest and slowest call;`,
    `"> N s" means no call finished within the candidate's N-second time cap, and ${CAPPED_MARK} marks a median of the calls that finished before it.`,
    '**vs nninit wasm** and **vs fill** divide the candidate\'s median time by that of nninit\'s WebAssembly backend and of',
    '`Float32Array.prototype.fill(1.5)` on the same buffer (above 1: slower).',
    '**threads** is the number of threads a candidate computes on: every candidate but nninit\'s pool uses one.',
    `The **check** column compares each output's standard deviation with the formula's (a ✗ beyond ${STD_TOLERANCE * 100}%);`,
    `orthogonal outputs must have max |QᵀQ − I| ≤ ${ORTHOGONALITY_TOLERANCE} over up to ${ORTHOGONALITY_COLUMNS} evenly spaced columns.`,
    'A ✗ row is not a like-for-like comparison. TF.js fails the check in two known ways.',
    'heNormal and lecunNormal truncate at 2σ without rescaling, so their standard deviation is 0.88× the formula\'s',
    '(tensorflow/tfjs#8594; Keras 3, JAX and nninit rescale).',
    '`tf.initializers.randomUniform` reads `args.minval || -0.05` (tfjs-layers/src/initializers.ts, RandomUniform),',
    'so `minval: 0` draws from U[−0.05, 1): standard deviation 1.05× that of U[0, 1).',
  ].join(' ');
}

export function markdown(report: BenchReport, chartFile: string): string {
  const notes = report.notes.length ? `\nNotes:\n\n${report.notes.map((note) => `- ${note}`).join('\n')}\n` : '';
  return `# Benchmarks

<!-- Generated by bench/run.ts from the run described below; rerun it rather than editing. -->

${machineLine(report)}

![Values per second of every candidate, by workload, on a log scale](${chartFile})

${explanation(report)}
${notes}
${markdownTable(report)}

${CANDIDATES_TEXT}

${REPRODUCE_TEXT}

${JSON_TEXT}
`;
}

// ---- SVG ---------------------------------------------------------------------------------------------------------

/** Colours per group, one shade per candidate in the order the group's candidates appear. */
const PALETTE: Record<Group, readonly string[]> = {
  'nninit': ['#0b5cad', '#6aaee8', '#3d7fc4', '#1f4e87', '#9cc8f0'],
  'plain JS': ['#57606a', '#8c959f', '#b6bec7'],
  'TF.js': ['#c4540a', '#f0a35e'],
  'native': ['#1a7f37', '#6fcf8e'],
  'limit': ['#24292f'],
};

function escapeXml(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;');
}

function text(x: number, y: number, content: string, attributes = ''): string {
  return `<text x="${x.toFixed(1)}" y="${y.toFixed(1)}"${attributes ? ` ${attributes}` : ''}>${escapeXml(content)}</text>`;
}

/** 10^decade values per second with an SI prefix: '100 k/s', '1 G/s'. */
function decadeLabel(decade: number): string {
  const prefixes = ['', 'k', 'M', 'G', 'T'];
  const group = Math.min(Math.max(Math.floor(decade / 3), 0), prefixes.length - 1);
  const prefix = prefixes[group];
  return `${10 ** (decade - 3 * group)}${prefix ? ` ${prefix}` : ''}/s`;
}

/** The rate a bar shows: the measured one, or the upper bound a cap gives. */
function barRate(result: CandidateResult, values: number): number | null {
  if (result.valuesPerSecond !== null) return result.valuesPerSecond;
  return result.capSeconds === undefined ? null : values / result.capSeconds;
}

export function svgChart(report: BenchReport): string {
  const width = 980;
  const plotLeft = 250;
  const plotRight = width - 190;
  const barHeight = 11;
  const barPitch = 15;
  const headingHeight = 22;
  const groupGap = 10;
  const top = 112;

  const rates = report.workloads.flatMap((workload) =>
    workload.results.map((result) => barRate(result, workload.values)).filter((rate): rate is number => rate !== null && rate > 0));
  const lowDecade = Math.floor(Math.log10(Math.min(...rates, 1e6)));
  const highDecade = Math.ceil(Math.log10(Math.max(...rates, 1e7)));
  const x = (rate: number) => plotLeft + ((Math.log10(rate) - lowDecade) / (highDecade - lowDecade)) * (plotRight - plotLeft);

  const body: string[] = [];
  let y = top;
  for (const workload of report.workloads) {
    y += headingHeight;
    body.push(text(12, y - 6, workload.label, 'font-weight="bold" font-size="13"'));
    const shadeIndex = new Map<Group, number>();
    for (const result of orderedResults(workload.results)) {
      const shade = shadeIndex.get(result.group) ?? 0;
      shadeIndex.set(result.group, shade + 1);
      const colour = PALETTE[result.group][Math.min(shade, PALETTE[result.group].length - 1)];
      const rate = barRate(result, workload.values);
      const middle = y + barHeight / 2 + 4;
      body.push(text(plotLeft - 8, middle, result.candidate, 'text-anchor="end"'));
      if (rate === null) {
        body.push(text(plotLeft + 4, middle, `error: ${result.error ?? 'no result'}`, 'fill="#cf222e"'));
      } else {
        const end = Math.max(plotLeft + 1, x(rate));
        const failed = result.sanity.ok === false;
        const capped = result.valuesPerSecond === null;
        const style = capped
          ? `fill="none" stroke="${colour}" stroke-dasharray="4 3"`
          : `fill="${colour}"${failed ? ' fill-opacity="0.35" stroke="#cf222e"' : ''}`;
        body.push(`<rect x="${plotLeft}" y="${y.toFixed(1)}" width="${(end - plotLeft).toFixed(1)}" height="${barHeight}" ${style}/>`);
        const label = capped ? `< ${formatRate(rate)}/s (over ${result.capSeconds} s)` : `${formatRate(rate)}/s`;
        const mark = failed ? ` <tspan fill="#cf222e">${escapeXml(result.sanity.detail)}</tspan>` : '';
        body.push(`<text x="${(end + 5).toFixed(1)}" y="${middle.toFixed(1)}">${escapeXml(label)}${mark}</text>`);
      }
      y += barPitch;
    }
    y += groupGap;
  }
  const bottom = y;

  const grid: string[] = [];
  for (let decade = lowDecade; decade <= highDecade; decade++) {
    const gx = x(10 ** decade);
    grid.push(`<line x1="${gx.toFixed(1)}" y1="${top}" x2="${gx.toFixed(1)}" y2="${bottom}" stroke="#d0d7de"/>`);
    const label = decadeLabel(decade);
    grid.push(text(gx, top - 6, label, 'text-anchor="middle" fill="#57606a"'));
    grid.push(text(gx, bottom + 14, label, 'text-anchor="middle" fill="#57606a"'));
  }

  const legend: string[] = [];
  let lx = 12;
  for (const group of GROUP_ORDER) {
    legend.push(`<rect x="${lx}" y="62" width="12" height="12" fill="${PALETTE[group][0]}"/>`);
    legend.push(text(lx + 17, 72, group === 'limit' ? 'fill(1.5) ceiling' : group));
    lx += 17 + (group === 'limit' ? 100 : group.length * 7 + 22);
  }
  legend.push(`<rect x="${lx}" y="62" width="24" height="12" fill="#8c959f" fill-opacity="0.35" stroke="#cf222e"/>`);
  legend.push(text(lx + 29, 72, 'fails the output check'));
  lx += 29 + 150;
  legend.push(`<rect x="${lx}" y="62" width="24" height="12" fill="none" stroke="#57606a" stroke-dasharray="4 3"/>`);
  legend.push(text(lx + 29, 72, 'stopped at the time cap (upper bound)'));

  const height = bottom + 30;
  const title = `nninit benchmark: values written per second (log scale; longer is faster)`;
  const subtitle = `${report.date.slice(0, 10)} · ${report.mode} run · ${report.machine.cpu}, ${report.machine.cores} cores · Node ${report.machine.node}`;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Helvetica, Arial, sans-serif" font-size="11" fill="#24292f">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    text(12, 24, title, 'font-size="16" font-weight="bold"'),
    text(12, 44, subtitle, 'fill="#57606a"'),
    ...legend,
    ...grid,
    ...body,
    '</svg>',
    '',
  ].join('\n');
}
