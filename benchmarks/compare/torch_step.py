#!/usr/bin/env python3
"""Time one training step of the paper's noisy leaky RNN or GRU in idiomatic PyTorch on the CPU.

The vanilla model is the one NoisyRnn's VanillaRnn defines (alpha = dt / tau, no biases, ReLU):
    h_0 = W_enc s
    u_t = W_rec h_{t-1} + W_in x_t
    h_t = (1 - alpha) h_{t-1} + alpha relu(u_t) + noise_std * xi_t,   xi_t ~ N(0, 1)
    y_t = W_out h_t
The GRU (--model gru) is NoisyRnn's GruRnn, the reference's GRU (models/gru.py; tanh candidate, no biases):
    z_t = sigmoid(W_z x_t + U_z h_{t-1}),  r_t = sigmoid(W_r x_t + U_r h_{t-1})
    u_t = W_h x_t + U_h (r_t * h_{t-1})
    h_t = h_{t-1} + alpha (z_t - 1) (h_{t-1} - tanh(u_t)) + noise_std * xi_t
    y_t = W_dec h_t
with the three input maps applied to all time steps at once and U_z, U_r as one [2 hidden, hidden] nn.Linear per
step (the fusion torch.nn.GRUCell makes too). Both are trained with the mean squared error against population-code targets and Adam (lr 1e-3), by autograd through
all time steps. Outputs are collected in a Python list and stacked (no in-place writes into a preallocated
tensor). Every step draws a fresh batch: random-walk trajectories in the 2.2 m box encoded by 512 Gaussian place
cells (softmax of -d^2 / 2 sigma^2), or angular-velocity walks encoded by von Mises head-direction cells.

Prints one JSON object: the median step time in ms over the timed steps, the data-generation share, sizes, the
torch version, thread count and the BLAS library and kernel (core type) in use.
"""
import argparse
import ctypes
import json
import math
import statistics
import time

import torch


def parse_args():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--task", choices=["spatial", "head-direction"], default="spatial")
    p.add_argument("--model", choices=["vanilla", "gru"], default="vanilla")
    p.add_argument("--steps", type=int, default=5, help="timed steps after the warm-up steps")
    p.add_argument("--warmup", type=int, default=2)
    p.add_argument("--threads", type=int, default=2)
    return p.parse_args()


class NoisyLeakyRnn(torch.nn.Module):
    def __init__(self, n_in, n_hidden, n_out, dt, tau, noise_std):
        super().__init__()
        self.encoder = torch.nn.Linear(n_out, n_hidden, bias=False)
        self.w_in = torch.nn.Linear(n_in, n_hidden, bias=False)
        self.w_rec = torch.nn.Linear(n_hidden, n_hidden, bias=False)
        self.w_out = torch.nn.Linear(n_hidden, n_out, bias=False)
        self.alpha = dt / tau
        self.noise_std = noise_std

    def forward(self, inputs, init_code):
        # inputs [batch, time, n_in]; init_code [batch, n_out]
        h = self.encoder(init_code)
        drive = self.w_in(inputs)  # input part of u_t for every step at once
        noise = self.noise_std * torch.randn(inputs.shape[0], inputs.shape[1], h.shape[1])
        states = []
        for t in range(inputs.shape[1]):
            u = drive[:, t] + self.w_rec(h)
            h = (1 - self.alpha) * h + self.alpha * torch.relu(u) + noise[:, t]
            states.append(h)
        return self.w_out(torch.stack(states, dim=1))


class NoisyGru(torch.nn.Module):
    def __init__(self, n_in, n_hidden, n_out, dt, tau, noise_std):
        super().__init__()
        self.encoder = torch.nn.Linear(n_out, n_hidden, bias=False)
        self.w_zrh = torch.nn.Linear(n_in, 3 * n_hidden, bias=False)  # W_z, W_r, W_h stacked
        self.u_zr = torch.nn.Linear(n_hidden, 2 * n_hidden, bias=False)  # U_z, U_r stacked
        self.u_h = torch.nn.Linear(n_hidden, n_hidden, bias=False)
        self.decoder = torch.nn.Linear(n_hidden, n_out, bias=False)
        self.alpha = dt / tau
        self.noise_std = noise_std

    def forward(self, inputs, init_code):
        h = self.encoder(init_code)
        drive_z, drive_r, drive_h = self.w_zrh(inputs).chunk(3, dim=2)
        noise = self.noise_std * torch.randn(inputs.shape[0], inputs.shape[1], h.shape[1])
        states = []
        for t in range(inputs.shape[1]):
            rec_z, rec_r = self.u_zr(h).chunk(2, dim=1)
            z = torch.sigmoid(drive_z[:, t] + rec_z)
            r = torch.sigmoid(drive_r[:, t] + rec_r)
            u = drive_h[:, t] + self.u_h(r * h)
            h = h + self.alpha * (z - 1) * (h - torch.tanh(u)) + noise[:, t]
            states.append(h)
        return self.decoder(torch.stack(states, dim=1))


