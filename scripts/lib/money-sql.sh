# Sourced by the bench scripts: the money module's statement files (money/src/main/resources/sql),
# which the ingress and the worker run through NamedSql, and pgbench runs here unchanged.

# money_sql NAME...: the statements of sql/NAME.sql, comment lines dropped, in the given order.
money_sql() {
  local name file
  for name in "$@"; do
    file="$ROOT/money/src/main/resources/sql/$name.sql"
    [ -f "$file" ] || { echo "money_sql: no statement file $file" >&2; return 1; }
    grep -v '^[[:space:]]*--' "$file"
  done
}

# net_tps RAW_TPS GLUE_TPS: the transactions per second of a pgbench script once the cost of its
# glue is taken out. pgbench cannot build strings or arrays, so each script computes its
# transaction's values in one SELECT ... \gset of its own (no table, or one index probe), which
# the services compute in Java; GLUE_TPS is that SELECT alone at the same clients. The machine is
# CPU-bound at these loads, so seconds per transaction add: 1 / (1 / RAW - 1 / GLUE).
net_tps() {
  awk -v r="$1" -v g="$2" 'BEGIN { if (r > 0 && g > r) printf "%.1f", 1 / (1 / r - 1 / g); else printf "%.1f", r }'
}
