#!/usr/bin/env python3
"""Runs call sequences through PyTorch and records what they return, for nninit's PyTorch-parity tests.

A program is a JSON list of cases, each {"seed": int, "calls": [call, ...]}: torch.manual_seed(seed), then
the calls in order on PyTorch's default CPU generator. A call is {"fn": name, ...arguments} with nninit's
names (scripts/torch-parity.ts runs the same calls through nninit/torch):

    rand, randn                      {"shape"}
    uniform_                         {"shape", "a", "b"}                    torch.nn.init.uniform_(torch.empty(shape), a, b)
    normal_                          {"shape", "mean", "std"}
    truncNormal_                     {"shape", "mean", "std", "a", "b"}
    kaimingUniform_, kaimingNormal_  {"shape", "a", "mode", "nonlinearity"}
    xavierUniform_, xavierNormal_    {"shape", "gain"}
    module                           {"spec"}                               a torch.nn module from nninit's spec
    getState                         {}                                     torch.get_rng_state()
    setState                         {"words"}                              a state whose next outputs are `words`

Every output is recorded by the SHA-256 of its little-endian float32 (or state) bytes, its length, and its
first values' bit patterns, so a fixture stays small whatever the tensor size.

Whole models: a model program is a JSON list of {"spec": nninit model spec, "seed": int}. Each case is
torch.manual_seed(seed), then the torch.nn module of every spec layer constructed in order (model_tensors()
reads the spec on its own, from the README's spec table, not through nninit), then the rules' fills; the
result is every floating-point tensor of the modules' state_dict() under nninit's parameter names.

    /usr/bin/python3 scripts/torch-fixtures.py                 # rewrites tests/fixtures/torch/pytorch-1.13.json
                                                               # and pytorch-1.13-models.json
    /usr/bin/python3 scripts/torch-fixtures.py --run < program.json > results.json
    /usr/bin/python3 scripts/torch-fixtures.py --run-models < models.json > results.json
"""

import argparse
import base64
import hashlib
import json
import math
import os
import sys
import warnings

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURE = os.path.join(HERE, '..', 'tests', 'fixtures', 'torch', 'pytorch-1.13.json')
MODELS_FIXTURE = os.path.join(HERE, '..', 'tests', 'fixtures', 'torch', 'pytorch-1.13-models.json')
EXAMPLES = os.path.join(HERE, '..', 'examples')
HEAD = 8


def cpu_capability():
    for line in torch.__config__.show().splitlines():
        if 'CPU capability usage' in line:
            return line.split(':', 1)[1].strip()
    return 'unknown'


def untemper(words):
    """Inverse of the Mersenne Twister's output tempering, so a state can be built to emit chosen words."""
    y = np.asarray(words, dtype=np.uint64)
    mask = np.uint64(0xffffffff)
    x = y.copy()
    for _ in range(2):
        x = y ^ (x >> np.uint64(18))
    y = x & mask
    x = y.copy()
    for _ in range(3):
        x = (y ^ ((x << np.uint64(15)) & np.uint64(0xefc60000))) & mask
    y = x
    x = y.copy()
    for _ in range(5):
        x = (y ^ ((x << np.uint64(7)) & np.uint64(0x9d2c5680))) & mask
    y = x
    x = y.copy()
    for _ in range(3):
        x = y ^ (x >> np.uint64(11))
    return x & mask


def state_emitting(words):
    """A CPUGeneratorImplState whose next len(words) <= 623 outputs are `words` (left = 624, next = 0)."""
    if len(words) > 623:
        raise ValueError('at most 623 words')
    state = np.zeros(624, dtype=np.uint64)
    state[:len(words)] = untemper(words)
    raw = bytearray(torch.get_rng_state().numpy().tobytes())
    raw[8:12] = np.int32(624).tobytes()
    raw[12:16] = np.int32(1).tobytes()
    raw[16:24] = np.uint64(0).tobytes()
    raw[24:24 + 624 * 8] = state.tobytes()
    raw[5040:5044] = np.int32(0).tobytes()
    raw[5052] = 0
    return torch.frombuffer(raw, dtype=torch.uint8).clone()


