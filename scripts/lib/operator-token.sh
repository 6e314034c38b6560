# Sourced by scripts/outbox (and any script that calls the operator API).
# operator_token [role] [sub]: prints an RS256 JWT for the operator API, signed with openssl by the
# operator's private key (what scripts/keys writes: $KEYS_DIR/operator-private.pem, PKCS#8 PEM): header
# {"alg":"RS256","typ":"JWT"}, claims iss = $OPERATOR_ISSUER (demo-operator), sub/upn = sub ("scripts"),
# groups [role] ("operator"; support and finance are the others, contracts/OperatorRoles), iat now,
# exp now + $OPERATOR_TOKEN_LIFETIME_SECONDS (300), a random jti. The sub is what the audit records.
# Needs ROOT (the repository root); exits 1 with a message when the key or openssl is missing.
# Signs with scripts/lib/jwt.sh (jwt_rs256), which scripts/callback shares.
# shellcheck source=jwt.sh
. "$(dirname "${BASH_SOURCE[0]}")/jwt.sh"

operator_token() {
  local role="${1:-operator}" sub="${2:-scripts}"
  case "$role" in operator|support|finance) ;; *) echo "operator_token: role must be operator, support or finance, not $role" >&2; return 1 ;; esac
  [[ "$sub" =~ ^[A-Za-z0-9._@-]{1,64}$ ]] || { echo "operator_token: sub must be 1-64 characters of [A-Za-z0-9._@-]" >&2; return 1; }
  local keys_dir="${KEYS_DIR:-$ROOT/.local/keys}" issuer="${OPERATOR_ISSUER:-demo-operator}"
  local lifetime="${OPERATOR_TOKEN_LIFETIME_SECONDS:-300}" key now claims jti
  key="$keys_dir/operator-private.pem"
  command -v openssl >/dev/null || { echo "operator_token: openssl not found" >&2; return 1; }
  [ -s "$key" ] || { echo "operator_token: no operator key at $key (scripts/keys creates it; KEYS_DIR moves it)" >&2; return 1; }
  now="$(date +%s)"
  jti="$(openssl rand -hex 16)"
  claims="$(printf '{"iss":"%s","sub":"%s","upn":"%s","groups":["%s"],"iat":%d,"exp":%d,"jti":"%s"}' \
    "$issuer" "$sub" "$sub" "$role" "$now" "$((now + lifetime))" "$jti")"
  jwt_rs256 "$key" "$claims"
}
