// The 'pytorch' policy against real torch.nn modules (PyTorch from Debian's python3-torch, run by /usr/bin/python3):
// the same parameter names, shapes and order, constants equal, and for random parameters the largest |w| within 1%
// of PyTorch's and the mean and variance within 4 standard errors, each pooled over many seeds. Attention with separate
// projections is compared with four nn.Linear modules named q_proj, k_proj, v_proj and out_proj.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import * as nninit from 'nninit';
import type { ModelSpecInput } from 'nninit';

const PYTHON = '/usr/bin/python3';
const SEEDS = 24;

const probe = existsSync(PYTHON) ? spawnSync(PYTHON, ['-c', 'import torch; print(torch.__version__)'], { encoding: 'utf8' }) : undefined;
const torchVersion = probe?.status === 0 ? probe.stdout.trim() : undefined;

/** Each spec layer and the torch.nn module PyTorch builds for it. */
const LAYERS: [ModelSpecInput['layers'][number], string][] = [
  [{ type: 'dense', name: 'linear', in: 300, out: 200 }, 'nn.Linear(300, 200)'],
  [{ type: 'dense', name: 'nobias', in: 50, out: 40, bias: false }, 'nn.Linear(50, 40, bias=False)'],
  [{ type: 'conv2d', name: 'conv2d', in: 16, out: 32, kernel: 3, groups: 2 }, 'nn.Conv2d(16, 32, 3, groups=2)'],
  [{ type: 'conv1d', name: 'conv1d', in: 8, out: 12, kernel: 5 }, 'nn.Conv1d(8, 12, 5)'],
  [{ type: 'conv3d', name: 'conv3d', in: 4, out: 6, kernel: [3, 1, 2] }, 'nn.Conv3d(4, 6, (3, 1, 2))'],
  [{ type: 'embedding', name: 'embedding', vocab: 500, dim: 64 }, 'nn.Embedding(500, 64)'],
  [{ type: 'lstm', name: 'lstm', in: 40, units: 32, numLayers: 2 }, 'nn.LSTM(40, 32, num_layers=2)'],
  [{ type: 'gru', name: 'gru', in: 24, units: 16, bidirectional: true }, 'nn.GRU(24, 16, bidirectional=True)'],
  [{ type: 'rnn', name: 'rnn', in: 10, units: 20 }, 'nn.RNN(10, 20)'],
  [{ type: 'attention', name: 'mha', dim: 64, heads: 4 }, 'nn.MultiheadAttention(64, 4)'],
  // Separate projections: four nn.Linear modules with the names HF's attention modules use.
  [{ type: 'attention', name: 'separate', dim: 64, heads: 4, fused: false }, 'Separate(64)'],
  [{ type: 'attention', name: 'separate_nobias', dim: 48, heads: 4, fused: false, bias: false }, 'Separate(48, bias=False)'],
  [{ type: 'layernorm', name: 'layernorm', dim: 64 }, 'nn.LayerNorm(64)'],
  [{ type: 'batchnorm', name: 'batchnorm', dim: 16 }, 'nn.BatchNorm2d(16)'],
];

/** Per parameter of each module, pooled over SEEDS seeds: n, mean, variance, fourth central moment, max |w|, constant. */
const SCRIPT = `
import json, sys, torch
from torch import nn

class Separate(nn.Module):
    # q, k, v and output projections as separate nn.Linear modules (as in HF's BartAttention).
    def __init__(self, dim, bias=True):
        super().__init__()
        self.q_proj = nn.Linear(dim, dim, bias=bias)
        self.k_proj = nn.Linear(dim, dim, bias=bias)
        self.v_proj = nn.Linear(dim, dim, bias=bias)
        self.out_proj = nn.Linear(dim, dim, bias=bias)

modules = json.loads(sys.argv[1])
seeds = int(sys.argv[2])
out = []
for name, source in modules:
    pooled = {}
    order = None
    for seed in range(seeds):
        torch.manual_seed(seed)
        module = eval(source)
        state = [(k, v) for k, v in module.state_dict().items() if v.is_floating_point()]
        order = [(k, list(v.shape)) for k, v in state]
        for k, v in state:
            pooled.setdefault(k, []).append(v.detach().double().flatten())
    for k, shape in order:
        x = torch.cat(pooled[k])
        mean = x.mean().item()
        out.append(dict(name=name + '.' + k, shape=shape, n=x.numel(), mean=mean,
                        variance=x.var().item(), fourth=((x - mean) ** 4).mean().item(),
                        max=x.abs().max().item(), constant=(x.min() == x.max()).item(), value=x[0].item()))
print(json.dumps(out))
`;