def module_from_spec(spec):
    nn = torch.nn
    kind = spec['type']
    get = spec.get
    if kind == 'linear':
        return nn.Linear(spec['inFeatures'], spec['outFeatures'], bias=get('bias', True))
    convs = {'conv1d': nn.Conv1d, 'conv2d': nn.Conv2d, 'conv3d': nn.Conv3d,
             'convTranspose1d': nn.ConvTranspose1d, 'convTranspose2d': nn.ConvTranspose2d,
             'convTranspose3d': nn.ConvTranspose3d}
    if kind in convs:
        kernel = spec['kernelSize']
        return convs[kind](spec['inChannels'], spec['outChannels'], kernel if isinstance(kernel, int) else tuple(kernel),
                           groups=get('groups', 1), bias=get('bias', True))
    if kind == 'embedding':
        return nn.Embedding(spec['numEmbeddings'], spec['embeddingDim'], padding_idx=get('paddingIdx'))
    if kind in ('lstm', 'gru', 'rnn'):
        common = dict(num_layers=get('numLayers', 1), bias=get('bias', True), bidirectional=get('bidirectional', False))
        if kind == 'lstm':
            return nn.LSTM(spec['inputSize'], spec['hiddenSize'], proj_size=get('projSize', 0), **common)
        if kind == 'gru':
            return nn.GRU(spec['inputSize'], spec['hiddenSize'], **common)
        return nn.RNN(spec['inputSize'], spec['hiddenSize'], nonlinearity=get('nonlinearity', 'tanh'), **common)
    if kind == 'layerNorm':
        shape = spec['normalizedShape']
        return nn.LayerNorm(shape if isinstance(shape, int) else tuple(shape), elementwise_affine=get('elementwiseAffine', True))
    if kind == 'multiheadAttention':
        return nn.MultiheadAttention(spec['embedDim'], spec['numHeads'], bias=get('bias', True),
                                     add_bias_kv=get('addBiasKv', False), kdim=get('kdim'), vdim=get('vdim'))
    raise ValueError('unknown module type %r' % kind)


WITH_VALUES = False


def record(array):
    data = np.ascontiguousarray(array)
    raw = data.tobytes()
    head = data.reshape(-1)[:HEAD]
    bits = head.view(np.uint32 if data.dtype == np.float32 else np.uint8)
    result = {'length': int(data.size), 'sha256': hashlib.sha256(raw).hexdigest(), 'head': [int(b) for b in bits]}
    if WITH_VALUES:
        result['values'] = base64.b64encode(raw).decode('ascii')
    return result


def comparable_state(state):
    """The state with its cached float64 normal (bytes 5024..5031) rounded to float32: that value comes from
    glibc's log/sin/cos here and from the JavaScript engine's there, which differ in the last bit for a few
    percent of arguments, while what it can become, a float32 element, is the same."""
    state = state.copy()
    cached = state[5024:5032].view(np.float64)
    state[5024:5032] = np.float64(np.float32(cached[0])).reshape(1).view(np.uint8)
    return state


def tensor_call(call):
    init = torch.nn.init
    fn = call['fn']
    get = call.get
    shape = call.get('shape')
    empty = lambda: torch.empty(shape if isinstance(shape, int) else tuple(shape))
    if fn == 'rand':
        return torch.rand(shape if isinstance(shape, int) else tuple(shape))
    if fn == 'randn':
        return torch.randn(shape if isinstance(shape, int) else tuple(shape))
    if fn == 'uniform_':
        return init.uniform_(empty(), get('a', 0.0), get('b', 1.0))
    if fn == 'normal_':
        return init.normal_(empty(), get('mean', 0.0), get('std', 1.0))
    if fn == 'truncNormal_':
        return init.trunc_normal_(empty(), get('mean', 0.0), get('std', 1.0), get('a', -2.0), get('b', 2.0))
    if fn == 'kaimingUniform_':
        return init.kaiming_uniform_(empty(), get('a', 0), get('mode', 'fan_in'), get('nonlinearity', 'leaky_relu'))
    if fn == 'kaimingNormal_':
        return init.kaiming_normal_(empty(), get('a', 0), get('mode', 'fan_in'), get('nonlinearity', 'leaky_relu'))
    if fn == 'xavierUniform_':
        return init.xavier_uniform_(empty(), get('gain', 1.0))
    if fn == 'xavierNormal_':
        return init.xavier_normal_(empty(), get('gain', 1.0))
    raise ValueError('unknown call %r' % fn)


