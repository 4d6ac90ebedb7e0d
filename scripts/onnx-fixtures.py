#!/usr/bin/env python3
"""Writes the ONNX models nninit's ONNX tests read, into tests/fixtures/onnx/.

Six models are exported by PyTorch's own exporter (torch.onnx.export, opset 17), so that the role inference is
tested on the graphs real exports contain (Gemm with transB, MatMul plus a bias Add, GELU as an Erf pattern,
LSTM/GRU with their re-ordered gates, Gather for embeddings, and a TransformerEncoderLayer, in which the exporter
stores the equal zero biases of the attention's output projection and of both LayerNorms as one initializer); one is built node by node with onnx.helper for the
operators the exporter does not produce here (ConvTranspose with groups, Gemm without transB, a weight behind a
Transpose, LayerNormalization, BatchNormalization before its activation, RNN, PRelu, shape constants); and that
model is saved once more with its larger initializers in an external data file. Every model passes onnx.checker.

    /usr/bin/python3 scripts/onnx-fixtures.py

Needs Debian's python3-onnx and python3-torch (PyTorch 1.13). Deterministic: weights come from fixed seeds.
"""

import io
from pathlib import Path

import numpy as np
import onnx
import torch
from onnx import TensorProto, helper, numpy_helper

OUT = Path(__file__).resolve().parent.parent / 'tests' / 'fixtures' / 'onnx'
OPSET = 17


def export(module, args, name, input_names, output_names, dynamic_axes=None):
    module.eval()
    buffer = io.BytesIO()
    torch.onnx.export(module, args, buffer, opset_version=OPSET, input_names=input_names, output_names=output_names,
                      dynamic_axes=dynamic_axes, do_constant_folding=True)
    model = onnx.load_from_string(buffer.getvalue())
    onnx.checker.check_model(model, full_check=True)
    (OUT / name).write_bytes(buffer.getvalue())
    return model


class Cnn(torch.nn.Module):
    """Conv + ReLU + BatchNorm (the norm after the activation, so the exporter keeps it), a depthwise conv, a 1x1
    conv with LeakyReLU(0.2), and a softmax classifier."""

    def __init__(self):
        super().__init__()
        self.conv1 = torch.nn.Conv2d(3, 8, 3, padding=1)
        self.bn1 = torch.nn.BatchNorm2d(8)
        self.depthwise = torch.nn.Conv2d(8, 8, 3, padding=1, groups=8)
        self.pointwise = torch.nn.Conv2d(8, 16, 1)
        self.head = torch.nn.Linear(16 * 6 * 6, 10)

    def forward(self, x):
        x = self.bn1(torch.relu(self.conv1(x)))
        x = torch.relu(self.depthwise(x))
        x = torch.nn.functional.leaky_relu(self.pointwise(x), 0.2)
        return torch.softmax(self.head(torch.flatten(x, 1)), dim=1)


class Mlp(torch.nn.Module):
    """Linear + Tanh twice and a linear output: 2-D inputs export as Gemm(transB=1)."""

    def __init__(self):
        super().__init__()
        self.fc1 = torch.nn.Linear(20, 32)
        self.fc2 = torch.nn.Linear(32, 16)
        self.out = torch.nn.Linear(16, 4)

    def forward(self, x):
        return self.out(torch.tanh(self.fc2(torch.tanh(self.fc1(x)))))


class MatMulNet(torch.nn.Module):
    """3-D inputs export Linear as MatMul with a pre-transposed weight plus an Add of the bias; GELU as Erf."""

    def __init__(self):
        super().__init__()
        self.fc1 = torch.nn.Linear(20, 32)
        self.fc2 = torch.nn.Linear(32, 8)
        self.out = torch.nn.Linear(8, 3, bias=False)

    def forward(self, x):
        return self.out(torch.nn.functional.gelu(self.fc2(torch.relu(self.fc1(x)))))


