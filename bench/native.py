"""Native anchors for the nninit benchmark: PyTorch's torch.nn.init and numpy's Generator on one thread.

bench/candidates/native.ts runs this with /usr/bin/python3 and the thread variables set, writes the workloads
to stdin as JSON ({"workloads": [{"id", "family", "shape", "values", "expectedStd", "timing"}]}) and reads JSON
from stdout: {"python", "torch", "numpy", "missing", "results": {id: [{"candidate", "median", "min", "max",
"samples", "std" | "orthogonalityError" | "error"}]}}. Every call writes into a tensor or array allocated
beforehand. Timing follows tinybench's sequential semantics, as the JavaScript candidates do: warm-up and timed
calls continue until both the iteration count and the time (ms) are reached.
"""

import json
import math
import platform
import statistics
import sys
import time

try:
    import numpy as np
except ImportError:
    np = None
try:
    import torch
except ImportError:
    torch = None

# The same column subset as bench/sanity.ts checks QᵀQ on.
ORTHOGONALITY_COLUMNS = 64


def checked_columns(n):
    return list(range(0, n, max(1, n // ORTHOGONALITY_COLUMNS)))


def measure(call, timing):
    """Median, min and max (ms) of the timed calls after the warm-up."""
    start = time.perf_counter()
    calls = 0
    while calls < timing["warmupIterations"] or (time.perf_counter() - start) * 1000 < timing["warmupTime"]:
        call()
        calls += 1
    samples = []
    spent = 0.0
    while len(samples) < timing["iterations"] or spent < timing["time"]:
        begin = time.perf_counter()
        call()
        elapsed = (time.perf_counter() - begin) * 1000
        samples.append(elapsed)
        spent += elapsed
    return {"median": statistics.median(samples), "min": min(samples), "max": max(samples), "samples": len(samples)}


def statistic(values, family):
    """The quantity bench/sanity.ts checks: the standard deviation, or max |QᵀQ - I| on the checked columns."""
    matrix = np.asarray(values, dtype=np.float64)
    if family == "orthogonal":
        q = matrix[:, checked_columns(matrix.shape[1])]
        return {"orthogonalityError": float(np.abs(q.T @ q - np.eye(q.shape[1])).max())}
    return {"std": float(matrix.std())}


def torch_call(workload):
    """torch.nn.init on a preallocated float32 tensor; the square shapes read the same in PyTorch's [out, in]."""
    tensor = torch.empty(workload["shape"], dtype=torch.float32)
    init = torch.nn.init
    calls = {
        "uniform": lambda: init.uniform_(tensor, 0.0, 1.0),
        "normal": lambda: init.normal_(tensor, 0.0, 1.0),
        "truncatedNormal": lambda: init.trunc_normal_(tensor, 0.0, 1.0, -2.0, 2.0),
        "glorotUniform": lambda: init.xavier_uniform_(tensor),
        # kaiming_normal_ defaults (leaky_relu, a = 0, fan_in) give std sqrt(2 / fanIn); 'linear' gives LeCun's.
        "heNormal": lambda: init.kaiming_normal_(tensor),
        "lecunNormal": lambda: init.kaiming_normal_(tensor, nonlinearity="linear"),
        "orthogonal": lambda: init.orthogonal_(tensor),
    }
    return calls[workload["family"]], lambda: tensor.numpy()


def numpy_call(workload):
    """numpy's Generator writing into a preallocated float32 array, scaled in place to the expected std; None
    where numpy has no such sampler (a truncated normal)."""
    family = workload["family"]
    rng = np.random.default_rng()
    out = np.empty(workload["shape"], dtype=np.float32)
    std = np.float32(workload["expectedStd"])
    if family == "uniform":
        return lambda: rng.random(out=out, dtype=np.float32), lambda: out
    if family == "normal":
        return lambda: rng.standard_normal(out=out, dtype=np.float32), lambda: out
    if family == "glorotUniform":
        limit = np.float32(math.sqrt(3) * workload["expectedStd"])

        def glorot_uniform():
            rng.random(out=out, dtype=np.float32)
            np.multiply(out, 2 * limit, out=out)
            np.subtract(out, limit, out=out)

        return glorot_uniform, lambda: out
    if family in ("heNormal", "lecunNormal"):

        def scaled_normal():
            rng.standard_normal(out=out, dtype=np.float32)
            np.multiply(out, std, out=out)

        return scaled_normal, lambda: out
    if family == "orthogonal":
        # The QR of a Gaussian matrix with the signs of R's diagonal folded into Q (Mezzadri 2007), as
        # torch.nn.init.orthogonal_ and Keras do; the Gaussian matrix is float64 for LAPACK.
        gaussian = np.empty(workload["shape"], dtype=np.float64)

        def orthogonal():
            rng.standard_normal(out=gaussian)
            q, r = np.linalg.qr(gaussian)
            np.multiply(q, np.sign(np.diag(r)), out=out)

        return orthogonal, lambda: out
    return None


def main():
    spec = json.load(sys.stdin)
    # numpy also computes every check (and PyTorch's Debian package depends on it).
    libraries = []
    if np is not None and torch is not None:
        torch.set_num_threads(1)
        libraries.append(("PyTorch", torch_call))
    if np is not None:
        libraries.append(("numpy", numpy_call))
    results = {}
    for workload in spec["workloads"]:
        entries = []
        for name, make in libraries:
            try:
                made = make(workload)
                if made is None:
                    continue
                call, output = made
                entry = {"candidate": name, **measure(call, workload["timing"])}
                entry.update(statistic(output(), workload["family"]))
            except Exception as error:  # a failing anchor is reported in its row, not fatal to the run
                entry = {"candidate": name, "error": f"{type(error).__name__}: {error}"}
            entries.append(entry)
            print(f"  {name} {workload['id']}: {entry.get('median', float('nan')):.3f} ms", file=sys.stderr)
        results[workload["id"]] = entries
    json.dump({
        "python": platform.python_version(),
        "torch": torch.__version__ if torch is not None else None,
        "numpy": np.__version__ if np is not None else None,
        "missing": [name for name, module in (("numpy", np), ("torch", torch)) if module is None],
        "results": results,
    }, sys.stdout)


if __name__ == "__main__":
    main()