def run_call(call):
    fn = call['fn']
    if fn == 'module':
        module = module_from_spec(call['spec'])
        return {'parameters': [[name, record(p.detach().numpy())] for name, p in module.named_parameters()]}
    if fn == 'getState':
        return record(comparable_state(torch.get_rng_state().numpy()))
    if fn == 'setState':
        torch.set_rng_state(state_emitting(call['words']))
        return None
    return record(tensor_call(call).detach().numpy())


def run(program):
    torch.set_num_threads(1)
    results = []
    with warnings.catch_warnings():
        # trunc_normal_ and kaiming_* warn about their arguments (mean far outside [a, b], empty tensors).
        warnings.simplefilter('ignore', UserWarning)
        for case in program:
            torch.manual_seed(int(case['seed']))
            results.append([run_call(call) for call in case['calls']])
    return results


def debian_package():
    try:
        import subprocess
        return subprocess.run(['dpkg-query', '-W', '-f', '${Version}', 'python3-torch'],
                              capture_output=True, text=True, check=True).stdout.strip() or None
    except Exception:
        return None


def sweep(directory):
    """Every 24-bit uniform through normal_'s vectorized Box-Muller, fed by crafted generator states: u1 over all
    2^24 values with u2 = 0 (so cos = 1 and each output is the radius sqrt(-2 log u1)), and u2 over all 2^24
    values with u1 fixed at the word whose radius is exactly 2 (so the outputs are 2 cos and 2 sin of 2 pi u2).
    Also every 24-bit uniform through trunc_normal_ with the default arguments and with std = 0.02 (a, b = -2, 2).
    Writes radius.f32, cos2.f32, sin2.f32, trunc-default.f32 and trunc-std0.02.f32 (2^24 float32 each,
    indexed by the uniform's word)."""
    torch.set_num_threads(1)
    count = 1 << 24
    groups = 38  # 608 words per generator state, at most 623 are available before the state regenerates
    per_state = groups * 8
    raw = bytearray(torch.get_rng_state().numpy().tobytes())
    raw[8:12] = np.int32(624).tobytes()
    raw[12:16] = np.int32(1).tobytes()
    raw[16:24] = np.uint64(0).tobytes()
    buffer = torch.empty(groups * 16)

    def run(first_words, second_words):
        first_out = np.empty(count, dtype=np.float32)
        second_out = np.empty(count, dtype=np.float32)
        for start in range(0, count, per_state):
            first = first_words[start:start + per_state].reshape(-1, 8)
            second = second_words[start:start + per_state].reshape(-1, 8)
            used = first.shape[0]
            words = np.concatenate([first, second], axis=1).reshape(-1)
            state = np.zeros(624, dtype=np.uint64)
            state[:len(words)] = untemper(words)
            raw[24:24 + 624 * 8] = state.tobytes()
            torch.set_rng_state(torch.frombuffer(raw, dtype=torch.uint8).clone())
            tensor = buffer[:used * 16]
            tensor.normal_()
            values = tensor.numpy().reshape(-1, 16)
            first_out[start:start + used * 8] = values[:, :8].reshape(-1)
            second_out[start:start + used * 8] = values[:, 8:].reshape(-1)
        return first_out, second_out

    every = np.arange(count, dtype=np.uint64)
    radius, zero_sine = run(every, np.zeros(count, dtype=np.uint64))
    assert (zero_sine == 0).all()
    radius_two = int(np.nonzero(radius == 2.0)[0][0])
    cos2, sin2 = run(np.full(count, radius_two, dtype=np.uint64), every)
    def run_trunc(std):
        out = np.empty(count, dtype=np.float32)
        per = 608
        for start in range(0, count, per):
            words = every[start:start + per]
            state = np.zeros(624, dtype=np.uint64)
            state[:len(words)] = untemper(words)
            raw[24:24 + 624 * 8] = state.tobytes()
            torch.set_rng_state(torch.frombuffer(raw, dtype=torch.uint8).clone())
            out[start:start + len(words)] = torch.nn.init.trunc_normal_(torch.empty(len(words)), 0.0, std, -2.0, 2.0).numpy()
        return out

    os.makedirs(directory, exist_ok=True)
    run_trunc(1.0).tofile(os.path.join(directory, 'trunc-default.f32'))
    run_trunc(0.02).tofile(os.path.join(directory, 'trunc-std0.02.f32'))
    radius.tofile(os.path.join(directory, 'radius.f32'))
    cos2.tofile(os.path.join(directory, 'cos2.f32'))
    sin2.tofile(os.path.join(directory, 'sin2.f32'))
    json.dump({'platform': describe_platform(), 'radius_two_word': radius_two}, open(os.path.join(directory, 'sweep.json'), 'w'))


