// examples/gpt2-small.json written by the command loads into a PyTorch module with nanoGPT's parameter names and
// shapes (written here, after karpathy/nanoGPT model.py): every key present with its shape, only the tied
// lm_head.weight missing; the loaded model's statistics are GPT-2's and its first loss is about ln(50257).
// The safetensors file is read with json and numpy (the safetensors package is not needed).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as nninit from 'nninit';

const PYTHON = '/usr/bin/python3';
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const probe = existsSync(PYTHON) ? spawnSync(PYTHON, ['-c', 'import torch, numpy; print(torch.__version__)'], { encoding: 'utf8' }) : undefined;
const torchVersion = probe?.status === 0 ? probe.stdout.trim() : undefined;

const SCRIPT = `
import json, math, sys
import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

# nanoGPT's GPT (model.py) with GPT-2 small's config, the same module and parameter names; built on the meta
# device and given empty storage, since every value comes from the file.
V, T, C, L, H = 50257, 1024, 768, 12, 12
meta = dict(device='meta')

class CausalSelfAttention(nn.Module):
    def __init__(self):
        super().__init__()
        self.c_attn = nn.Linear(C, 3 * C, **meta)
        self.c_proj = nn.Linear(C, C, **meta)
    def forward(self, x):
        B, S, _ = x.shape
        q, k, v = self.c_attn(x).split(C, dim=2)
        q, k, v = (t.view(B, S, H, C // H).transpose(1, 2) for t in (q, k, v))
        att = (q @ k.transpose(-2, -1)) / math.sqrt(C // H)
        att = att.masked_fill(torch.triu(torch.ones(S, S, dtype=torch.bool), 1), float('-inf')).softmax(-1)
        return self.c_proj((att @ v).transpose(1, 2).reshape(B, S, C))

class MLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.c_fc = nn.Linear(C, 4 * C, **meta)
        self.c_proj = nn.Linear(4 * C, C, **meta)
    def forward(self, x):
        return self.c_proj(F.gelu(self.c_fc(x)))

class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.ln_1 = nn.LayerNorm(C, **meta)
        self.attn = CausalSelfAttention()
        self.ln_2 = nn.LayerNorm(C, **meta)
        self.mlp = MLP()
    def forward(self, x):
        x = x + self.attn(self.ln_1(x))
        return x + self.mlp(self.ln_2(x))

class GPT(nn.Module):
    def __init__(self):
        super().__init__()
        self.transformer = nn.ModuleDict(dict(
            wte=nn.Embedding(V, C, **meta), wpe=nn.Embedding(T, C, **meta),
            h=nn.ModuleList([Block() for _ in range(L)]), ln_f=nn.LayerNorm(C, **meta)))
        self.lm_head = nn.Linear(C, V, bias=False, **meta)
        self.transformer.wte.weight = self.lm_head.weight  # weight tying, as nanoGPT
    def forward(self, idx):
        x = self.transformer.wte(idx) + self.transformer.wpe(torch.arange(idx.shape[1]))
        for block in self.transformer.h:
            x = block(x)
        return self.lm_head(self.transformer.ln_f(x))

path = sys.argv[1]
raw = np.memmap(path, dtype=np.uint8, mode='c')
length = int(np.frombuffer(raw[:8].tobytes(), dtype='<u8')[0])
header = json.loads(raw[8:8 + length].tobytes())
state = {}
for name, info in header.items():
    if name == '__metadata__':
        continue
    assert info['dtype'] == 'F32', (name, info['dtype'])
    start, end = info['data_offsets']
    state[name] = torch.from_numpy(raw[8 + length + start:8 + length + end].view('<f4').reshape(info['shape']))

model = GPT().to_empty(device='cpu')
model.transformer.wte.weight = model.lm_head.weight  # to_empty gives each its own storage: tie them again
expected = {k: list(v.shape) for k, v in model.state_dict().items()}
result = model.load_state_dict(state, strict=False)
tied = model.lm_head.weight.data_ptr() == model.transformer.wte.weight.data_ptr()

names = list(state)
torch.manual_seed(0)
tokens = torch.randint(0, V, (2, 64))
with torch.no_grad():
    logits = model(tokens)
    loss = F.cross_entropy(logits[:, :-1].reshape(-1, V), tokens[:, 1:].reshape(-1)).item()
print(json.dumps(dict(
    missing=result.missing_keys, unexpected=result.unexpected_keys, tied=tied,
    file=[[k, header[k]['shape']] for k in names], module=expected,
    stds=[[n, state[n].numel(), state[n].std().item()] for n in names if n.endswith('.weight') and '.ln_' not in n],
    biases_zero=all(bool((state[n] == 0).all()) for n in names if n.endswith('.bias')),
    norms_one=all(bool((state[n] == 1).all()) for n in names if '.ln_' in n and n.endswith('.weight')),
    wte_head=model.lm_head.weight[0, :8].tolist(),
    finite=bool(torch.isfinite(logits).all()), loss=loss)))
`;

