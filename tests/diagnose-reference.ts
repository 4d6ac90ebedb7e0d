// An independent float64 forward and backward pass for the probe tests, written plainly from the layers'
// equations: direct convolution loops (no im2col), explicit per-sample matrix-vector products, backpropagation
// through time written out per step. It walks the spec itself and shares no code with src/diagnose.

type Values = Float64Array;
type Layout = 'torch' | 'keras';

export interface ReferenceLayer {
  name: string;
  pre: Values;
  post: Values;
  /** Units per row of post (features), and rows (samples x positions). */
  units: number;
  /** For recurrent layers, the gate activations (for saturation). */
  gates?: Values;
  gradInput?: Values;
  gradWeights?: Values[];
}

export interface ReferenceResult {
  layers: ReferenceLayer[];
  loss: number;
}

// ---- activations --------------------------------------------------------------------------------------------

/** erf by its Maclaurin series (|x| <= 4) and 1 beyond: accurate to 1e-9, enough for float32 comparisons. */
export function erf(x: number): number {
  if (Math.abs(x) > 4) return Math.sign(x) * (1 - 1.6e-8);
  let term = x, sum = x;
  for (let n = 1; n < 200; n++) {
    term *= (-x * x) / n;
    const add = term / (2 * n + 1);
    sum += add;
    if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
  }
  return (2 / Math.sqrt(Math.PI)) * sum;
}

const LAMBDA = 1.0507009873554805, ALPHA = 1.6732632423543772;
const sig = (x: number) => 1 / (1 + Math.exp(-x));
const phi = (x: number) => Math.exp(-x * x / 2) / Math.sqrt(2 * Math.PI);
const Phi = (x: number) => 0.5 * (1 + erf(x / Math.SQRT2));
const softplus = (x: number) => Math.log(1 + Math.exp(x));

export function f(name: string, slope: number, x: number): number {
  switch (name) {
    case 'relu': return Math.max(0, x);
    case 'leaky_relu': return x > 0 ? x : slope * x;
    case 'elu': return x > 0 ? x : Math.exp(x) - 1;
    case 'selu': return LAMBDA * (x > 0 ? x : ALPHA * (Math.exp(x) - 1));
    case 'gelu': return x * Phi(x);
    case 'silu': case 'swish': return x * sig(x);
    case 'mish': return x * Math.tanh(softplus(x));
    case 'tanh': return Math.tanh(x);
    case 'sigmoid': return sig(x);
    case 'softsign': return x / (1 + Math.abs(x));
    default: return x;
  }
}

export function df(name: string, slope: number, x: number): number {
  switch (name) {
    case 'relu': return x > 0 ? 1 : 0;
    case 'leaky_relu': return x > 0 ? 1 : slope;
    case 'elu': return x > 0 ? 1 : Math.exp(x);
    case 'selu': return LAMBDA * (x > 0 ? 1 : ALPHA * Math.exp(x));
    case 'gelu': return Phi(x) + x * phi(x);
    case 'silu': case 'swish': return sig(x) + x * sig(x) * (1 - sig(x));
    case 'mish': {
      const sp = softplus(x), t = Math.tanh(sp);
      return t + x * (1 - t * t) * sig(x);
    }
    case 'tanh': return 1 - Math.tanh(x) ** 2;
    case 'sigmoid': return sig(x) * (1 - sig(x));
    case 'softsign': return 1 / (1 + Math.abs(x)) ** 2;
    default: return 1;
  }
}

// ---- helpers -------------------------------------------------------------------------------------------------

const get = (weights: Map<string, ArrayLike<number>>, name: string) => {
  const w = weights.get(name);
  if (!w) throw new Error(`reference: no weight ${name}`);
  return w;
};

interface State {
  /** [samples, positions, features] */
  x: Values;
  positions: number;
  spatial: number[];
  features: number;
}

interface Layer {
  type: string;
  name?: string;
  [key: string]: unknown;
}

interface Spec {
  layout?: Layout;
  layers: Layer[];
}

// ---- the pass ------------------------------------------------------------------------------------------------