class HeldParameter(torch.nn.Module):
    """One tensor as a module: a spec's param layer (nn.Parameter(torch.full(shape, value))) and, before
    PyTorch 2.4 brought nn.RMSNorm, an RMSNorm's scale as models write it (nn.Parameter(torch.ones(dim)))."""

    def __init__(self, name, tensor):
        super().__init__()
        self.register_parameter(name, torch.nn.Parameter(tensor))


def glob_pattern(glob):
    """A rule's match: ** any characters, * any characters but '.', the rest literally."""
    import re
    out, i = '', 0
    while i < len(glob):
        if glob.startswith('**', i):
            out, i = out + '.*', i + 2
        elif glob[i] == '*':
            out, i = out + '[^.]*', i + 1
        else:
            out, i = out + re.escape(glob[i]), i + 1
    return re.compile('^' + out + '$')


FILLS = {'zeros': lambda options: 0.0, 'ones': lambda options: 1.0, 'constant': lambda options: float(options['value'])}


def model_tensors(spec, seed):
    """torch.manual_seed(seed), the spec's torch.nn modules built in order, the rules' fills applied: a list of
    (nninit name, float32 tensor) in state_dict() order. Layers map as the README's spec table says: dense ->
    nn.Linear, convNd -> nn.ConvNd, embedding -> nn.Embedding, layernorm -> nn.LayerNorm, batchnorm ->
    nn.BatchNorm2d, rmsnorm -> nn.RMSNorm (or a ones parameter before 2.4), lstm/gru/rnn -> nn.LSTM/GRU/RNN,
    attention -> nn.MultiheadAttention, param -> a parameter filled with its constant; repeat and block expand
    in order."""
    nn = torch.nn
    tensors = []

    def scoped(scope, name):
        return scope + '.' + name if scope and name else scope or name

    def add(full, module):
        for key, value in module.state_dict().items():
            if value.is_floating_point():
                tensors.append([scoped(full, key), value])

    def walk(layers, scope):
        for index, layer in enumerate(layers):
            kind = layer['type']
            get = layer.get
            full = scoped(scope, get('name', '' if kind == 'block' else str(index)))
            if kind == 'repeat':
                for i in range(layer['count']):
                    walk(layer['layers'], scoped(full, str(i)))
            elif kind == 'block':
                walk(layer['layers'], full)
            elif kind == 'dense':
                add(full, nn.Linear(layer['in'], layer['out'], bias=get('bias', True)))
            elif kind in ('conv1d', 'conv2d', 'conv3d'):
                kernel = layer['kernel']
                conv = {'conv1d': nn.Conv1d, 'conv2d': nn.Conv2d, 'conv3d': nn.Conv3d}[kind]
                add(full, conv(layer['in'], layer['out'], kernel if isinstance(kernel, int) else tuple(kernel),
                               groups=get('groups', 1), bias=get('bias', True)))
            elif kind == 'embedding':
                add(full, nn.Embedding(layer['vocab'], layer['dim']))
            elif kind == 'layernorm':
                add(full, nn.LayerNorm(layer['dim']))
            elif kind == 'batchnorm':
                add(full, nn.BatchNorm2d(layer['dim']))
            elif kind == 'rmsnorm':
                add(full, nn.RMSNorm(layer['dim']) if hasattr(nn, 'RMSNorm') else HeldParameter('weight', torch.ones(layer['dim'])))
            elif kind in ('lstm', 'gru', 'rnn'):
                common = dict(num_layers=get('numLayers', 1), bias=get('bias', True), bidirectional=get('bidirectional', False))
                if kind == 'rnn':
                    common['nonlinearity'] = get('activation', 'tanh')
                add(full, {'lstm': nn.LSTM, 'gru': nn.GRU, 'rnn': nn.RNN}[kind](layer['in'], layer['units'], **common))
            elif kind == 'attention':
                add(full, nn.MultiheadAttention(layer['dim'], layer['heads'], bias=get('bias', True)))
            elif kind == 'param':
                tensors.append([full, torch.full(tuple(layer['shape']), FILLS[layer['init']](layer))])
            else:
                raise ValueError('layer type %r has no torch.nn module' % kind)

    torch.manual_seed(int(seed))
    walk(spec['layers'], '')
    for rule in spec.get('rules', []):
        pattern = glob_pattern(rule['match'])
        for entry in tensors:
            if pattern.match(entry[0]):
                entry[1] = torch.full_like(entry[1], FILLS[rule['init']](rule))
    return tensors


