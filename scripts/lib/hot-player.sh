# shellcheck shell=bash
# The hot-player phase's bounds, shared by scripts/bench-make (h) and scripts/bench-replicas (h).
# The ingress is warm from the closed loops before it (the same batched path), so the phase warms up
# at most HOT_WARMUP_SECONDS_MAX; and it needs more bodies than MakeBench's closed-loop estimate
# (1,200/s per 64 clients): batched, one hot player ran at about 2,000 makes/s here, and 60 s of
# warm-up once used up 96,000 pre-signed bodies before the measured window began. Bodies are sized at
# HOT_RATE_ESTIMATE makes/s, at most MakeBench's 200,000 (HOT_BODIES_MAX).
HOT_WARMUP_SECONDS_MAX=10
HOT_RATE_ESTIMATE=3000
HOT_BODIES_MAX=200000

# hot_sizing WARMUP_SECONDS SECONDS: sets hot_warmup and hot_bodies.
hot_sizing() {
  hot_warmup=$(( $1 < HOT_WARMUP_SECONDS_MAX ? $1 : HOT_WARMUP_SECONDS_MAX ))
  hot_bodies=$(( HOT_RATE_ESTIMATE * (hot_warmup + $2) ))
  [ "$hot_bodies" -le "$HOT_BODIES_MAX" ] || hot_bodies=$HOT_BODIES_MAX
}