test('examples/gpt2-small.json, written by the command, loads into a module with nanoGPT\'s names (PyTorch)', {
  skip: torchVersion ? false : `PyTorch not found for ${PYTHON}; install Debian's python3-torch to load the file into a torch module`,
  timeout: 120_000,
}, (context) => {
  const folder = mkdtempSync(join(tmpdir(), 'nninit-gpt2-'));
  try {
    const file = join(folder, 'gpt2.safetensors');
    const spec = join(ROOT, 'examples', 'gpt2-small.json');
    const written = spawnSync(process.execPath, [join(ROOT, 'dist', 'cli', 'main.js'), 'init', spec, '-o', file, '--quiet'], { encoding: 'utf8' });
    assert.equal(written.status, 0, written.stderr);
    const run = spawnSync(PYTHON, ['-c', SCRIPT, file], { encoding: 'utf8', maxBuffer: 1 << 24 });
    assert.equal(run.status, 0, run.stderr);
    const out = JSON.parse(run.stdout) as {
      missing: string[]; unexpected: string[]; tied: boolean; file: [string, number[]][]; module: Record<string, number[]>;
      stds: [string, number, number][];
      biases_zero: boolean; norms_one: boolean; wte_head: number[]; finite: boolean; loss: number;
    };
    // Strict key checking but for the tied head: nothing unexpected, only lm_head.weight missing, every shape equal.
    assert.deepEqual(out.unexpected, []);
    assert.deepEqual(out.missing, ['lm_head.weight']);
    assert.ok(out.tied, 'lm_head.weight is transformer.wte.weight');
    for (const [name, shape] of out.file) assert.deepEqual(shape, out.module[name], name);
    assert.equal(out.file.length, Object.keys(out.module).length - 1);
    assert.deepEqual(out.file.map(([name]) => name), Object.keys(out.module).filter((name) => name !== 'lm_head.weight'), 'state_dict order');
    // GPT-2's initialization, measured by PyTorch on each loaded weight: N(0, 0.02), the 24 residual projections
    // N(0, 0.02 / sqrt(24)); the std of n normal values has a relative standard error of 1 / sqrt(2 n) (4 SE).
    assert.equal(out.stds.length, 2 + 12 * 4);
    for (const [name, n, std] of out.stds) {
      const target = name.endsWith('c_proj.weight') ? 0.02 / Math.sqrt(24) : 0.02;
      assert.ok(Math.abs(std / target - 1) < 4 / Math.sqrt(2 * n), `${name}: std ${std} vs ${target}`);
    }
    assert.ok(out.biases_zero && out.norms_one);
    // The head (tied to wte) holds nninit's values, and a forward pass starts near the uniform prediction.
    const plan = nninit.planModel(readFileSync(spec, 'utf8'));
    assert.deepEqual(out.wte_head, [...(nninit.initParameter(plan[0], { length: 8 }) as Float32Array)]);
    assert.ok(out.finite, 'finite logits');
    assert.ok(Math.abs(out.loss - Math.log(50257)) < 0.3, `first loss ${out.loss}, ln(50257) = ${Math.log(50257).toFixed(3)}`);
    context.diagnostic(`PyTorch ${torchVersion}: 148 tensors loaded, lm_head tied; first loss ${out.loss.toFixed(3)}`);
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
});