def run_models(program):
    torch.set_num_threads(1)
    return [[[name, record(tensor.detach().numpy())] for name, tensor in model_tensors(case['spec'], case['seed'])]
            for case in program]


def models_program():
    """The examples and small models over every layer type, including normal_ draws of fewer than 16 elements,
    whose cached second value passes from one module to the next."""
    def example(name):
        with open(os.path.join(EXAMPLES, name + '.json')) as source:
            spec = json.load(source)
        return {k: v for k, v in spec.items() if k not in ('description', 'policy')}
    transformer = {'layers': [
        {'type': 'embedding', 'name': 'wte', 'vocab': 97, 'dim': 32},
        {'type': 'embedding', 'name': 'wpe', 'vocab': 16, 'dim': 32},
        {'type': 'repeat', 'name': 'h', 'count': 2, 'layers': [
            {'type': 'block', 'residual': True, 'layers': [
                {'type': 'layernorm', 'name': 'ln_1', 'dim': 32},
                {'type': 'attention', 'name': 'attn', 'dim': 32, 'heads': 4}]},
            {'type': 'block', 'residual': True, 'layers': [
                {'type': 'layernorm', 'name': 'ln_2', 'dim': 32},
                {'type': 'block', 'name': 'mlp', 'layers': [
                    {'type': 'dense', 'name': 'c_fc', 'in': 32, 'out': 128, 'activation': 'gelu'},
                    {'type': 'dense', 'name': 'c_proj', 'in': 128, 'out': 32}]}]}]},
        {'type': 'layernorm', 'name': 'ln_f', 'dim': 32},
        {'type': 'dense', 'name': 'lm_head', 'in': 32, 'out': 97, 'bias': False}]}
    every_layer = {'layers': [
        {'type': 'embedding', 'name': 'tiny', 'vocab': 3, 'dim': 5},
        {'type': 'embedding', 'name': 'odd', 'vocab': 5, 'dim': 7},
        {'type': 'dense', 'in': 5, 'out': 7, 'activation': 'tanh'},
        {'type': 'embedding', 'name': 'tinier', 'vocab': 2, 'dim': 3},
        {'type': 'gru', 'name': 'gru', 'in': 6, 'units': 4, 'numLayers': 2, 'bidirectional': True, 'bias': False},
        {'type': 'rnn', 'name': 'rnn', 'in': 3, 'units': 5, 'activation': 'relu'},
        {'type': 'lstm', 'name': 'lstm', 'in': 4, 'units': 3, 'numLayers': 2},
        {'type': 'conv1d', 'name': 'conv1d', 'in': 4, 'out': 6, 'kernel': 5},
        {'type': 'conv3d', 'name': 'conv3d', 'in': 2, 'out': 4, 'kernel': [1, 2, 3], 'bias': False},
        {'type': 'batchnorm', 'name': 'bn', 'dim': 4},
        {'type': 'rmsnorm', 'name': 'rms', 'dim': 6},
        {'type': 'param', 'name': 'cls', 'shape': [1, 1, 8], 'init': 'zeros'},
        {'type': 'attention', 'name': 'mha', 'dim': 8, 'heads': 2, 'bias': False},
        {'type': 'embedding', 'name': 'last', 'vocab': 1, 'dim': 9}],
        'rules': [{'match': 'conv1d.bias', 'init': 'constant', 'value': 0.5}, {'match': '*.bias_hh_l1', 'init': 'zeros'}]}
    return [
        {'name': 'examples/mlp-mixed.json', 'spec': example('mlp-mixed'), 'seed': 42},
        {'name': 'examples/mlp-mixed.json', 'spec': example('mlp-mixed'), 'seed': 0},
        {'name': 'examples/cnn.json', 'spec': example('cnn'), 'seed': 42},
        {'name': 'examples/lstm.json', 'spec': example('lstm'), 'seed': 7},
        {'name': 'transformer', 'spec': transformer, 'seed': 1234},
        {'name': 'every layer type', 'spec': every_layer, 'seed': 3},
        {'name': 'every layer type', 'spec': every_layer, 'seed': 2 ** 40 + 5},
    ]