/**
 * Forward and backward through `spec` with the given weights (names as the spec gives them), input
 * [samples, ...spatial, features] and loss sum_n <output_n, projection>.
 */
export function referencePass(spec: Spec, weights: Map<string, ArrayLike<number>>, input: ArrayLike<number>, samples: number, spatial: number[], projection: ArrayLike<number>): ReferenceResult {
  const layout: Layout = spec.layout ?? 'torch';
  const layers: ReferenceLayer[] = [];
  // A tape of backward closures: each takes the gradient of its output and returns that of its input.
  const tape: ((g: Values) => Values)[] = [];
  const positionsOf = (s: number[]) => s.reduce((a, b) => a * b, 1);
  const firstFeatures = (ls: Layer[]): number => {
    const l = ls[0];
    if (l.type === 'repeat' || l.type === 'block') return firstFeatures(l.layers as Layer[]);
    if (l.type === 'embedding') return 1;
    return (l.in ?? l.dim) as number;
  };
  let state: State = { x: Float64Array.from(input), positions: positionsOf(spatial), spatial, features: firstFeatures(spec.layers) };

  const run = (ls: Layer[], scope: string) => {
    ls.forEach((layer, index) => {
      const own = layer.name ?? (layer.type === 'block' ? '' : String(index));
      const name = scope && own ? `${scope}.${own}` : scope || own;
      if (layer.type === 'repeat' || layer.type === 'block') {
        const count = layer.type === 'repeat' ? (layer.count as number) : 1;
        for (let i = 0; i < count; i++) {
          const inner = layer.type === 'repeat' ? `${name}.${i}` : name;
          if (!layer.residual) {
            run(layer.layers as Layer[], inner);
            continue;
          }
          const skip = state;
          const tapeStart = tape.length, recordStart = layers.length;
          run(layer.layers as Layer[], inner);
          const first = layers[recordStart];
          const sum = skip.x.map((v, j) => v + state.x[j]);
          layers.push({ name: inner, pre: sum, post: sum, units: state.features });
          const record = layers.at(-1)!;
          // Backward: the sum's gradient goes to the body's output and, directly, to the skip; the body's own
          // tape entries (recorded between tapeStart and now) turn its part into the skip's other part.
          const body = tape.splice(tapeStart);
          tape.push((g) => {
            record.gradInput = g;
            let gb = g;
            for (let t = body.length - 1; t >= 0; t--) gb = body[t](gb);
            // The total gradient of the block's input: through the body and through the skip. The body's first
            // layer reports it (its input is the block's input).
            const total = gb.map((v, j) => v + g[j]);
            first.gradInput = total;
            return total;
          });
          state = { ...state, x: sum };
        }
        return;
      }
      if (layer.type === 'param') return;
      const step = forwardLayer(layer, name, state, weights, layout, samples);
      layers.push(step.record);
      tape.push((g) => {
        const gi = step.backward(g);
        step.record.gradInput = gi;
        return gi;
      });
      state = step.state;
    });
  };
  run(spec.layers, '');

  let loss = 0;
  const width = state.positions * state.features;
  const g = new Float64Array(state.x.length);
  for (let i = 0; i < samples * width; i++) {
    loss += state.x[i] * projection[i];
    g[i] = projection[i];
  }
  let grad = g;
  for (let t = tape.length - 1; t >= 0; t--) grad = tape[t](grad);
  return { layers, loss };
}

interface Forward {
  record: ReferenceLayer;
  state: State;
  backward: (g: Values) => Values;
}