interface Stats {
  name: string;
  shape: number[];
  n: number;
  mean: number;
  variance: number;
  fourth: number;
  max: number;
  constant: boolean;
  value: number;
}

function pooledStats(arrays: Float32Array[]): Omit<Stats, 'name' | 'shape'> {
  let n = 0, sum = 0, max = 0;
  for (const a of arrays) for (const v of a) { n++; sum += v; max = Math.max(max, Math.abs(v)); }
  const mean = sum / n;
  let squares = 0, fourth = 0, min = Infinity, top = -Infinity;
  for (const a of arrays) {
    for (const v of a) {
      squares += (v - mean) ** 2;
      fourth += (v - mean) ** 4;
      min = Math.min(min, v);
      top = Math.max(top, v);
    }
  }
  return { n, mean, variance: squares / (n - 1), fourth: fourth / n, max, constant: min === top, value: arrays[0][0] };
}

test("the 'pytorch' policy gives the distributions of torch.nn modules' defaults", { skip: torchVersion ? false : `PyTorch not found for ${PYTHON}; install Debian's python3-torch to compare with torch.nn` }, (context) => {
  const run = spawnSync(PYTHON, ['-c', SCRIPT, JSON.stringify(LAYERS.map(([layer, source]) => [layer.name, source])), String(SEEDS)], { encoding: 'utf8', maxBuffer: 1 << 24 });
  assert.equal(run.status, 0, run.stderr);
  const torch: Stats[] = JSON.parse(run.stdout);
  const spec: ModelSpecInput = { policy: 'pytorch', layers: LAYERS.map(([layer]) => layer) };
  const plan = nninit.planModel(spec, { seed: 0 });
  assert.deepEqual(plan.map((p) => [p.name, p.shape]), torch.map((t) => [t.name, t.shape]), `names, shapes and order as PyTorch ${torchVersion}`);
  const ours = new Map<string, Float32Array[]>();
  for (let seed = 0; seed < SEEDS; seed++) {
    for (const [name, values] of nninit.initModel(spec, { seed })) ours.set(name, [...(ours.get(name) ?? []), values as Float32Array]);
  }
  let worstMax = 0, worstVariance = 0, random = 0;
  for (const t of torch) {
    const mine = pooledStats(ours.get(t.name)!);
    if (t.constant) {
      assert.ok(mine.constant && mine.value === t.value, `${t.name}: torch is constant ${t.value}`);
      continue;
    }
    assert.ok(Math.abs(mine.max - t.max) <= 0.01 * t.max, `${t.name}: max |w| ${mine.max} vs torch ${t.max}`);
    const meanSE = Math.sqrt(t.variance / t.n + mine.variance / mine.n);
    assert.ok(Math.abs(mine.mean - t.mean) < 4 * meanSE, `${t.name}: mean ${mine.mean} vs torch ${t.mean}`);
    const varianceSE = Math.sqrt((t.fourth - t.variance ** 2) / t.n + (mine.fourth - mine.variance ** 2) / mine.n);
    assert.ok(Math.abs(mine.variance - t.variance) < 4 * varianceSE, `${t.name}: variance ${mine.variance} vs torch ${t.variance} (${((mine.variance - t.variance) / varianceSE).toFixed(1)} SE)`);
    random++;
    worstMax = Math.max(worstMax, Math.abs(mine.max - t.max) / t.max);
    worstVariance = Math.max(worstVariance, Math.abs(mine.variance - t.variance) / varianceSE);
  }
  context.diagnostic(`PyTorch ${torchVersion}: ${torch.length} tensors, ${random} random; worst max |w| difference ${(100 * worstMax).toFixed(2)}%, worst variance difference ${worstVariance.toFixed(2)} SE`);
});
