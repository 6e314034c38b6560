# Sourced by scripts/loadgen, scripts/reconcile, scripts/bench-make, scripts/bench-make-ab and
# scripts/bench-drain.
# module_classpath MODULE CLASS: prints the classpath that runs CLASS (a fully qualified name) from
# the module MODULE: MODULE/target/MODULE-*.jar and its runtime classpath (classpath.txt, which
# maven-dependency-plugin writes at package). Builds MODULE (mvn -B -q -DskipTests -pl MODULE -am
# package; offline first) when the jar or the classpath is missing, or when the jar predates CLASS,
# or when an entry of the classpath no longer exists. package, not install: the classpath names the
# reactor's own jars (MODULE/target, the upstream modules' target), and ~/.m2 is left as it is.
# Build output goes to stderr; exits 1 when the build fails or still lacks CLASS. Needs ROOT (the
# repository root).
# loadgen_classpath CLASS: the same for the loadgen module, built with install (as before).
module_classpath() {
  _module_classpath "$1" "$2" package module_classpath
}

loadgen_classpath() {
  _module_classpath loadgen "$1" install loadgen_classpath
}

_module_classpath() {
  local module="$1" class="$2" goal="$3" who="$4" entry jars
  local classfile="${class//.//}.class"
  _module_jar_has() { # jar: grep reads the whole listing (with -q it could exit first, and pipefail
    # would count the lister's SIGPIPE as a missing class)
    if command -v unzip >/dev/null; then unzip -Z1 "$1" 2>/dev/null | grep -x "$classfile" >/dev/null
    else jar tf "$1" 2>/dev/null | grep -x "$classfile" >/dev/null; fi
  }
  _module_ready() {
    shopt -s nullglob
    jars=("$ROOT/$module/target/$module"-*.jar)
    shopt -u nullglob
    [ "${#jars[@]}" -gt 0 ] && [ -s "$ROOT/$module/target/classpath.txt" ] || return 1
    _module_jar_has "${jars[0]}" || return 1
    IFS=':' read -r -a entries <"$ROOT/$module/target/classpath.txt"
    for entry in "${entries[@]}"; do [ -e "$entry" ] || return 1; done
  }
  if ! _module_ready; then
    command -v mvn >/dev/null || { echo "$who: mvn not found (needed to build $module)" >&2; return 1; }
    echo "building $module (mvn -B -q -DskipTests -pl $module -am $goal) ..." >&2
    (cd "$ROOT" && { mvn -B -q -o -DskipTests -pl "$module" -am "$goal" || mvn -B -q -DskipTests -pl "$module" -am "$goal"; }) >&2 \
      || { echo "$who: could not build $module" >&2; return 1; }
    _module_ready || { echo "$who: the build did not produce a $module jar with $class and its classpath" >&2; return 1; }
  fi
  echo "${jars[0]}:$(cat "$ROOT/$module/target/classpath.txt")"
}