function forwardLayer(layer: Layer, name: string, s: State, weights: Map<string, ArrayLike<number>>, layout: Layout, samples: number): Forward {
  const torch = layout === 'torch';
  const w = (suffix: string) => get(weights, `${name}.${suffix}`);
  const activation = (layer.activation as string | undefined) ?? 'linear';
  const slope = (layer.slope as number | undefined) ?? (activation === 'leaky_relu' ? 0.01 : 0);
  const hasBias = layer.bias !== false;

  if (layer.type === 'dense') {
    const nIn = layer.in as number, nOut = layer.out as number;
    const W = w(torch ? 'weight' : 'kernel'), b = hasBias ? w('bias') : undefined;
    const weight = (o: number, i: number) => (torch ? W[o * nIn + i] : W[i * nOut + o]);
    // Rows: per position, or one flattened row per sample (torch: channel-major, keras: position-major).
    const flatten = nIn !== s.features;
    const rows = flatten ? samples : samples * s.positions;
    const X = new Float64Array(rows * nIn);
    if (!flatten) X.set(s.x);
    else {
      for (let n = 0; n < samples; n++) for (let p = 0; p < s.positions; p++) for (let c = 0; c < s.features; c++) {
        const index = torch ? c * s.positions + p : p * s.features + c;
        X[n * nIn + index] = s.x[(n * s.positions + p) * s.features + c];
      }
    }
    const pre = new Float64Array(rows * nOut), post = new Float64Array(rows * nOut);
    for (let r = 0; r < rows; r++) for (let o = 0; o < nOut; o++) {
      let sum = b ? b[o] : 0;
      for (let i = 0; i < nIn; i++) sum += X[r * nIn + i] * weight(o, i);
      pre[r * nOut + o] = sum;
    }
    applyActivation(activation, slope, pre, post, rows, nOut);
    const record: ReferenceLayer = { name, pre, post, units: nOut };
    return {
      record,
      state: flatten ? { x: post, positions: 1, spatial: [], features: nOut } : { ...s, x: post, features: nOut },
      backward: (g) => {
        const gp = activationBackward(activation, slope, pre, post, g, rows, nOut);
        const dW = new Float64Array(nOut * nIn);
        const dX = new Float64Array(rows * nIn);
        for (let r = 0; r < rows; r++) for (let o = 0; o < nOut; o++) {
          const v = gp[r * nOut + o];
          for (let i = 0; i < nIn; i++) {
            dW[o * nIn + i] += v * X[r * nIn + i];
            dX[r * nIn + i] += v * weight(o, i);
          }
        }
        record.gradWeights = [dW];
        if (!flatten) return dX;
        const dx = new Float64Array(s.x.length);
        for (let n = 0; n < samples; n++) for (let p = 0; p < s.positions; p++) for (let c = 0; c < s.features; c++) {
          const index = torch ? c * s.positions + p : p * s.features + c;
          dx[(n * s.positions + p) * s.features + c] = dX[n * nIn + index];
        }
        return dx;
      },
    };
  }

  if (layer.type.startsWith('conv')) {
    const axes = Number(layer.type[4]);
    const cin = layer.in as number, cout = layer.out as number, groups = (layer.groups as number | undefined) ?? 1;
    const kernel = (typeof layer.kernel === 'number' ? Array(axes).fill(layer.kernel) : layer.kernel) as number[];
    const W = w(torch ? 'weight' : 'kernel'), b = hasBias ? w('bias') : undefined;
    const gin = cin / groups, gout = cout / groups;
    const K = kernel.reduce((a, c) => a * c, 1);
    const ext = s.spatial;
    // weight(o, c, q) for output channel o, input channel c within its group, kernel offset q (row-major over axes).
    const weight = (o: number, c: number, q: number) => (torch ? W[(o * gin + c) * K + q] : W[(q * gin + c) * cout + o]);
    const offsets: number[][] = [];
    for (let q = 0; q < K; q++) {
      const o: number[] = [];
      let rest = q;
      for (let a = axes - 1; a >= 0; a--) {
        o[a] = rest % kernel[a];
        rest = Math.floor(rest / kernel[a]);
      }
      offsets.push(o.map((v, a) => v - Math.floor((kernel[a] - 1) / 2)));
    }
    const P = s.positions;
    const coords = (p: number) => {
      const c: number[] = [];
      let rest = p;
      for (let a = axes - 1; a >= 0; a--) {
        c[a] = rest % ext[a];
        rest = Math.floor(rest / ext[a]);
      }
      return c;
    };
    const neighbour = (p: number, q: number) => {
      const c = coords(p).map((v, a) => v + offsets[q][a]);
      if (c.some((v, a) => v < 0 || v >= ext[a])) return -1;
      return c.reduce((index, v, a) => index * ext[a] + v, 0);
    };
    const table = Array.from({ length: P }, (_, p) => Array.from({ length: K }, (_, q) => neighbour(p, q)));
    const pre = new Float64Array(samples * P * cout), post = new Float64Array(pre.length);
    for (let n = 0; n < samples; n++) for (let p = 0; p < P; p++) for (let o = 0; o < cout; o++) {
      const g = Math.floor(o / gout);
      let sum = b ? b[o] : 0;
      for (let q = 0; q < K; q++) {
        const source = table[p][q];
        if (source < 0) continue;
        for (let c = 0; c < gin; c++) sum += s.x[(n * P + source) * cin + g * gin + c] * weight(o, c, q);
      }
      pre[(n * P + p) * cout + o] = sum;
    }
    applyActivation(activation, slope, pre, post, samples * P, cout);
    const record: ReferenceLayer = { name, pre, post, units: cout };
    return {
      record,
      state: { ...s, x: post, features: cout },
      backward: (gr) => {
        const gp = activationBackward(activation, slope, pre, post, gr, samples * P, cout);
        const dW = new Float64Array(cout * gin * K), dx = new Float64Array(s.x.length);
        for (let n = 0; n < samples; n++) for (let p = 0; p < P; p++) for (let o = 0; o < cout; o++) {
          const g = Math.floor(o / gout), v = gp[(n * P + p) * cout + o];
          for (let q = 0; q < K; q++) {
            const source = table[p][q];
            if (source < 0) continue;
            for (let c = 0; c < gin; c++) {
              const xi = (n * P + source) * cin + g * gin + c;
              dW[(o * gin + c) * K + q] += v * s.x[xi];
              dx[xi] += v * weight(o, c, q);
            }
          }
        }
        record.gradWeights = [dW];
        return dx;
      },
    };
  }

  if (layer.type === 'embedding') {
    // One id per position: the output is the table's row, and the ids get no gradient.
    const dim = layer.dim as number, vocab = layer.vocab as number;
    const table = w(torch ? 'weight' : 'embeddings');
    const y = new Float64Array(s.x.length * dim);
    for (let i = 0; i < s.x.length; i++) for (let j = 0; j < dim; j++) y[i * dim + j] = table[s.x[i] * dim + j];
    const record: ReferenceLayer = { name, pre: y, post: y, units: dim };
    return {
      record,
      state: { ...s, x: y, features: dim },
      backward: (g) => {
        const dTable = new Float64Array(vocab * dim);
        for (let i = 0; i < s.x.length; i++) for (let j = 0; j < dim; j++) dTable[s.x[i] * dim + j] += g[i * dim + j];
        record.gradWeights = [dTable];
        return new Float64Array(s.x.length);
      },
    };
  }

  if (layer.type === 'lstm' || layer.type === 'gru' || layer.type === 'rnn') {
    return recurrent(layer, name, s, weights, layout, samples);
  }

  if (layer.type === 'layernorm' || layer.type === 'rmsnorm' || layer.type === 'batchnorm') {
    const dim = layer.dim as number;
    const eps = layer.type === 'rmsnorm' ? 1e-6 : torch ? 1e-5 : 1e-3;
    const gamma = w(torch ? 'weight' : layer.type === 'rmsnorm' ? 'scale' : 'gamma');
    const beta = layer.type === 'rmsnorm' ? undefined : w(torch ? 'bias' : 'beta');
    const rows = s.x.length / dim;
    const perRow = layer.type !== 'batchnorm';
    const groups = perRow ? rows : dim;
    const members = perRow ? dim : rows;
    const at = (group: number, member: number) => (perRow ? group * dim + member : member * dim + group);
    const column = (group: number, member: number) => (perRow ? member : group);
    const mean = new Float64Array(groups), inv = new Float64Array(groups);
    const y = new Float64Array(s.x.length);
    for (let g = 0; g < groups; g++) {
      let m = 0;
      if (layer.type !== 'rmsnorm') {
        for (let i = 0; i < members; i++) m += s.x[at(g, i)];
        m /= members;
      }
      let v = 0;
      for (let i = 0; i < members; i++) v += (s.x[at(g, i)] - m) ** 2;
      mean[g] = m;
      inv[g] = 1 / Math.sqrt(v / members + eps);
      for (let i = 0; i < members; i++) y[at(g, i)] = (s.x[at(g, i)] - m) * inv[g] * gamma[column(g, i)] + (beta ? beta[column(g, i)] : 0);
    }
    const record: ReferenceLayer = { name, pre: y, post: y, units: dim };
    return {
      record,
      state: { ...s, x: y },
      backward: (gr) => {
        // d/dx of y = gamma * xhat: with gh = gr * gamma, dx = inv (gh - mean(gh) - xhat mean(gh xhat)) (RMSNorm: no mean(gh)).
        const dx = new Float64Array(s.x.length), dGamma = new Float64Array(dim);
        for (let g = 0; g < groups; g++) {
          let a = 0, c = 0;
          for (let i = 0; i < members; i++) {
            const xhat = (s.x[at(g, i)] - mean[g]) * inv[g];
            const gh = gr[at(g, i)] * gamma[column(g, i)];
            a += gh;
            c += gh * xhat;
            dGamma[column(g, i)] += gr[at(g, i)] * xhat;
          }
          a = layer.type === 'rmsnorm' ? 0 : a / members;
          c /= members;
          for (let i = 0; i < members; i++) {
            const xhat = (s.x[at(g, i)] - mean[g]) * inv[g];
            dx[at(g, i)] = inv[g] * (gr[at(g, i)] * gamma[column(g, i)] - a - xhat * c);
          }
        }
        record.gradWeights = [dGamma];
        return dx;
      },
    };
  }
  throw new Error(`reference: layer type ${layer.type} not covered`);
}

