#!/usr/bin/env python3
# Reference for the README: times a dense VGG-mini training step and a KD step (dense teacher fwd + dense student step) in PyTorch, batch 64, 2 threads.
# Run: /usr/bin/python3 samples/train/time_training_step.py   (Debian python3-torch; prints medians of 10 rounds of 5 steps)
import time, torch, torch.nn as nn, torch.nn.functional as F
torch.set_num_threads(2); torch.manual_seed(0)
def vgg():
    return nn.Sequential(nn.Conv2d(1,32,3,padding=1), nn.ReLU(), nn.Conv2d(32,64,3,padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(64,128,3,padding=1), nn.ReLU(), nn.Conv2d(128,128,3,padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
        nn.Linear(6272,512), nn.ReLU(), nn.Linear(512,512), nn.ReLU(), nn.Linear(512,10))
student, teacher = vgg(), vgg()
opt = torch.optim.Adam(student.parameters(), 1e-4)
x = torch.rand(64,1,28,28); y = torch.randint(0,10,(64,))
def dense():
    opt.zero_grad(); loss = F.cross_entropy(student(x), y); loss.backward(); opt.step(); loss.item()
def kd():
    with torch.no_grad(): t = teacher(x)
    s = student(x); loss = (F.softmax(t/4,1)*(F.log_softmax(t/4,1)-F.log_softmax(s/4,1))).sum(1).mean()*16
    opt.zero_grad(); loss.backward(); opt.step(); loss.item()
for f in (dense, kd):
    for _ in range(5): f()
d, k = [], []
for _ in range(10):
    t0 = time.perf_counter(); [dense() for _ in range(5)]; d.append((time.perf_counter()-t0)/5*1000)
    t0 = time.perf_counter(); [kd() for _ in range(5)]; k.append((time.perf_counter()-t0)/5*1000)
d.sort(); k.sort()
print(f"PyTorch {torch.__version__}: dense step {d[5]:.1f} ms, KD step (teacher fwd + dense student) {k[5]:.1f} ms, ratio {k[5]/d[5]:.2f}x")
