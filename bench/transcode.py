#!/usr/bin/env python
"""Transcode benchmark: the pipeline against hand-written ffmpeg on the same machine, same session.

    .venv/bin/python bench/transcode.py [--runs 3] [--seconds 60] [--preset veryfast]

On a generated 1280x720 clip (bench/.work/, git-ignored) it times, in interleaved rounds:

  pipeline    elearn.video.transcode.transcode(): loudness pass, one ffmpeg for the whole ladder,
              ffprobe checks, master playlist, poster, stream-copied MP4
  hand        the equivalent hand-written single ffmpeg command producing the same ladder
              (loudness measured once beforehand and pasted in, as a person would)
  per-rung    one ffmpeg process per rung (and one for the audio-only rendition), one after another

and prints medians of wall time and of CPU time (this process plus its ffmpeg children), the
ratios and the realtime factor. CPU time hardly moves when other work shares the machine; wall
time does. Goal: pipeline <= 1.10x hand, and faster than per-rung. Timings are never a pass/fail
test; see docs/benchmarks.md for results.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from elearn.video.probe import probe  # noqa: E402
from elearn.video.transcode import plan_ladder, transcode  # noqa: E402

WORK = ROOT / "bench" / ".work"
QUIET = ["ffmpeg", "-hide_banner", "-nostdin", "-nostats", "-loglevel", "error", "-y"]


def make_source(seconds: int) -> Path:
    """A 1280x720 30 fps clip with moving detail and a tone whose level changes, as a phone might give."""
    path = WORK / f"source-{seconds}s.mp4"
    if not path.exists():
        WORK.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(".tmp-" + path.name)
        subprocess.run([*QUIET, "-f", "lavfi", "-i", f"testsrc2=s=1280x720:r=30:d={seconds}",
                        "-f", "lavfi", "-i", f"aevalsrc=exprs=0.2*sin(2*PI*220*t)*(0.6+0.4*sin(t))|"
                                             f"0.2*sin(2*PI*330*t)*(0.6+0.4*cos(t)):s=44100:d={seconds}",
                        "-c:v", "libx264", "-preset", "veryfast", "-crf", "20", "-pix_fmt", "yuv420p",
                        "-c:a", "aac", "-b:a", "128k", str(tmp)], check=True)
        os.replace(tmp, path)
    return path


def encoder(maxrate: int, preset: str) -> list[str]:
    return ["-c:v", "libx264", "-preset", preset, "-profile:v", "high", "-x264-params", "8x8dct=1",
            "-pix_fmt", "yuv420p", "-crf", "23", "-maxrate", f"{maxrate}k", "-bufsize", f"{maxrate * 2}k",
            "-g", "60", "-keyint_min", "60", "-sc_threshold", "0", "-force_key_frames", "expr:gte(t,n_forced*2)"]


def hls(out: Path, name: str, audio_kbps: int) -> list[str]:
    (out / name).mkdir(parents=True, exist_ok=True)
    return ["-c:a", "aac", "-b:a", f"{audio_kbps}k", "-ac", "2", "-ar", "48000", "-map_metadata", "-1",
            "-f", "hls", "-hls_time", "6", "-hls_playlist_type", "vod", "-hls_list_size", "0",
            "-hls_flags", "independent_segments", "-hls_segment_filename", str(out / name / "seg_%05d.ts"),
            str(out / name / "index.m3u8")]


# What a person would type for a 1280x720 30 fps source: rung sizes and bit rates as the pipeline picks.
RUNGS = [("v360", "640:360", 883, 96), ("v540", "960:540", 1623, 128), ("v720", "1280:720", 2500, 128)]
AUDIO = "aformat=channel_layouts=stereo,loudnorm=I=-16:TP=-1.5:LRA=11:{measured}:linear=true," \
        "aresample=48000,aformat=sample_fmts=fltp:sample_rates=48000:channel_layouts=stereo"


def measure_loudness(src: Path) -> str:
    """loudnorm's first pass, run once before timing; its figures are pasted into the commands."""
    done = subprocess.run(["ffmpeg", "-hide_banner", "-nostdin", "-i", str(src), "-map", "0:1", "-af",
                           "aformat=channel_layouts=stereo,loudnorm=I=-16:TP=-1.5:LRA=11:print_format=json",
                           "-f", "null", "-"], capture_output=True, text=True, check=True)
    data = json.loads(done.stderr[done.stderr.rindex("{"):done.stderr.rindex("}") + 1])
    return (f"measured_I={data['input_i']}:measured_TP={data['input_tp']}:measured_LRA={data['input_lra']}:"
            f"measured_thresh={data['input_thresh']}:offset={data['target_offset']}")


