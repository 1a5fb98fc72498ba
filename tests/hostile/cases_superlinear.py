"""Hostile cases for the super-linear shapes that tests/hostile/superlinear.py
found, each sized so that it failed (killed at the time cap, or over its
memory cap of 10 x the input plus a constant) before its fix."""

from gen import *  # noqa: F401,F403


# Issue 13, item 10: the old estimate took 500 MiB for these 3 million lines;
# cmark-gfm built 1 GB of nodes (galley's tree 600 MB more) and, under a cap,
# aborted the process (SIGABRT) when an allocation failed.
@case("6 MB of one-letter Markdown lines are refused before cmark-gfm parses them",
      ["p.md", "-o", "out.html"], 1,
      r"galley: p\.md: the Markdown would need about \d+ MiB to parse, over the "
      r"parse memory limit of 174 MiB \(8 times its size plus 128 MiB; "
      r"-O max-parse-memory\)", out="out.html", mem=mem_cap(6000000))
def _(d, ctx):
    write(d + "/p.md", "a\n" * 3000000)
