#!/usr/bin/env python3
"""Turn bench/run's raw results into markdown tables.

Usage: report.py RESULTS_DIR N [N ...]

RESULTS_DIR/N/ holds, per tool: TOOL.json (hyperfine --export-json),
TOOL.time.K (/usr/bin/time -v output of build K), TOOL.count (output files),
TOOL.version and TOOL.busy; dotwork-noop.json and dotwork-edit.json (the
rebuilds); RESULTS_DIR/peers/ the peers' configurations as run.  Stdlib only.
"""

import datetime
import json
import os
import platform
import re
import statistics
import subprocess
import sys

LABELS = {
    "dotwork": "dotwork",
    "sectioned": "dotwork, sectioned (listings of 10, feeds)",
    "bare": "dotwork, bare layout (the peers')",
    "cobalt": "Cobalt",
    "hugo": "Hugo",
    "cp": "floor: `cp -r` corpus",
    "pulldown": "floor: pulldown-cmark only",
}
ORDER = ["dotwork", "sectioned", "bare", "cobalt", "hugo", "pulldown", "cp"]


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


def time_v(path):
    """(user+sys seconds, max RSS MiB) from one `/usr/bin/time -v` report."""
    text = read(path)

    def num(label):
        m = re.search(r"^\s*" + re.escape(label) + r":\s*([0-9.]+)\s*$", text, re.M)
        if not m:
            raise SystemExit("report.py: no %r in %s" % (label, path))
        return float(m.group(1))

    cpu = num("User time (seconds)") + num("System time (seconds)")
    rss = num("Maximum resident set size (kbytes)") / 1024.0
    return cpu, rss


def load(results, n):
    d = os.path.join(results, str(n))
    rows = {}
    if not os.path.isdir(d):
        return rows
    for tool in ORDER:
        js = os.path.join(d, tool + ".json")
        if not os.path.exists(js):
            continue
        res = json.loads(read(js))["results"][0]
        times = [os.path.join(d, f) for f in sorted(os.listdir(d)) if f.startswith(tool + ".time.")]
        tv = [time_v(p) for p in times]
        rows[tool] = {
            "median": res["median"],
            "min": res["min"],
            "max": res["max"],
            "runs": len(res["times"]),
            "hcpu": res["user"] + res["system"],
            "cpu": statistics.median(c for c, _ in tv) if tv else float("nan"),
            "rss": statistics.median(r for _, r in tv) if tv else float("nan"),
            "count": read(os.path.join(d, tool + ".count")).strip(),
            "version": read(os.path.join(d, tool + ".version")).strip(),
            "busy": busy(os.path.join(d, tool + ".busy")),
        }
    return rows


def busy(path):
    """Highest share (%) of the CPU that other processes used around the timing."""
    if not os.path.exists(path):
        return None
    vals = [int(v) for v in read(path).split()]
    return max(vals) if vals else None


def fmt_s(x):
    if x < 1:
        return "%.1f ms" % (x * 1000)
    return "%.2f s" % x


def machine():
    cpu = platform.processor() or "?"
    try:
        for line in subprocess.run(["lscpu"], capture_output=True, text=True).stdout.splitlines():
            if line.startswith("Model name:"):
                cpu = line.split(":", 1)[1].strip()
    except OSError:
        pass
    mem = "?"
    try:
        kb = int(re.search(r"MemTotal:\s+(\d+)", read("/proc/meminfo")).group(1))
        mem = "%.0f GiB" % (kb / 1024 / 1024)
    except (OSError, AttributeError):
        pass
    return "%s, %d cores, %s RAM, %s" % (cpu, os.cpu_count() or 0, mem, platform.platform())


def load_rebuild(results, n, kind):
    """hyperfine figures of dotwork's rebuild KIND (noop, edit) at size N, or None."""
    js = os.path.join(results, str(n), "dotwork-%s.json" % kind)
    if not os.path.exists(js):
        return None
    res = json.loads(read(js))["results"][0]
    return {
        "median": res["median"],
        "min": res["min"],
        "max": res["max"],
        "runs": len(res["times"]),
        "hcpu": res["user"] + res["system"],
        "busy": busy(os.path.join(results, str(n), "dotwork-%s.busy" % kind)),
    }


def sig(x, unit):
    """X with three significant digits (at least one decimal) and UNIT."""
    digits = 1 if abs(x) >= 10 else (2 if abs(x) >= 1 else 3)
    return "%.*f %s" % (digits, x, unit)


def fmt_ratio(x):
    return "%.2f×" % x