def describe_platform():
    return {'torch': torch.__version__, 'debian_python3_torch': debian_package(), 'cpu_capability': cpu_capability(),
            'numpy': np.__version__, 'python': sys.version.split()[0]}


def fixture_program():
    """Seeds, shapes and arguments that cross every path boundary of the kernels."""
    sizes = [1, 2, 3, 15, 16, 17, 31, 32, 33, 47, 100, 256, 1000, 4099, 65536]
    program = []
    for seed in [0, 1, 42, 2024, 4294967295, 4294967296 + 7, -1]:
        calls = []
        for size in sizes:
            calls.append({'fn': 'rand', 'shape': [size]})
            calls.append({'fn': 'randn', 'shape': [size]})
        program.append({'seed': seed, 'calls': calls})
    program.append({'seed': 3, 'calls': [
        {'fn': 'uniform_', 'shape': [5, 7], 'a': -0.3, 'b': 0.9},
        {'fn': 'uniform_', 'shape': [1000], 'a': -1e-3, 'b': 1e-3},
        {'fn': 'uniform_', 'shape': [300], 'a': 10.0, 'b': 10.5},
        {'fn': 'uniform_', 'shape': [17], 'a': -1e30, 'b': 1e30},
        {'fn': 'normal_', 'shape': [3], 'mean': 0.5, 'std': 2.0},
        {'fn': 'normal_', 'shape': [5], 'mean': -1.25, 'std': 0.3},
        {'fn': 'normal_', 'shape': [16], 'mean': 0.5, 'std': 2.0},
        {'fn': 'normal_', 'shape': [23, 3], 'mean': 3.0, 'std': 1e-3},
        {'fn': 'normal_', 'shape': [7], 'mean': 100.0, 'std': 0.1},
        {'fn': 'getState'},
    ]})
    program.append({'seed': 5, 'calls': [
        {'fn': 'truncNormal_', 'shape': [2000]},
        {'fn': 'truncNormal_', 'shape': [9], 'mean': 0.0, 'std': 0.02},
        {'fn': 'truncNormal_', 'shape': [768, 16], 'mean': 0.0, 'std': 0.02},
        {'fn': 'truncNormal_', 'shape': [500], 'mean': 1.0, 'std': 2.0, 'a': -1.0, 'b': 4.0},
        {'fn': 'truncNormal_', 'shape': [33], 'mean': 0.0, 'std': 1.0, 'a': 0.5, 'b': 3.0},
        {'fn': 'getState'},
    ]})
    program.append({'seed': 6, 'calls': [
        {'fn': 'kaimingUniform_', 'shape': [64, 32]},
        {'fn': 'kaimingUniform_', 'shape': [256, 784], 'a': math.sqrt(5)},
        {'fn': 'kaimingUniform_', 'shape': [16, 3, 3, 3], 'a': 0.2, 'mode': 'fan_out', 'nonlinearity': 'leaky_relu'},
        {'fn': 'kaimingUniform_', 'shape': [10, 20], 'mode': 'fan_out', 'nonlinearity': 'relu'},
        {'fn': 'kaimingNormal_', 'shape': [64, 32]},
        {'fn': 'kaimingNormal_', 'shape': [3, 4], 'nonlinearity': 'tanh'},
        {'fn': 'kaimingNormal_', 'shape': [8, 4, 5], 'mode': 'fan_out', 'nonlinearity': 'selu'},
        {'fn': 'xavierUniform_', 'shape': [100, 50]},
        {'fn': 'xavierUniform_', 'shape': [6, 4, 3], 'gain': 5.0 / 3},
        {'fn': 'xavierNormal_', 'shape': [100, 50]},
        {'fn': 'xavierNormal_', 'shape': [2, 3], 'gain': 2.0},
        {'fn': 'getState'},
    ]})
    program.append({'seed': 7, 'calls': [
        {'fn': 'module', 'spec': {'type': 'linear', 'inFeatures': 20, 'outFeatures': 30}},
        {'fn': 'module', 'spec': {'type': 'linear', 'inFeatures': 7, 'outFeatures': 3, 'bias': False}},
        {'fn': 'module', 'spec': {'type': 'conv1d', 'inChannels': 4, 'outChannels': 6, 'kernelSize': 5}},
        {'fn': 'module', 'spec': {'type': 'conv2d', 'inChannels': 3, 'outChannels': 16, 'kernelSize': [3, 5]}},
        {'fn': 'module', 'spec': {'type': 'conv2d', 'inChannels': 8, 'outChannels': 12, 'kernelSize': 3, 'groups': 4}},
        {'fn': 'module', 'spec': {'type': 'conv3d', 'inChannels': 2, 'outChannels': 4, 'kernelSize': [1, 2, 3], 'bias': False}},
        {'fn': 'module', 'spec': {'type': 'convTranspose2d', 'inChannels': 6, 'outChannels': 4, 'kernelSize': 2, 'groups': 2}},
        {'fn': 'module', 'spec': {'type': 'embedding', 'numEmbeddings': 10, 'embeddingDim': 7, 'paddingIdx': 2}},
        {'fn': 'module', 'spec': {'type': 'embedding', 'numEmbeddings': 3, 'embeddingDim': 5}},
        {'fn': 'module', 'spec': {'type': 'lstm', 'inputSize': 10, 'hiddenSize': 20, 'numLayers': 2}},
        {'fn': 'module', 'spec': {'type': 'lstm', 'inputSize': 5, 'hiddenSize': 8, 'bidirectional': True, 'projSize': 3}},
        {'fn': 'module', 'spec': {'type': 'gru', 'inputSize': 6, 'hiddenSize': 4, 'numLayers': 2, 'bias': False, 'bidirectional': True}},
        {'fn': 'module', 'spec': {'type': 'rnn', 'inputSize': 3, 'hiddenSize': 5, 'nonlinearity': 'relu'}},
        {'fn': 'module', 'spec': {'type': 'layerNorm', 'normalizedShape': [4, 6]}},
        {'fn': 'module', 'spec': {'type': 'multiheadAttention', 'embedDim': 16, 'numHeads': 4}},
        {'fn': 'module', 'spec': {'type': 'multiheadAttention', 'embedDim': 8, 'numHeads': 2, 'addBiasKv': True, 'kdim': 5, 'vdim': 3}},
        {'fn': 'module', 'spec': {'type': 'multiheadAttention', 'embedDim': 32, 'numHeads': 8, 'bias': False, 'addBiasKv': True}},
        {'fn': 'getState'},
    ]})
    # Chosen uniforms through the vectorized Box-Muller: u1 at its extremes (1 - u1 = 1, 2^-24) and u2 on the
    # angles where the sine/cosine octants switch.
    edge_words = [0, 1, 2, 0xffffff, 0xfffffe, 0x800000, 0x400000, 0xc00000, 0x200000, 0x600000, 0xa00000, 0xe00000,
                  0x1fffff, 0x3fffff, 0x5fffff, 0x7fffff, 0x9fffff, 0xbfffff, 0xdfffff, 0x123456, 0xabcdef, 0x0f0f0f,
                  0xf0f0f0, 0x555555, 0xaaaaaa, 0x7fffff + 0x1000000, 0xffffffff, 0x80000000, 0x12345678, 0xdeadbeef,
                  0x31415926, 0x27182818]
    program.append({'seed': 8, 'calls': [
        {'fn': 'setState', 'words': edge_words * 4},
        {'fn': 'randn', 'shape': [128]},
        {'fn': 'setState', 'words': edge_words[::-1] * 4},
        {'fn': 'normal_', 'shape': [120], 'mean': -0.5, 'std': 3.0},
        {'fn': 'setState', 'words': edge_words * 2},
        {'fn': 'truncNormal_', 'shape': [64], 'mean': 0.0, 'std': 0.02},
        {'fn': 'setState', 'words': edge_words * 2},
        {'fn': 'rand', 'shape': [64]},
    ]})
    # The small-tensor path computes value * std + mean in double and rounds to float32; these words and means
    # were searched for so that a fused and an unfused multiply-add round to different float32 values.
    fused_cases = [
        ([740747863, 1795362647, 2811964353, 279061432], 1000.0000360415031),
        ([4016228268, 1670363564, 3967755457, 3811930329], 1000.0000387969415),
        ([2106878115, 4032486200, 2750487644, 2420833671], 1000.0000055326077),
        ([1181907352, 2641047377, 2001513304, 1841246479], 1000.0000404396051),
    ]
    calls = []
    for words, mean in fused_cases:
        calls.append({'fn': 'setState', 'words': words})
        calls.append({'fn': 'normal_', 'shape': [1], 'mean': mean, 'std': 1.1})
    program.append({'seed': 9, 'calls': calls})
    return program


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--run', action='store_true', help='read a program from stdin, write results to stdout')
    parser.add_argument('--values', action='store_true', help='with --run: include every output in base64 as well')
    parser.add_argument('--run-models', action='store_true', help='read a model program from stdin, write results to stdout')
    parser.add_argument('--platform', action='store_true', help='print the PyTorch version and CPU path as JSON')
    parser.add_argument('--sweep', metavar='DIR', help='write the exhaustive Box-Muller sweeps (see sweep()) to DIR')
    args = parser.parse_args()
    if args.sweep:
        sweep(args.sweep)
        return
    if args.platform:
        json.dump(describe_platform(), sys.stdout)
        return
    if args.run_models:
        json.dump({'platform': describe_platform(), 'results': run_models(json.load(sys.stdin))}, sys.stdout)
        return
    if args.run:
        global WITH_VALUES
        WITH_VALUES = args.values
        program = json.load(sys.stdin)
        json.dump({'platform': describe_platform(), 'results': run(program)}, sys.stdout)
        return
    program = fixture_program()
    fixture = {
        'generated_by': 'scripts/torch-fixtures.py',
        'platform': describe_platform(),
        'cases': [dict(case, results=results) for case, results in zip(program, run(program))],
    }
    os.makedirs(os.path.dirname(FIXTURE), exist_ok=True)
    with open(FIXTURE, 'w') as out:
        json.dump(fixture, out, separators=(',', ':'))
        out.write('\n')
    print('wrote %s (%d bytes)' % (os.path.relpath(FIXTURE), os.path.getsize(FIXTURE)))
    models = models_program()
    fixture = {
        'generated_by': 'scripts/torch-fixtures.py',
        'platform': describe_platform(),
        'cases': [dict(case, results=results) for case, results in zip(models, run_models(models))],
    }
    with open(MODELS_FIXTURE, 'w') as out:
        json.dump(fixture, out, separators=(',', ':'))
        out.write('\n')
    print('wrote %s (%d bytes)' % (os.path.relpath(MODELS_FIXTURE), os.path.getsize(MODELS_FIXTURE)))


if __name__ == '__main__':
    main()
