#!/usr/bin/python3
"""The best-tuned PyTorch-Python peer of `galaxy-cli bench train --precision bf16`.

../shared/bench/py_reference.py's train-step (same networks, optimiser, input and timing) with
channels-last and the forward pass under torch.autocast('cpu', dtype=torch.bfloat16), as
PyTorch's documentation recommends for CPU mixed precision. Run it with glibc's malloc kept from
unmapping, as the README's benchmark table says.
Usage: py_autocast_step.py [--reference DIR] [--model small|paper] [--batch 64] [--iters 10]
                           [--threads 2] [--fp32]
"""
import argparse, os, sys, time

ap = argparse.ArgumentParser()
ap.add_argument('--reference', default=os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                                    '..', '..', '..', 'shared', 'bench'))
ap.add_argument('--model', default='small'); ap.add_argument('--batch', type=int, default=64)
ap.add_argument('--iters', type=int, default=10); ap.add_argument('--threads', type=int, default=2)
ap.add_argument('--fp32', action='store_true', help='no autocast (the channels-last fp32 peer)')
a = ap.parse_args()
sys.path.insert(0, a.reference)
import torch
import py_reference as ref

torch.set_num_threads(a.threads); torch.manual_seed(0)
net = ref.paper_resnet26() if a.model == 'paper' else ref.small_resnet()
opt = torch.optim.SGD(net.parameters(), lr=0.01, momentum=0.9, nesterov=True, weight_decay=1e-4)
x = torch.randn(a.batch, 3, 64, 64); y = torch.randint(0, 5, (a.batch,))
net = net.to(memory_format=torch.channels_last); x = x.to(memory_format=torch.channels_last)
times = []
for it in range(a.iters):
    t0 = time.perf_counter(); opt.zero_grad()
    with torch.autocast('cpu', dtype=torch.bfloat16, enabled=not a.fp32):
        logits = net(x)
    loss = torch.nn.functional.cross_entropy(logits.float(), y); loss.backward(); opt.step()
    times.append(time.perf_counter() - t0)
med = sorted(times[1:])[len(times[1:]) // 2]
print(f"train-step {a.model} {'fp32' if a.fp32 else 'bf16 autocast'}: batch {a.batch}, "
      f"threads {a.threads}, median {med:.3f} s/iter = {a.batch / med:.1f} img/s")