def flat(r):
    """Whether a per-page ratio between two sizes is flat within 15%."""
    return "flat" if 0.85 <= r <= 1.15 else ("grows" if r > 1 else "falls")


def per_page_table(w, data, sizes, tools, title, value, unit, note):
    """One table: VALUE(row) / N per tool and size, then its ratio between each size and the next."""
    measured = [n for n in sizes if data[n]]
    pairs = list(zip(measured, measured[1:]))
    w("")
    w("### " + title)
    w("")
    w("| tool | " + " | ".join("%s pages" % format(n, ",") for n in measured)
      + "".join(" | %s → %s" % (format(a, ","), format(b, ",")) for a, b in pairs) + " |")
    w("|---|" + "---:|" * (len(measured) + len(pairs)))
    for tool in tools:
        cells, per = [], {}
        for n in measured:
            r = data[n].get(tool)
            v = value(r) if r else None
            if v is None or v != v:
                cells.append("n/a")
            else:
                per[n] = v / n
                cells.append(unit(per[n]))
        for a, b in pairs:
            if a in per and b in per and per[a] > 0:
                q = per[b] / per[a]
                cells.append("%s (%s)" % (fmt_ratio(q), flat(q)))
            else:
                cells.append("n/a")
        if any(c != "n/a" for c in cells):
            w("| %s | %s |" % (LABELS[tool], " | ".join(cells)))
    w("")
    w(note)


