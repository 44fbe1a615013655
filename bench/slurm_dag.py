#!/usr/bin/env python3
"""The DAG of the Slurm benchmark (bench/slurm-dag.sh), for both of its sides.

Shape: LAYERS layers of WIDTH steps; step i of layer l (l > 0) needs steps i and (i + 1) % WIDTH of layer
l - 1 (NEEDS of them in general: i, i+1, ..., modulo WIDTH), so every step but the first layer's has NEEDS
parents and every layer waits for the one before. Each step runs `sleep SLEEP` with 1 CPU and MEMORY MiB.
Defaults: 20 layers x 10 steps = 200 steps, 2 needs, sleep 0.2, 64 MiB.

  slurm_dag.py tsv   [options]   one step a line: id<TAB>needs (comma-separated, or -)<TAB>command
  slurm_dag.py yard  [options]   the same graph as a Yardmaster pipeline (executor: slurm)
"""
import argparse
import sys


def steps(layers, width, needs):
    for layer in range(layers):
        for i in range(width):
            parents = [] if layer == 0 else [f"l{layer - 1:02d}s{(i + k) % width:02d}" for k in range(needs)]
            yield f"l{layer:02d}s{i:02d}", sorted(set(parents))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("format", choices=["tsv", "yard"])
    parser.add_argument("--layers", type=int, default=20)
    parser.add_argument("--width", type=int, default=10)
    parser.add_argument("--needs", type=int, default=2)
    parser.add_argument("--sleep", default="0.2")
    parser.add_argument("--memory-mib", type=int, default=64)
    args = parser.parse_args()
    if args.needs > args.width:
        parser.error("--needs cannot exceed --width")
    command = f"sleep {args.sleep}"
    out = sys.stdout
    if args.format == "tsv":
        for step, parents in steps(args.layers, args.width, args.needs):
            out.write(f"{step}\t{','.join(parents) or '-'}\t{command}\n")
        return
    out.write(f"name: slurm-dag-{args.layers}x{args.width}\n")
    out.write("executor: slurm\n")
    out.write("steps:\n")
    for step, parents in steps(args.layers, args.width, args.needs):
        out.write(f"  - id: {step}\n")
        if parents:
            out.write(f"    needs: [{', '.join(parents)}]\n")
        out.write(f"    run: {command}\n")
        out.write(f"    resources: {{ cpu: 1, memory: {args.memory_mib}MiB }}\n")


if __name__ == "__main__":
    main()
