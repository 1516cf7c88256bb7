#!/usr/bin/env python3
"""Renders the CPU samples of a JFR recording as an SVG flame graph (no dependencies).

  jfr print --stack-depth 128 --events jdk.ExecutionSample recording.jfr > samples.txt   # JFR prints 5 frames unless told
  scripts/jfr-flamegraph.py samples.txt "title" > flame.svg

It also prints, on stderr, the share of samples by the innermost frame that belongs to orderflow or
a library (JDK and Scala frames are charged to the code that called them).

Each box is a method; its width is the share of samples in which it was on the stack, children
stacked on their caller. Colours group frames by origin (orderflow, Pekko, Jackson, JDBC, NATS...).
"""
import html
import re
import sys

FRAME = re.compile(r'^\s+([\w.$<>\[\]/]+)\(')
GROUPS = [
    ("io.orderflow", "#e4572e"), ("org.apache.pekko.http", "#76b041"), ("org.apache.pekko.persistence", "#2e86ab"),
    ("org.apache.pekko.projection", "#2e86ab"), ("org.apache.pekko.cluster", "#5fa8d3"), ("org.apache.pekko.stream", "#8fc93a"),
    ("org.apache.pekko", "#a3c4bc"), ("com.fasterxml", "#f4a259"), ("io.nats", "#9b5de5"), ("org.postgresql", "#3d5a80"),
    ("slick", "#98c1d9"), ("com.zaxxer", "#98c1d9"), ("scala", "#c9ada7"), ("io.micrometer", "#f15bb5"),
    ("ch.qos.logback", "#fee440"), ("org.slf4j", "#fee440"), ("java", "#d9d9d9"), ("jdk", "#d9d9d9"), ("sun", "#d9d9d9"),
]


def colour(frame):
    for prefix, c in GROUPS:
        if frame.startswith(prefix):
            return c
    return "#bbbbbb"


def stacks(path):
    current = []
    for line in open(path, encoding="utf-8"):
        if line.startswith("jdk.ExecutionSample"):
            if current:
                yield current
            current = []
        else:
            m = FRAME.match(line)
            if m:
                current.append(m.group(1))
    if current:
        yield current


def main():
    path, title = sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else "CPU samples"
    tree = {"n": 0, "c": {}}
    total = 0
    for frames in stacks(path):
        total += 1
        node = tree
        node["n"] += 1
        for f in reversed(frames):  # root first
            node = node["c"].setdefault(f, {"n": 0, "c": {}})
            node["n"] += 1
    width, row = 1200.0, 16
    depth = [0]

    def measure(node, d):
        depth[0] = max(depth[0], d)
        for child in node["c"].values():
            measure(child, d + 1)
    measure(tree, 0)
    height = (depth[0] + 3) * row
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{int(width)}" height="{height}" font-family="monospace" font-size="11">',
           f'<rect width="100%" height="100%" fill="#ffffff"/>',
           f'<text x="6" y="14" font-size="13">{html.escape(title)} ({total} samples)</text>']

    def draw(name, node, x, d):
        w = width * node["n"] / max(total, 1)
        if w < 1.5:  # too narrow to see or to label
            return
        y = height - (d + 1) * row
        share = 100.0 * node["n"] / max(total, 1)
        label = html.escape(name)
        out.append(f'<g><title>{label} ({node["n"]} samples, {share:.1f}%)</title>'
                   f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="{row - 1}" fill="{colour(name)}" rx="2"/>')
        chars = int(w / 6.6)
        if chars > 3:
            short = name if len(name) <= chars else ".." + name[-(chars - 2):]
            out.append(f'<text x="{x + 3:.1f}" y="{y + row - 4}">{html.escape(short)}</text>')
        out.append('</g>')
        cx = x
        for child_name, child in sorted(node["c"].items(), key=lambda kv: -kv[1]["n"]):
            draw(child_name, child, cx, d + 1)
            cx += width * child["n"] / max(total, 1)

    cx = 0.0
    for name, child in sorted(tree["c"].items(), key=lambda kv: -kv[1]["n"]):
        draw(name, child, cx, 1)
        cx += width * child["n"] / max(total, 1)
    out.append('</svg>')
    print("\n".join(out))
    # On stderr: the share of samples whose innermost frame of ours or a library's is in each group.
    shares = {}
    for frames in stacks(path):
        leaf = next((f for f in frames if colour(f) not in ("#d9d9d9", "#c9ada7", "#bbbbbb")), frames[0] if frames else "?")
        group = next((prefix for prefix, _ in GROUPS if leaf.startswith(prefix)), "other")
        shares[group] = shares.get(group, 0) + 1
    for group, n in sorted(shares.items(), key=lambda kv: -kv[1]):
        print(f"{100.0 * n / max(total, 1):5.1f}%  {group}", file=sys.stderr)


if __name__ == "__main__":
    main()