function recurrent(layer: Layer, name: string, s: State, weights: Map<string, ArrayLike<number>>, layout: Layout, samples: number): Forward {
  const torch = layout === 'torch';
  const cell = layer.type as 'lstm' | 'gru' | 'rnn';
  const u = layer.units as number, nIn = layer.in as number;
  const G = cell === 'lstm' ? 4 : cell === 'gru' ? 3 : 1;
  const T = s.positions;
  const act = (layer.activation as string | undefined) ?? 'tanh';
  const w = (suffix: string) => get(weights, `${name}.${suffix}`);
  const Wi = w(torch ? 'weight_ih_l0' : 'kernel'), Wh = w(torch ? 'weight_hh_l0' : 'recurrent_kernel');
  // Gate g (in PyTorch's order: lstm i f g o, gru r z n) unit j, input i.
  const kerasGate = (g: number) => (cell === 'gru' ? [1, 0, 2][g] : g);
  const wi = (g: number, j: number, i: number) => (torch ? Wi[(g * u + j) * nIn + i] : Wi[i * G * u + kerasGate(g) * u + j]);
  const wh = (g: number, j: number, i: number) => (torch ? Wh[(g * u + j) * u + i] : Wh[i * G * u + kerasGate(g) * u + j]);
  const hasBias = layer.bias !== false;
  const bi = (g: number, j: number) => {
    if (!hasBias) return 0;
    if (torch) return w('bias_ih_l0')[g * u + j];
    return w('bias')[kerasGate(g) * u + j];
  };
  const bh = (g: number, j: number) => {
    if (!hasBias) return 0;
    if (torch) return w('bias_hh_l0')[g * u + j];
    return cell === 'gru' ? w('bias')[G * u + kerasGate(g) * u + j] : 0;
  };
  const x = (n: number, t: number, i: number) => s.x[(n * T + t) * nIn + i];
  // Per sample and step: pre-activations (PyTorch gate order), gate activations, states.
  const pre = new Float64Array(samples * T * G * u), gates = new Float64Array(samples * T * G * u);
  const h = new Float64Array(samples * T * u), c = new Float64Array(samples * T * u);
  const hn = new Float64Array(samples * T * u); // GRU: W_hn h + b_hn
  const P = (n: number, t: number, g: number, j: number) => ((n * T + t) * G + g) * u + j;
  const H = (n: number, t: number, j: number) => (n * T + t) * u + j;
  for (let n = 0; n < samples; n++) {
    for (let t = 0; t < T; t++) {
      const hPrev = (j: number) => (t > 0 ? h[H(n, t - 1, j)] : 0);
      const inputPart = (g: number, j: number) => {
        let sum = bi(g, j);
        for (let i = 0; i < nIn; i++) sum += wi(g, j, i) * x(n, t, i);
        return sum;
      };
      const hiddenPart = (g: number, j: number) => {
        let sum = bh(g, j);
        for (let i = 0; i < u; i++) sum += wh(g, j, i) * hPrev(i);
        return sum;
      };
      for (let j = 0; j < u; j++) {
        if (cell === 'rnn') {
          const a = inputPart(0, j) + hiddenPart(0, j);
          pre[P(n, t, 0, j)] = a;
          h[H(n, t, j)] = f(act, 0, a);
        } else if (cell === 'lstm') {
          const a = [0, 1, 2, 3].map((g) => inputPart(g, j) + hiddenPart(g, j));
          const [ig, fg, gg, og] = [sig(a[0]), sig(a[1]), Math.tanh(a[2]), sig(a[3])];
          a.forEach((v, g) => { pre[P(n, t, g, j)] = v; });
          [ig, fg, gg, og].forEach((v, g) => { gates[P(n, t, g, j)] = v; });
          const cPrev = t > 0 ? c[H(n, t - 1, j)] : 0;
          c[H(n, t, j)] = fg * cPrev + ig * gg;
          h[H(n, t, j)] = og * Math.tanh(c[H(n, t, j)]);
        } else {
          const ar = inputPart(0, j) + hiddenPart(0, j), az = inputPart(1, j) + hiddenPart(1, j);
          const r = sig(ar), z = sig(az);
          hn[H(n, t, j)] = hiddenPart(2, j);
          const an = inputPart(2, j) + r * hn[H(n, t, j)];
          const nn = Math.tanh(an);
          pre[P(n, t, 0, j)] = ar; pre[P(n, t, 1, j)] = az; pre[P(n, t, 2, j)] = an;
          gates[P(n, t, 0, j)] = r; gates[P(n, t, 1, j)] = z; gates[P(n, t, 2, j)] = nn;
          h[H(n, t, j)] = (1 - z) * nn + z * hPrev(j);
        }
      }
    }
  }
  const record: ReferenceLayer = { name, pre, post: h, units: u, gates: cell === 'rnn' ? undefined : gates };
  return {
    record,
    state: { ...s, x: h, features: u },
    backward: (gOut) => {
      const dWi = new Float64Array(G * u * nIn), dWh = new Float64Array(G * u * u), dx = new Float64Array(s.x.length);
      for (let n = 0; n < samples; n++) {
        const dhNext = new Float64Array(u), dcNext = new Float64Array(u);
        for (let t = T - 1; t >= 0; t--) {
          const dh = Float64Array.from({ length: u }, (_, j) => gOut[H(n, t, j)] + dhNext[j]);
          const dA = new Float64Array(G * u);   // gradient of the input-side pre-activations, gate-major
          const dHid = new Float64Array(G * u); // gradient of the hidden-side products (differs for GRU's n gate)
          const hPrev = (j: number) => (t > 0 ? h[H(n, t - 1, j)] : 0);
          for (let j = 0; j < u; j++) {
            if (cell === 'rnn') {
              dA[j] = dh[j] * df(act, 0, pre[P(n, t, 0, j)]);
              dHid[j] = dA[j];
            } else if (cell === 'lstm') {
              const [ig, fg, gg, og] = [0, 1, 2, 3].map((g) => gates[P(n, t, g, j)]);
              const ct = c[H(n, t, j)], tc = Math.tanh(ct);
              const dc = dcNext[j] + dh[j] * og * (1 - tc * tc);
              const cPrev = t > 0 ? c[H(n, t - 1, j)] : 0;
              dA[j] = dc * gg * ig * (1 - ig);
              dA[u + j] = dc * cPrev * fg * (1 - fg);
              dA[2 * u + j] = dc * ig * (1 - gg * gg);
              dA[3 * u + j] = dh[j] * tc * og * (1 - og);
              dcNext[j] = dc * fg;
              for (let g = 0; g < 4; g++) dHid[g * u + j] = dA[g * u + j];
            } else {
              const [r, z, nn] = [0, 1, 2].map((g) => gates[P(n, t, g, j)]);
              const dn = dh[j] * (1 - z) * (1 - nn * nn);
              const dr = dn * hn[H(n, t, j)] * r * (1 - r);
              const dz = dh[j] * (hPrev(j) - nn) * z * (1 - z);
              dA[j] = dr; dA[u + j] = dz; dA[2 * u + j] = dn;
              dHid[j] = dr; dHid[u + j] = dz; dHid[2 * u + j] = dn * r;
            }
          }
          dhNext.fill(0);
          if (cell === 'gru') for (let j = 0; j < u; j++) dhNext[j] = dh[j] * gates[P(n, t, 1, j)];
          for (let g = 0; g < G; g++) for (let j = 0; j < u; j++) {
            const a = dA[g * u + j], b = dHid[g * u + j];
            for (let i = 0; i < nIn; i++) {
              dWi[(g * u + j) * nIn + i] += a * x(n, t, i);
              dx[(n * T + t) * nIn + i] += a * wi(g, j, i);
            }
            for (let i = 0; i < u; i++) {
              dWh[(g * u + j) * u + i] += b * hPrev(i);
              dhNext[i] += b * wh(g, j, i);
            }
          }
        }
      }
      record.gradWeights = [dWi, dWh];
      return dx;
    },
  };
}