def hand_command(src: Path, out: Path, measured: str, preset: str) -> list[list[str]]:
    graph = ("[0:0]fps=fps=30,split=3[s0][s1][s2];"
             + "".join(f"[s{i}]scale={size},setsar=1,format=yuv420p[{name}];" for i, (name, size, _, _) in
                       enumerate(RUNGS))
             + f"[0:1]{AUDIO.format(measured=measured)},asplit=4[a0][a1][a2][a3]")
    cmd = [*QUIET, "-i", str(src), "-filter_complex", graph]
    for i, (name, _, maxrate, audio_kbps) in enumerate(RUNGS):
        cmd += ["-map", f"[{name}]", "-map", f"[a{i}]", *encoder(maxrate, preset), *hls(out, name, audio_kbps)]
    cmd += ["-map", "[a3]", *hls(out, "audio", 64)]
    return [cmd]


def per_rung_commands(src: Path, out: Path, measured: str, preset: str) -> list[list[str]]:
    audio = AUDIO.format(measured=measured)
    cmds = [[*QUIET, "-i", str(src), "-filter_complex", f"[0:0]fps=fps=30,scale={size},setsar=1,format=yuv420p[v];"
             f"[0:1]{audio}[a]", "-map", "[v]", "-map", "[a]", *encoder(maxrate, preset), *hls(out, name, kbps)]
            for name, size, maxrate, kbps in RUNGS]
    cmds.append([*QUIET, "-i", str(src), "-filter_complex", f"[0:1]{audio}[a]", "-map", "[a]",
                 *hls(out, "audio", 64)])
    return cmds


def timed(fn) -> tuple[float, float]:
    """(wall seconds, CPU seconds of this process and its ffmpeg children)."""
    def cpu() -> float:
        own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
        return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime

    start, start_cpu = time.perf_counter(), cpu()
    fn()
    return time.perf_counter() - start, cpu() - start_cpu


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--preset", default="veryfast")
    args = parser.parse_args()

    src = make_source(args.seconds)
    info = probe(src)
    assert [(r.name, f"{r.width}:{r.height}", r.maxrate_kbps, r.audio_kbps) for r in plan_ladder(info)] == RUNGS, \
        "the hand-written command no longer matches the pipeline's ladder; update RUNGS"
    measured = measure_loudness(src)

    def fresh(name: str) -> Path:
        out = WORK / name
        shutil.rmtree(out, ignore_errors=True)
        out.mkdir(parents=True)
        return out

    variants = {
        "pipeline": lambda: transcode(src, fresh("pipeline") / "asset", info, preset=args.preset),
        "hand": lambda: [subprocess.run(c, check=True) for c in hand_command(src, fresh("hand"), measured,
                                                                             args.preset)],
        "per-rung": lambda: [subprocess.run(c, check=True) for c in per_rung_commands(src, fresh("per-rung"),
                                                                                      measured, args.preset)],
    }
    times: dict[str, list[tuple[float, float]]] = {name: [] for name in variants}
    load_before = os.getloadavg()
    for round_no in range(args.runs):
        order = list(variants)[round_no % 3:] + list(variants)[:round_no % 3]  # rotate to spread drift
        for name in order:
            times[name].append(timed(variants[name]))
            wall, cpu = times[name][-1]
            print(f"round {round_no + 1} {name:9s} {wall:7.2f} s wall {cpu:7.2f} s CPU", flush=True)
    load_after = os.getloadavg()

    wall = {name: statistics.median(w for w, _ in values) for name, values in times.items()}
    cpu = {name: statistics.median(c for _, c in values) for name, values in times.items()}
    version = subprocess.run(["ffmpeg", "-version"], capture_output=True, text=True).stdout.split("\n")[0]
    print(f"\nmachine: {platform.node()} {platform.machine()}, {os.cpu_count()} CPUs, {version}")
    print(f"load average (1 min) before/after: {load_before[0]:.1f} / {load_after[0]:.1f}")
    print(f"clip: {args.seconds} s 1280x720 30 fps, preset {args.preset}, {args.runs} runs each, medians")
    for name, values in times.items():
        print(f"{name:9s} wall {wall[name]:7.2f} s  CPU {cpu[name]:7.2f} s   "
              f"(wall runs {', '.join(f'{w:.2f}' for w, _ in values)})")
    # Other work on a shared machine only ever adds time, so the fastest run is shown beside the median.
    fastest = {name: min(w for w, _ in values) for name, values in times.items()}
    for label, med in (("wall median", wall), ("wall fastest", fastest), ("CPU median", cpu)):
        print(f"{label:12s} pipeline / hand     = {med['pipeline'] / med['hand']:.3f}  (goal <= 1.10)")
        print(f"{label:12s} pipeline / per-rung = {med['pipeline'] / med['per-rung']:.3f}  (goal < 1)")
    print(f"realtime factor           = {args.seconds / wall['pipeline']:.2f}x  (seconds of video per wall second)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
