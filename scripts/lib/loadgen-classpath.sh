# Sourced by scripts/loadgen, scripts/reconcile, scripts/bench-make and scripts/bench-drain.
# loadgen_classpath CLASS: prints the classpath that runs CLASS (a fully qualified name) from the
# loadgen module: loadgen/target/loadgen-*.jar and its runtime classpath (classpath.txt, which
# maven-dependency-plugin writes at package). Builds loadgen (mvn -B -q -DskipTests -pl loadgen -am
# install; offline first) when the jar or the classpath is missing, or when the jar predates CLASS,
# or when an entry of the classpath no longer exists. Build output goes to stderr; exits 1 when
# the build fails or still lacks CLASS. Needs ROOT (the repository root).
loadgen_classpath() {
  local class="$1" entry jars
  local classfile="${class//.//}.class"
  _loadgen_jar_has() { # jar: grep reads the whole listing (with -q it could exit first, and pipefail
    # would count the lister's SIGPIPE as a missing class)
    if command -v unzip >/dev/null; then unzip -Z1 "$1" 2>/dev/null | grep -x "$classfile" >/dev/null
    else jar tf "$1" 2>/dev/null | grep -x "$classfile" >/dev/null; fi
  }
  _loadgen_ready() {
    shopt -s nullglob
    jars=("$ROOT"/loadgen/target/loadgen-*.jar)
    shopt -u nullglob
    [ "${#jars[@]}" -gt 0 ] && [ -s "$ROOT/loadgen/target/classpath.txt" ] || return 1
    _loadgen_jar_has "${jars[0]}" || return 1
    IFS=':' read -r -a entries <"$ROOT/loadgen/target/classpath.txt"
    for entry in "${entries[@]}"; do [ -e "$entry" ] || return 1; done
  }
  if ! _loadgen_ready; then
    command -v mvn >/dev/null || { echo "loadgen_classpath: mvn not found (needed to build loadgen)" >&2; return 1; }
    echo "building loadgen (mvn -B -q -DskipTests -pl loadgen -am install) ..." >&2
    (cd "$ROOT" && { mvn -B -q -o -DskipTests -pl loadgen -am install || mvn -B -q -DskipTests -pl loadgen -am install; }) >&2 \
      || { echo "loadgen_classpath: could not build loadgen" >&2; return 1; }
    _loadgen_ready || { echo "loadgen_classpath: the build did not produce a loadgen jar with $class and its classpath" >&2; return 1; }
  fi
  echo "${jars[0]}:$(cat "$ROOT/loadgen/target/classpath.txt")"
}