function applyActivation(name: string, slope: number, pre: Values, post: Values, rows: number, cols: number): void {
  if (name === 'softmax') {
    for (let r = 0; r < rows; r++) {
      let max = -Infinity;
      for (let j = 0; j < cols; j++) max = Math.max(max, pre[r * cols + j]);
      let sum = 0;
      for (let j = 0; j < cols; j++) sum += Math.exp(pre[r * cols + j] - max);
      for (let j = 0; j < cols; j++) post[r * cols + j] = Math.exp(pre[r * cols + j] - max) / sum;
    }
    return;
  }
  for (let i = 0; i < pre.length; i++) post[i] = f(name, slope, pre[i]);
}

function activationBackward(name: string, slope: number, pre: Values, post: Values, g: Values, rows: number, cols: number): Values {
  const out = new Float64Array(g.length);
  if (name === 'softmax') {
    // Jacobian of softmax: dy_i/dx_j = y_i (delta_ij - y_j).
    for (let r = 0; r < rows; r++) for (let j = 0; j < cols; j++) {
      let sum = 0;
      for (let i = 0; i < cols; i++) sum += g[r * cols + i] * post[r * cols + i] * ((i === j ? 1 : 0) - post[r * cols + j]);
      out[r * cols + j] = sum;
    }
    return out;
  }
  for (let i = 0; i < g.length; i++) out[i] = g[i] * df(name, slope, pre[i]);
  return out;
}

// ---- statistics, written again -----------------------------------------------------------------------------

export function stats(values: ArrayLike<number>) {
  const n = values.length;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += values[i];
  mean /= n;
  let variance = 0, squares = 0, min = Infinity, max = -Infinity;
  for (let i = 0; i < n; i++) {
    variance += (values[i] - mean) ** 2;
    squares += values[i] ** 2;
    min = Math.min(min, values[i]);
    max = Math.max(max, values[i]);
  }
  return { mean, std: Math.sqrt(variance / n), rms: Math.sqrt(squares / n), min, max };
}

export function pooledStd(arrays: ArrayLike<number>[]): number {
  const all: number[] = [];
  for (const a of arrays) for (let i = 0; i < a.length; i++) all.push(a[i]);
  return stats(all).std;
}
