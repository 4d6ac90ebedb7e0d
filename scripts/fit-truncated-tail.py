#!/usr/bin/env python3
"""Coefficients of the truncated normal's tail sampler (assembly/f32math.ts, src/core/reference.ts).

The tail sampler inverts w = -log Q(x), Q the standard normal upper-tail probability, for x >= 1. With
z = x / sqrt(2) and t = 1 / (1 + z / 2) in (0, 0.74]:

    -log Q(x) = x^2 / 2 - log t - F(t) + log 2,   F(t) = log(erfcx(z)) - log(t),

and the derivative of -log Q is h(x) = sqrt(2 / pi) / (t E(t)), E(t) = erfcx(z) / t. F and E are smooth on
[0, 0.75] (F(0) = log(1 / (2 sqrt(pi))), as erfcx(z) ~ 1 / (z sqrt(pi))); this script fits them by least
squares at Chebyshev nodes in v = t * 8/3 - 1 in [-1, 1], in double precision against scipy.special.erfcx,
and prints the power-basis coefficients in v rounded to float32, with the fit's largest error. The variable
t = 1 / (1 + z / 2) is the one of Numerical Recipes' erfcc (Press et al., 2nd ed., section 6.2); the
coefficients here are this fit's own.

Run with Debian's python3-scipy: /usr/bin/python3 scripts/fit-truncated-tail.py
"""
import numpy as np
import scipy
from scipy.special import erfcx

T_MAX = 0.75
F_DEGREE = 9
E_DEGREE = 5


def t_to_z(t):
    return 2.0 * (1.0 / t - 1.0)


def F(t):
    return np.log(erfcx(t_to_z(t))) - np.log(t)


def E(t):
    return erfcx(t_to_z(t)) / t


def fit(function, degree):
    nodes = 4000
    k = np.arange(nodes)
    v = -np.cos(np.pi * (k + 0.5) / nodes)
    t = (v + 1.0) * T_MAX / 2.0
    chebyshev = np.polynomial.chebyshev.chebfit(v, function(t), degree)
    power = np.polynomial.Chebyshev(chebyshev).convert(kind=np.polynomial.Polynomial).coef
    single = power.astype(np.float32)
    # Largest error of the float32 coefficients, evaluated in double, on a fine grid of t in (0, T_MAX].
    grid_t = np.linspace(1e-12, T_MAX, 400001)
    grid_v = grid_t * (2.0 / T_MAX) - 1.0
    error = np.polynomial.polynomial.polyval(grid_v, single.astype(np.float64)) - function(grid_t)
    relative = error / function(grid_t) if function is E else error
    return single, float(np.abs(relative).max())


def main():
    print(f'# scipy {scipy.__version__}, numpy {np.__version__}')
    for name, function, degree, kind in [('F', F, F_DEGREE, 'absolute'), ('E', E, E_DEGREE, 'relative')]:
        coefficients, error = fit(function, degree)
        print(f'# {name}: degree {degree}, largest {kind} error {error:.2e}; highest degree first')
        for c in coefficients[::-1]:
            bits = int(np.array(c, dtype=np.float32).view(np.uint32))
            print(f'  0x{bits:08x}  {float(c): .9e}')


if __name__ == '__main__':
    main()