def main():
    if len(sys.argv) < 3:
        raise SystemExit(__doc__)
    results, sizes = sys.argv[1], [int(a) for a in sys.argv[2:]]
    data = {n: load(results, n) for n in sizes}
    rebuild = {n: {k: load_rebuild(results, n, k) for k in ("noop", "edit")} for n in sizes}
    when = {}
    for n in sizes:
        f = os.path.join(results, str(n), "when")
        when[n] = read(f).strip() if os.path.exists(f) else "?"
    out = []
    w = out.append
    w("# dotwork build benchmark: latest results")
    w("")
    w("Generated by `bench/run` (report of %s pages) on %s UTC; each size measured at: %s." % (
        ", ".join(format(n, ",") for n in sizes),
        datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M"),
        "; ".join("%s: %s" % (format(n, ","), when[n]) for n in sizes)))
    w("")
    w("Machine: %s. Corpus and outputs on tmpfs." % machine())
    if os.environ.get("BENCH_NOTE"):
        w("")
        w("**Note:** " + os.environ["BENCH_NOTE"])
    w("")
    versions = {}
    for n in sizes:
        for tool, r in data[n].items():
            versions.setdefault(tool, r["version"])
    if versions:
        w("Versions: " + "; ".join("%s: %s" % (LABELS[t], versions[t]) for t in ORDER if t in versions) + ".")
        w("")
    w("**Every peer does the least work that makes the same pages** (configurations at the end): "
      "Cobalt and Hugo render each markdown page through one bare layout (title, description, a "
      "five-link menu, the content, a footer) with every optional output off; Cobalt with "
      "`templated: false`, so it does not run each page through Liquid before the markdown, as it "
      "does by default. dotwork renders its full clinic theme (header, menus, footer with the "
      "clinic's details, table of contents, JSON-LD), checks every internal link and copies the "
      "theme's and the site's static files: it does more work per page than either peer. "
      "Each Rust tool is compiled as its users get it: Cobalt by `cargo install` with its own "
      "release profile (`lto = true`, `codegen-units = 1`), dotwork with the `dist` profile its "
      "releases are built with (`lto = \"fat\"`, `codegen-units = 1`); Hugo is the release binary.")
    w("")
    w("Wall = median of the hyperfine runs of a cold build into an empty output folder. "
      "CPU = user+sys: the hyperfine mean, and the median of the separate `/usr/bin/time -v` builds "
      "(3 up to 10,000 pages, 1 above; 10 ms resolution); cores = hyperfine CPU / median wall. "
      "Peak RSS = median max resident set of those `/usr/bin/time -v` builds. "
      "Ratios: the tool's figure ÷ dotwork's (above 1 = the tool takes more than dotwork).")
    for n in sizes:
        rows = data[n]
        w("")
        w("## %s pages" % format(n, ","))
        w("")
        if not rows:
            w("(no results)")
            continue
        base = rows.get("dotwork")
        w("| tool | files out | median wall | min–max wall | runs | CPU (hyperfine) | CPU (time -v) | cores "
          "| peak RSS | wall ÷ dotwork | CPU ÷ dotwork |")
        w("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        for tool in ORDER:
            if tool not in rows:
                continue
            r = rows[tool]
            ratio = fmt_ratio(r["median"] / base["median"]) if base else "n/a"
            cratio = fmt_ratio(r["hcpu"] / base["hcpu"]) if base else "n/a"
            w("| %s | %s | %s | %s–%s | %d | %s | %s | %.2f | %.1f MiB | %s | %s |" % (
                LABELS[tool], r["count"], fmt_s(r["median"]), fmt_s(r["min"]), fmt_s(r["max"]),
                r["runs"], fmt_s(r["hcpu"]), fmt_s(r["cpu"]) if r["cpu"] > 0 else "<10 ms",
                r["hcpu"] / r["median"], r["rss"], ratio, cratio))
        w("")
        noisy = ["%s (%d%%)" % (LABELS[t], rows[t]["busy"]) for t in ORDER
                 if t in rows and rows[t]["busy"] is not None and rows[t]["busy"] > 10]
        for k in ("noop", "edit"):
            rb = rebuild[n][k]
            if rb and rb["busy"] is not None and rb["busy"] > 10:
                noisy.append("dotwork rebuild, %s (%d%%)" % (k, rb["busy"]))
        if noisy:
            pf = os.path.join(results, str(n), "priority")
            prio = os.path.exists(pf) and read(pf).strip() == "1"
            w("- **Noisy:** other processes used over 10%% of the CPU just before or after timing: %s. %s"
              "Rerun on a quiet machine before trusting small differences." % (
                  ", ".join(noisy),
                  "The builds ran ahead of them (nice -20), but still shared caches and memory bandwidth. "
                  if prio else ""))
        if base:
            for peer in ("cobalt", "hugo"):
                if peer in rows:
                    p = rows[peer]
                    w("- dotwork ÷ %s: **%.2f× the wall time** (%s vs %s), **%.2f× the CPU** (%s vs %s), "
                      "%.2f× the peak memory (%.1f vs %.1f MiB)." % (
                          LABELS[peer], base["median"] / p["median"], fmt_s(base["median"]), fmt_s(p["median"]),
                          base["hcpu"] / p["hcpu"], fmt_s(base["hcpu"]), fmt_s(p["hcpu"]),
                          base["rss"] / p["rss"], base["rss"], p["rss"]))
            if "sectioned" in rows:
                w("- dotwork's sectioned variant takes **%.2f×** the plain variant's wall time "
                  "(%s vs %s) and %.2f× its CPU (%s vs %s)." % (
                      rows["sectioned"]["median"] / base["median"], fmt_s(rows["sectioned"]["median"]),
                      fmt_s(base["median"]), rows["sectioned"]["hcpu"] / base["hcpu"],
                      fmt_s(rows["sectioned"]["hcpu"]), fmt_s(base["hcpu"])))
            if "bare" in rows and "cobalt" in rows:
                b, p = rows["bare"], rows["cobalt"]
                w("- The same pages as Cobalt's (dotwork's bare variant, through the peers' layout) ÷ Cobalt: "
                  "**%.2f× the wall time** (%s vs %s), **%.2f× the CPU** (%s vs %s), %.2f× the peak memory "
                  "(%.1f vs %.1f MiB). With the clinic theme dotwork takes %.2f× the bare layout's CPU." % (
                      b["median"] / p["median"], fmt_s(b["median"]), fmt_s(p["median"]),
                      b["hcpu"] / p["hcpu"], fmt_s(b["hcpu"]), fmt_s(p["hcpu"]),
                      b["rss"] / p["rss"], b["rss"], p["rss"], base["hcpu"] / b["hcpu"]))
            if "pulldown" in rows and "cp" in rows:
                fw = rows["cp"]["median"] + rows["pulldown"]["median"]
                fc = rows["cp"]["hcpu"] + rows["pulldown"]["hcpu"]
                w("- Floor = `cp -r` + pulldown-cmark: %s wall (%s + %s), %s CPU. dotwork ÷ floor: "
                  "**%.2f× in wall time**, %.2f× in CPU (target: at most 2×)." % (
                      fmt_s(fw), fmt_s(rows["cp"]["median"]), fmt_s(rows["pulldown"]["median"]),
                      fmt_s(fc), base["median"] / fw, base["hcpu"] / fc))
            elif "pulldown" in rows:
                w("- dotwork takes %.2f× the pulldown-cmark-only floor." % (base["median"] / rows["pulldown"]["median"]))
        else:
            w("- dotwork was not measured at this size.")

    # ------------------------------------------------------------ summary
    both = [n for n in sizes if "dotwork" in data[n]]
    if both:
        w("")
        w("## Summary: dotwork against Cobalt and the floor")
        w("")
        w("Floor = `cp -r` of the corpus + pulldown-cmark rendering it (both as measured above; "
          "their writes overlap, so the sum is a generous floor). Targets of issue 16 at 10,000 pages: "
          "wall ≤ 0.5× Cobalt's, CPU ≤ 1× Cobalt's, peak RSS below Cobalt's, wall ≤ 2× the floor.")
        w("")
        w("| pages | dotwork wall | dotwork CPU | dotwork RSS | Cobalt wall | Cobalt CPU | Cobalt RSS "
          "| wall ÷ Cobalt | CPU ÷ Cobalt | RSS ÷ Cobalt | floor wall | wall ÷ floor | CPU ÷ floor CPU |")
        w("|---:|" + "---:|" * 12)
        for n in both:
            r = data[n]
            d, c = r["dotwork"], r.get("cobalt")
            cells = [format(n, ","), fmt_s(d["median"]), fmt_s(d["hcpu"]), "%.0f MiB" % d["rss"]]
            if c:
                cells += [fmt_s(c["median"]), fmt_s(c["hcpu"]), "%.0f MiB" % c["rss"],
                          fmt_ratio(d["median"] / c["median"]), fmt_ratio(d["hcpu"] / c["hcpu"]),
                          fmt_ratio(d["rss"] / c["rss"])]
            else:
                cells += ["n/a"] * 6
            if "cp" in r and "pulldown" in r:
                fw = r["cp"]["median"] + r["pulldown"]["median"]
                fc = r["cp"]["hcpu"] + r["pulldown"]["hcpu"]
                cells += [fmt_s(fw), fmt_ratio(d["median"] / fw), fmt_ratio(d["hcpu"] / fc)]
            else:
                cells += ["n/a"] * 3
            w("| " + " | ".join(cells) + " |")

    # ------------------------------------------------------------ rebuilds
    rb_sizes = [n for n in sizes if rebuild[n]["noop"] and "dotwork" in data[n]]
    if rb_sizes:
        w("")
        w("## Rebuilds into the existing output")
        w("")
        w("`dotwork build` run again into the output of the previous build (a real rebuild: it surveys "
          "the old output, writes the new site into the output before last (which it keeps in its cache) "
          "or, the first time, into a new folder, swaps it with the old output atomically and keeps the old "
          "one for the next rebuild). *Nothing changed*: the same command again. *One page edited*: before each timed run "
          "(untimed) one page's text is changed (a last paragraph with a new number; the rebuilt output "
          "is checked for it). Ratios are to the cold build's median wall and CPU above. Issue 16's "
          "targets at 10,000 pages: nothing changed ≤ 10% of a cold build, one page edited ≤ 15%.")
        w("")
        w("| pages | cold wall | nothing changed: wall | ÷ cold | CPU | ÷ cold CPU "
          "| one page edited: wall | ÷ cold | CPU | ÷ cold CPU | runs |")
        w("|---:|" + "---:|" * 10)
        for n in rb_sizes:
            cold = data[n]["dotwork"]
            cells = [format(n, ","), fmt_s(cold["median"])]
            runs = []
            for k in ("noop", "edit"):
                rb = rebuild[n][k]
                if rb:
                    cells += [fmt_s(rb["median"]), "**%.0f%%**" % (100 * rb["median"] / cold["median"]),
                              fmt_s(rb["hcpu"]), "%.0f%%" % (100 * rb["hcpu"] / cold["hcpu"])]
                    runs.append(str(rb["runs"]))
                else:
                    cells += ["n/a"] * 4
            w("| " + " | ".join(cells) + " | %s |" % "/".join(runs))

    # ------------------------------------------------------------ scaling
    measured = [n for n in sizes if data[n]]
    if len(measured) > 1:
        w("")
        w("## Scaling: time and memory per page")
        w("")
        w("Each figure divided by the page count, and its ratio from one size to the next "
          "(1.00× = the same cost per page; issue 16's target from 1,000 to 100,000 pages: flat "
          "within 15%, i.e. 0.85× to 1.15×). Below 1,000 pages process start-up dominates.")
        tools = [t for t in ORDER if any(t in data[n] for n in measured)]
        per_page_table(w, data, measured, tools, "Wall time per page", lambda r: r["median"],
                       lambda x: sig(x * 1e6, "µs"),
                       "Median wall ÷ pages.")
        per_page_table(w, data, measured, tools, "CPU time per page", lambda r: r["hcpu"],
                       lambda x: sig(x * 1e6, "µs"),
                       "CPU (user+sys, hyperfine mean) ÷ pages.")
        per_page_table(w, data, measured, tools, "Peak memory per page", lambda r: r["rss"],
                       lambda x: sig(x * 1024, "KiB"),
                       "Peak RSS ÷ pages. This includes each tool's fixed base (binary, theme, "
                       "thread stacks), so it falls with size when memory grows more slowly than "
                       "the page count.")
        w("")
        w("### Peak memory and its growth")
        w("")
        pairs = list(zip(measured, measured[1:]))
        w("| tool | " + " | ".join("%s pages" % format(n, ",") for n in measured)
          + "".join(" | MiB per 1,000 pages, %s → %s" % (format(a, ","), format(b, ",")) for a, b in pairs) + " |")
        w("|---|" + "---:|" * (len(measured) + len(pairs)))
        for tool in tools:
            cells = ["%.1f MiB" % data[n][tool]["rss"] if tool in data[n] else "n/a" for n in measured]
            for a, b in pairs:
                if tool in data[a] and tool in data[b]:
                    cells.append("%.2f" % ((data[b][tool]["rss"] - data[a][tool]["rss"]) / (b - a) * 1000))
                else:
                    cells.append("n/a")
            w("| %s | %s |" % (LABELS[tool], " | ".join(cells)))
        w("")
        w("MiB per 1,000 pages = the growth of peak RSS between two sizes ÷ the pages added: "
          "what each further 1,000 pages cost in memory.")

    # ------------------------------------------------------------ configurations
    peers = os.path.join(results, "peers")
    w("")
    w("## Configurations")
    w("")
    w("- **dotwork**: the repository's `site.yaml` with `base_url: \"https://www.bench-clinic.org/\"` "
      "(dotwork makes no feed for example addresses) and one language (`language: \"en-GB\"`: the "
      "corpus has no translations), the full `themes/clinic`, the 250 images the pages show in "
      "`static/images/`; corpus `gen-corpus.py N content --flavor dotwork` (adds a home page).")
    w("- **dotwork, sectioned**: the same site with an `_index.md` (`paginate_by: 10`, `feed: true`) "
      "in every folder that holds pages.")
    w("- **dotwork, bare layout**: the same site and pages through a theme of one layout, the peers' "
      "(title, description, a five-link menu, the content, a footer), instead of the clinic theme "
      "(its files below). Its four `@folder@` links are set to the first "
      "page of that folder, since dotwork checks every link; the home and 404 pages include the layout. "
      "dotwork still does what it does on every page with any theme: heading anchors, the link and "
      "alt-text check, the Content-Security-Policy `<meta>`, the sitemap and the static files.")
    w("- **floors**: `cp -r content OUT`; `bench/pulldown-floor CONTENT OUT` (skips the front matter, "
      "renders with dotwork's markdown options on all cores, writes `OUT/<path>/index.html`; no "
      "template, links or TOC).")
    for tool, label, corpus in (
            ("dotwork-bare", "dotwork, bare layout", "the plain site's content, static files and "
             "`site.yaml` with `theme: \"bare\"`; run as `dotwork build --root SITE --output OUT`"),
            ("cobalt", "Cobalt", "pages at the site root, `gen-corpus.py N . --flavor cobalt`; "
             "run as `cobalt build --config _cobalt.yml --destination OUT --quiet`"),
            ("hugo", "Hugo", "`gen-corpus.py N content --flavor yaml`; run as `hugo --source SITE "
             "--destination OUT --quiet --noBuildLock --cacheDir CACHE`")):
        d = os.path.join(peers, tool)
        if not os.path.isdir(d):
            continue
        w("- **%s** (%s); its files, verbatim (`bench/peers/%s/`):" % (label, corpus, tool))
        for root, _, files in sorted(os.walk(d)):
            for f in sorted(files):
                path = os.path.join(root, f)
                rel = os.path.relpath(path, d)
                lang = {"yml": "yaml", "toml": "toml", "html": "html", "liquid": "liquid"}.get(
                    f.rsplit(".", 1)[-1], "")
                w("")
                w("  `%s`:" % rel)
                w("")
                w("  ```%s" % lang)
                for line in read(path).rstrip("\n").split("\n"):
                    w(("  " + line).rstrip())
                w("  ```")
        w("")
    print("\n".join(out))


if __name__ == "__main__":
    main()