def blas_info():
    """The BLAS torch computes with and, for OpenBLAS, the kernel family it chose (openblas_get_corename)."""
    info = {"torch_blas_info": None, "library": None, "corename": None, "config": None}
    try:
        config = torch.__config__.show()
        info["torch_blas_info"] = next((part.split("=", 1)[1] for part in config.replace(",", "\n").split("\n")
                                        if part.strip().startswith("BLAS_INFO=")), None)
    except Exception:  # noqa: BLE001 - a diagnostic only
        pass
    try:
        import threadpoolctl
        pools = [p for p in threadpoolctl.threadpool_info() if p.get("user_api") == "blas"]
        if pools:
            info["library"] = pools[0].get("filepath")
            info["corename"] = pools[0].get("architecture")
            info["threadpoolctl"] = [{k: p.get(k) for k in ("internal_api", "version", "architecture", "num_threads", "filepath")} for p in pools]
    except Exception:  # noqa: BLE001
        pass
    # Whatever libblas.so.3 the process loaded (Debian: the alternatives link, here OpenBLAS's pthread build).
    for name in ("libblas.so.3", "libopenblas.so.0"):
        try:
            lib = ctypes.CDLL(name)
        except OSError:
            continue
        if hasattr(lib, "openblas_get_corename"):
            lib.openblas_get_corename.restype = ctypes.c_char_p
            lib.openblas_get_config.restype = ctypes.c_char_p
            info["library"] = info["library"] or name
            info["corename"] = lib.openblas_get_corename().decode()
            info["config"] = lib.openblas_get_config().decode()
            break
    return info


def spatial_batch(batch, steps, centers, sigma, box=2.2, dt=0.02):
    """Random-walk trajectories (Rayleigh speeds, Gaussian turns) and their place-cell codes."""
    half = box / 2
    start = (torch.rand(batch, 2) - 0.5) * box
    heading = torch.rand(batch, 1) * 2 * math.pi + torch.cumsum(dt * 11.52 * torch.randn(batch, steps), dim=1)
    speed = 0.26 * math.pi * torch.sqrt(-2 * torch.log1p(-torch.rand(batch, steps)))
    velocity = torch.stack((torch.cos(heading), torch.sin(heading)), dim=2) * (speed * dt).unsqueeze(2)
    positions = torch.clamp(start.unsqueeze(1) + torch.cumsum(velocity, dim=1), -half, half)

    def encode(p):
        d2 = ((p.unsqueeze(-2) - centers) ** 2).sum(-1)
        return torch.softmax(-d2 / (2 * sigma * sigma), dim=-1)

    return velocity, encode(start), encode(positions)


def head_direction_batch(batch, steps, preferred, kappa, dt=0.02):
    """Angular-velocity walks and their von Mises head-direction-cell codes (peak 1)."""
    start = torch.rand(batch) * 2 * math.pi
    turn = dt * 11.52 * torch.randn(batch, steps)
    heading = start.unsqueeze(1) + torch.cumsum(turn, dim=1)

    def encode(theta):
        return torch.exp(kappa * (torch.cos(theta.unsqueeze(-1) - preferred) - 1))

    return turn.unsqueeze(2), encode(start), encode(heading)


def main():
    args = parse_args()
    torch.set_num_threads(args.threads)
    torch.set_flush_denormal(True)
    torch.manual_seed(0)
    batch, steps = 200, 100
    if args.task == "spatial":
        n_in, n_hidden, n_out, dt, noise_std = 2, 512, 512, 0.2, 0.01
        centers = (torch.rand(n_out, 2) - 0.5) * 2.2
        make_batch = lambda: spatial_batch(batch, steps, centers, 0.2)
    else:
        n_in, n_hidden, n_out, dt, noise_std = 1, 128, 512, 0.5, 0.1
        preferred = -math.pi + 2 * math.pi * torch.arange(n_out) / n_out
        make_batch = lambda: head_direction_batch(batch, steps, preferred, 1 / (math.pi / 6) ** 2)

    cell = NoisyGru if args.model == "gru" else NoisyLeakyRnn
    model = cell(n_in, n_hidden, n_out, dt, 1.0, noise_std)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = torch.nn.MSELoss()
    step_ms, data_ms = [], []
    for step in range(args.warmup + args.steps):
        start = time.perf_counter()
        with torch.no_grad():
            inputs, init_code, targets = make_batch()
        generated = time.perf_counter()
        optimizer.zero_grad(set_to_none=True)
        loss = loss_fn(model(inputs, init_code), targets)
        loss.backward()
        optimizer.step()
        done = time.perf_counter()
        if step >= args.warmup:
            step_ms.append(1000 * (done - start))
            data_ms.append(1000 * (generated - start))
    print(json.dumps({
        "task": args.task,
        "model": args.model,
        "median_step_ms": round(statistics.median(step_ms), 2),
        "min_step_ms": round(min(step_ms), 2),
        "median_data_ms": round(statistics.median(data_ms), 2),
        "timed_steps": args.steps,
        "hidden": n_hidden, "outputs": n_out, "batch": batch, "time": steps,
        "threads": torch.get_num_threads(),
        "torch": torch.__version__,
        "final_loss": float(loss),
        "blas": blas_info(),
    }))


if __name__ == "__main__":
    main()
