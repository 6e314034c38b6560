#!/usr/bin/env python3
"""scripts/profile-make's split: async-profiler collapsed stacks (CPU samples) by what the code was doing: each sample goes to
the leaf-most frame of a known library (JDK and native frames belong to their caller); samples with no
Java frame at all are the JVM's own threads (GC, JIT)."""
import sys, re, collections
CATEGORIES = [
    ("JWT (jose4j, smallrye-jwt, RSA)", re.compile(r"^(org\.jose4j|io\.smallrye\.jwt)")),
    ("JSON (Jackson)", re.compile(r"^(com\.fasterxml\.jackson)")),
    ("JDBC (pgjdbc, Agroal, Narayana)", re.compile(r"^(org\.postgresql|io\.agroal|com\.arjuna|io\.narayana|org\.hibernate|io\.quarkus\.narayana|io\.quarkus\.agroal)")),
    ("Kafka client", re.compile(r"^(org\.apache\.kafka)")),
    ("metrics (Micrometer)", re.compile(r"^(io\.micrometer)")),
    ("app (com.sportswallet)", re.compile(r"^(com\.sportswallet)")),
    ("HTTP (Netty, Vert.x, RESTEasy)", re.compile(r"^(io\.netty|io\.vertx|org\.jboss\.resteasy|io\.quarkus|io\.smallrye|org\.jboss)")),
]
JDK = re.compile(r"^(java\.|javax\.|jdk\.|sun\.|com\.sun\.)")
JAVA = re.compile(r"^[a-z][\w$]*(\.[\w$]+)+\.[\w$<>]+$")
kernelSamples = [0]; counts = collections.Counter(); leaves = collections.defaultdict(collections.Counter); total = 0
for line in open(sys.argv[1]):
    stack, _, n = line.rstrip("\n").rpartition(" ")
    n = int(n); total += n
    raw = stack.split(";")
    kernel = any(f.endswith("_[k]") for f in raw)
    frames = [re.sub(r"_\[[jiN0]\]$", "", f.replace("/", ".")) for f in raw if not f.endswith("_[k]")]
    java = [f for f in frames if JAVA.match(f)]
    if kernel:
        kernelSamples[0] += n
    if not java:
        cat = "JVM (GC, JIT, runtime)"
        leaf = frames[-1] if frames else "?"
    else:
        cat = "JDK only"
        leaf = java[-1]
        for f in reversed(java):
            cls = f.rsplit(".", 1)[0]
            if JDK.match(cls):
                continue
            for name, rx in CATEGORIES:
                if rx.match(cls):
                    cat = name
                    break
            else:
                cat = "other: " + ".".join(cls.split(".")[:3])
            break
    counts[cat] += n
    leaves[cat][leaf] += n
print(f"samples {total}, of which in the kernel {kernelSamples[0]} ({100.0*kernelSamples[0]/total:.1f}%, attributed to their Java caller below)")
for cat, n in counts.most_common():
    top = "; ".join(f"{'.'.join(k.split('.')[-2:])} {v}" for k, v in leaves[cat].most_common(3))
    print(f"  {cat:34s} {n:6d} {100.0*n/total:5.1f}%   {top}")
