# Sourced by scripts/lib/operator-token.sh (operator tokens) and scripts/callback (provider callbacks):
# the one place the scripts sign a JWT.
# jwt_rs256 KEY CLAIMS_JSON [KID]: prints a compact RS256 JWT (header {"alg":"RS256","typ":"JWT"}, plus
# "kid" when KID is given) over CLAIMS_JSON exactly as given, signed with openssl by KEY (a private key
# PEM: what scripts/keys writes). Returns 1 with a message on stderr when openssl or the key is missing,
# or the signing fails.
jwt_rs256() {
  local key="$1" claims="$2" kid="${3:-}" header signing_input signature
  command -v openssl >/dev/null || { echo "jwt: openssl not found" >&2; return 1; }
  [ -s "$key" ] || { echo "jwt: no private key at $key" >&2; return 1; }
  if [ -n "$kid" ]; then
    [[ "$kid" =~ ^[A-Za-z0-9._-]{1,64}$ ]] || { echo "jwt: a kid must be 1-64 characters of [A-Za-z0-9._-]" >&2; return 1; }
    header="{\"alg\":\"RS256\",\"typ\":\"JWT\",\"kid\":\"$kid\"}"
  else
    header='{"alg":"RS256","typ":"JWT"}'
  fi
  signing_input="$(printf '%s' "$header" | _b64url).$(printf '%s' "$claims" | _b64url)"
  # The signature's bytes go through a file, not a pipe: pipefail is the caller's choice, and a failed
  # openssl must not pass for an empty signature.
  local sig_file
  sig_file="$(mktemp)"
  if ! printf '%s' "$signing_input" | openssl dgst -sha256 -sign "$key" -binary >"$sig_file" || [ ! -s "$sig_file" ]; then
    rm -f "$sig_file"
    echo "jwt: signing with $key failed" >&2
    return 1
  fi
  signature="$(_b64url <"$sig_file")"
  rm -f "$sig_file"
  printf '%s.%s\n' "$signing_input" "$signature"
}

# base64url without padding, on one line.
_b64url() {
  openssl base64 -A | tr '+/' '-_' | tr -d '='
}
