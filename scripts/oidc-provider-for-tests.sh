#!/usr/bin/env bash
# Sourced by scripts that need the real OpenID Connect provider (tests/oidc) for the unified
# identity: `start_oidc_provider LOGDIR REDIRECT_URI...` installs its package, starts it on
# loopback accepting those redirect URIs, waits for it, sets $oidc_pid (the caller stops it
# on exit) and $oidc_env, the server's settings for it (ANJIAN_OIDC_ISSUER, _CLIENT_ID,
# _CLIENT_SECRET, _NAME), for the server's command line only:
#   env "${oidc_env[@]}" ANJIAN_OIDC_REDIRECT_URL=... ./target/debug/anjian serve ...
# (nothing is exported: other servers the tests start stay without a provider).
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
    oidc_env=(ANJIAN_OIDC_ISSUER="$issuer" ANJIAN_OIDC_CLIENT_ID=anjian ANJIAN_OIDC_CLIENT_SECRET=test-secret
        ANJIAN_OIDC_NAME="渝快政登录")
}
