#!/usr/bin/env python3
"""PyTorch side of the Sudoku conv-baseline comparison (docs/benchmarks.md, "Sudoku").

Times forward + backward + Adam step of OptNet's Conv model (10 convolutions 3x3 of 512 channels, padding 1,
ReLU, a 3x3 convolution to 4 channels, softmax over the digits, MSE) on one batch of 150 random boards, the
shape of the sample's `baseline` command. Prints wall and process-CPU ms per batch.

  sudoku_conv_peer.py THREADS BATCHES        e.g. /usr/bin/python3 sudoku_conv_peer.py 1 10
"""
import sys
import time

import torch


def main():
    threads, batches = int(sys.argv[1]), int(sys.argv[2])
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    layers, channels = [], 4
    for _ in range(10):
        layers += [torch.nn.Conv2d(channels, 512, 3, padding=1), torch.nn.ReLU()]
        channels = 512
    layers.append(torch.nn.Conv2d(512, 4, 3, padding=1))
    net = torch.nn.Sequential(*layers)
    optimizer = torch.optim.Adam(net.parameters(), 1e-3)
    x, y = torch.rand(150, 4, 4, 4), torch.rand(150, 4, 4, 4)
    print("torch", torch.__version__, "threads", torch.get_num_threads(), "mkldnn", torch.backends.mkldnn.is_available())
    for run in range(batches + 1):
        cpu, wall = time.process_time(), time.time()
        optimizer.zero_grad()
        loss = torch.nn.functional.mse_loss(torch.softmax(net(x), -1), y)
        loss.backward()
        optimizer.step()
        if run > 0:  # the first batch warms up
            print("batch wall %.0f ms cpu %.0f ms" % ((time.time() - wall) * 1e3, (time.process_time() - cpu) * 1e3))


if __name__ == "__main__":
    main()
