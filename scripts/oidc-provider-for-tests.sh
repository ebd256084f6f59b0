#!/usr/bin/env bash
# Sourced by scripts that need the real OpenID Connect provider (tests/oidc) for the unified
# identity: `start_oidc_provider LOGDIR REDIRECT_URI...` installs its package, starts it on
# loopback accepting those redirect URIs, waits for it, sets $oidc_pid (the caller stops it
# on exit) and exports the server's settings for it: ANJIAN_OIDC_ISSUER, ANJIAN_OIDC_CLIENT_ID,
# ANJIAN_OIDC_CLIENT_SECRET and ANJIAN_OIDC_NAME (the caller adds ANJIAN_OIDC_REDIRECT_URL
# and, for the phone, ANJIAN_OIDC_APP_REDIRECT_URL).
start_oidc_provider() {
    local log="$1/oidc.log"
    shift
    (cd tests/oidc && npm ci --no-audit --no-fund --loglevel=error)
    node tests/oidc/provider.mjs "$@" >"$log" 2>&1 &
    oidc_pid=$!
    for _ in $(seq 1 100); do grep -q '^READY ' "$log" && break; sleep 0.1; done
    local issuer
    issuer=$(sed -n 's/^READY //p' "$log")
    [ -n "$issuer" ] || { echo "the test OpenID provider did not start" >&2; cat "$log" >&2; return 1; }
    export ANJIAN_OIDC_ISSUER="$issuer" ANJIAN_OIDC_CLIENT_ID=anjian ANJIAN_OIDC_CLIENT_SECRET=test-secret \
        ANJIAN_OIDC_NAME="渝快政登录"
}