class LstmNet(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.embed = torch.nn.Embedding(50, 16)
        self.lstm = torch.nn.LSTM(16, 24, batch_first=True)
        self.decoder = torch.nn.Linear(24, 50)

    def forward(self, ids):
        output, _ = self.lstm(self.embed(ids))
        return self.decoder(output)


class GruNet(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.gru = torch.nn.GRU(8, 12, bidirectional=True, batch_first=True)
        self.head = torch.nn.Linear(24, 4)

    def forward(self, x):
        output, _ = self.gru(x)
        return torch.sigmoid(self.head(output))


def transformer():
    """nn.TransformerEncoderLayer(32, 4, 64, batch_first=True) in eval mode: the exporter keeps one initializer for
    self_attn.out_proj.bias and the biases of norm1 and norm2 (all zeros in a fresh layer), and one for the scales
    of norm1 and norm2 (all ones)."""
    return torch.nn.TransformerEncoderLayer(32, 4, 64, batch_first=True)


def zoo():
    """Operators the exporter does not produce above, node by node."""
    rng = np.random.default_rng(11)
    f32 = lambda *shape: rng.normal(0, 0.1, shape).astype(np.float32)
    init = [
        numpy_helper.from_array(f32(4, 4, 1, 1), 'stem.weight'),
        numpy_helper.from_array(rng.uniform(0.5, 1.5, 4).astype(np.float32), 'stem_bn.scale'),
        numpy_helper.from_array(f32(4), 'stem_bn.bias'),
        numpy_helper.from_array(f32(4), 'stem_bn.mean'),
        numpy_helper.from_array(rng.uniform(0.5, 2, 4).astype(np.float32), 'stem_bn.var'),
        numpy_helper.from_array(f32(4, 3, 3, 3), 'up.weight'),          # ConvTranspose [C, M/group, k, k], group 2
        numpy_helper.from_array(f32(6), 'up.bias'),
        numpy_helper.from_array(f32(294, 32), 'dense.weight'),          # Gemm, transB = 0: [in, out]
        numpy_helper.from_array(f32(32), 'dense.bias'),
        numpy_helper.from_array(np.array([1], dtype=np.int64), 'unsqueeze.axes'),
        numpy_helper.from_array(rng.uniform(0.5, 1.5, 32).astype(np.float32), 'ln.scale'),
        numpy_helper.from_array(f32(32), 'ln.bias'),
        numpy_helper.from_array(f32(16, 32), 'proj.weight'),            # MatMul through a Transpose: [out, in]
        numpy_helper.from_array(f32(16), 'proj.bias'),
        numpy_helper.from_array(f32(1, 8, 16), 'rnn.W'),
        numpy_helper.from_array(f32(1, 8, 8), 'rnn.R'),
        numpy_helper.from_array(f32(1, 16), 'rnn.B'),
        numpy_helper.from_array(np.array([1, 8], dtype=np.int64), 'reshape.shape'),
        numpy_helper.from_array(np.array(0.5, dtype=np.float32), 'half'),
        numpy_helper.from_array(f32(10, 8), 'table.weight'),            # Gather: an embedding
        numpy_helper.from_array(np.full(8, 0.25, dtype=np.float32), 'prelu.slope'),
        numpy_helper.from_array(np.arange(6, dtype=np.int32), 'unused.ids'),
    ]
    nodes = [
        helper.make_node('Conv', ['x', 'stem.weight'], ['stem'], name='stem'),
        helper.make_node('BatchNormalization', ['stem', 'stem_bn.scale', 'stem_bn.bias', 'stem_bn.mean', 'stem_bn.var'], ['stem_bn'], name='stem_bn'),
        helper.make_node('Relu', ['stem_bn'], ['stem_act'], name='stem_act'),
        helper.make_node('ConvTranspose', ['stem_act', 'up.weight', 'up.bias'], ['up'], name='up', group=2),
        helper.make_node('Elu', ['up'], ['up_act'], name='up_act'),
        helper.make_node('Flatten', ['up_act'], ['flat'], name='flat', axis=1),
        helper.make_node('Gemm', ['flat', 'dense.weight', 'dense.bias'], ['dense'], name='dense'),
        helper.make_node('Identity', ['dense'], ['dense_id'], name='dense_id'),
        helper.make_node('Selu', ['dense_id'], ['dense_act'], name='dense_act'),
        helper.make_node('Unsqueeze', ['dense_act', 'unsqueeze.axes'], ['seq'], name='unsqueeze'),
        helper.make_node('LayerNormalization', ['seq', 'ln.scale', 'ln.bias'], ['normed'], name='ln', axis=-1),
        helper.make_node('Transpose', ['proj.weight'], ['proj.weight_t'], name='proj_t', perm=[1, 0]),
        helper.make_node('MatMul', ['normed', 'proj.weight_t'], ['proj_mm'], name='proj'),
        helper.make_node('Add', ['proj_mm', 'proj.bias'], ['proj_out'], name='proj_bias'),
        helper.make_node('HardSigmoid', ['proj_out'], ['gated'], name='gate'),
        helper.make_node('RNN', ['gated', 'rnn.W', 'rnn.R', 'rnn.B'], ['rnn_y'], name='rnn', hidden_size=8),
        helper.make_node('Reshape', ['rnn_y', 'reshape.shape'], ['flat_h'], name='reshape'),
        helper.make_node('Mul', ['flat_h', 'half'], ['scaled'], name='scale'),
        helper.make_node('Gather', ['table.weight', 'ids'], ['looked_up'], name='table', axis=0),
        helper.make_node('Add', ['looked_up', 'scaled'], ['mixed'], name='mix'),
        helper.make_node('PRelu', ['mixed', 'prelu.slope'], ['prelu'], name='prelu'),
        helper.make_node('Softmax', ['prelu'], ['y'], name='softmax', axis=-1),
    ]
    graph = helper.make_graph(
        nodes, 'zoo',
        [helper.make_tensor_value_info('x', TensorProto.FLOAT, [1, 4, 5, 5]), helper.make_tensor_value_info('ids', TensorProto.INT64, [3])],
        [helper.make_tensor_value_info('y', TensorProto.FLOAT, [3, 8])],
        init, doc_string='operators for the role inference')
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid('', OPSET)], producer_name='nninit-fixtures',
                              producer_version='1', model_version=3, doc_string='a model of many operators')
    helper.set_model_props(model, {'author': 'nninit tests', 'purpose': 'role inference'})
    model.ir_version = 8
    onnx.checker.check_model(model, full_check=True)
    return model


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(0)
    export(Cnn(), torch.randn(1, 3, 6, 6), 'cnn.onnx', ['x'], ['y'])
    export(Mlp(), torch.randn(4, 20), 'mlp.onnx', ['x'], ['y'], {'x': {0: 'batch'}, 'y': {0: 'batch'}})
    export(MatMulNet(), torch.randn(2, 5, 20), 'matmul.onnx', ['x'], ['y'])
    export(LstmNet(), torch.randint(0, 50, (2, 7)), 'lstm.onnx', ['ids'], ['y'])
    export(GruNet(), torch.randn(2, 5, 8), 'gru.onnx', ['x'], ['y'])
    export(transformer(), torch.randn(2, 5, 32), 'transformer.onnx', ['x'], ['y'])
    model = zoo()
    onnx.save_model(model, str(OUT / 'zoo.onnx'))
    # The same model with its initializers of 256 bytes or more in one external file beside it (offsets, lengths,
    # location), the small ones inline as onnx's own writer leaves them (shape inference, in onnx's checker and in
    # onnxruntime, needs integer constants inline). onnx appends to an existing data file: remove the last one.
    (OUT / 'external.onnx.data').unlink(missing_ok=True)
    onnx.save_model(model, str(OUT / 'external.onnx'), save_as_external_data=True, all_tensors_to_one_file=True,
                    location='external.onnx.data', size_threshold=256)
    onnx.checker.check_model(str(OUT / 'external.onnx'), full_check=True)
    for path in sorted(OUT.iterdir()):
        print(f'{path.name}: {path.stat().st_size} bytes')


if __name__ == '__main__':
    main()
