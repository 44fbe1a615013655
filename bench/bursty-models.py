#!/usr/bin/env python3
"""Writes a synthetic trace of many models with bursty demand, in the Alibaba GenAI trace's format, for
`yard simulate --format alibaba-genai` (issue 13, model rotation). Standard library only; seeded, so the same
arguments write the same files.

    bench/bursty-models.py OUT_DIR [--models 40] [--hours 24] [--seed 1]

Each model is off for an exponential time (mean --off minutes), then on for an exponential time (mean --on
minutes), during which its requests arrive as a Poisson process (mean gap --gap seconds), each running 5-20 s.
Beside the trace, basemodel_update_latency_anon.csv holds load times of 5-30 s (the experiment draws each model's
from it by a hash of its name, as it does from the real file).
"""
import argparse
import datetime
import os
import random


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out")
    parser.add_argument("--models", type=int, default=40)
    parser.add_argument("--hours", type=float, default=24)
    parser.add_argument("--on", type=float, default=10, help="mean burst length, minutes")
    parser.add_argument("--off", type=float, default=60, help="mean quiet time between bursts, minutes")
    parser.add_argument("--gap", type=float, default=5, help="mean gap between requests in a burst, seconds")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    span = args.hours * 3600
    start = datetime.datetime(2026, 1, 5, 0, 0, 0)
    rows = []
    for m in range(args.models):
        model = f"M{m:04d}"
        t = rng.expovariate(1 / (args.off * 60))
        while t < span:
            end = t + rng.expovariate(1 / (args.on * 60))
            while t < min(end, span):
                rows.append((t, model, rng.uniform(5, 20)))
                t += rng.expovariate(1 / args.gap)
            t = end + rng.expovariate(1 / (args.off * 60))
    rows.sort()
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "bursty_request_trace.csv"), "w") as f:
        f.write("gmt_create,predict_type,predict_status,exec_time_seconds,groupId,prompt_length,negative_prompt_length,"
                "num_images_per_prompt,num_inference_steps,checkpoint_model_version_id,num_lora\n")
        for t, model, service in rows:
            at = (start + datetime.timedelta(seconds=int(t))).strftime("%Y-%m-%d %H:%M:%S")
            f.write(f"{at},TXT_2_IMG,SUCCEED,{service:.1f},G0000,64.0,,1.0,30.0,{model},0\n")
    with open(os.path.join(args.out, "basemodel_update_latency_anon.csv"), "w") as f:
        f.write("timestamp_anon,value,container_ip\n")
        for i in range(500):
            f.write(f"{i}.0,{rng.uniform(5000, 30000):.0f},c{i}\n")
    print(f"{len(rows)} requests over {args.models} models and {args.hours:g} h in {args.out}")


if __name__ == "__main__":
    main()
