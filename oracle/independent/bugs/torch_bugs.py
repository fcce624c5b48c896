#!/usr/bin/python3
"""PyTorch float64 reference for bug2.yaml and bug3.yaml (independent of gradgen)."""
import torch
torch.set_default_dtype(torch.float64)
A = torch.tensor([[1., 2.], [3., 4.]])
V = torch.tensor([[0., 1.], [0., 0.]])
f = lambda A: torch.linalg.det(A.t() + torch.eye(2))
g = lambda A: torch.autograd.grad(f(A), A, create_graph=True)[0]
print('bug2 F', f(A).item())
print('bug2 grad', g(A.clone().requires_grad_(True)).detach().tolist())
print('bug2 hessvec', torch.autograd.functional.jvp(g, A, V)[1].tolist())
C = torch.tensor([[0., 1.], [0., 0.]])
F = lambda t: torch.linalg.det(A + t * C.t())
one = torch.tensor(1.)
d1 = lambda t: torch.autograd.functional.jvp(F, t, one, create_graph=True)[1]
d2 = lambda t: torch.autograd.functional.jvp(d1, t, one, create_graph=True)[1]
t = torch.tensor(0.5)
print('bug3 F', F(t).item(), 'd1', d1(t).item(), 'd2', d2(t).item())
