#!/usr/bin/env bash
# Builds the core library for this host and generates the Kotlin and Swift bindings from it,
# with the uniffi-bindgen pinned in this workspace.
#   scripts/gen-bindings.sh            -> android/generated/kotlin, ios/generated/swift
set -euo pipefail
cd "$(dirname "$0")/.."
profile="${PROFILE:-release}"
flag=$([ "$profile" = release ] && echo --release || true)
cargo build -p anjian-device $flag
lib="target/$profile/libanjian_core.so"
[ "$(uname)" = Darwin ] && lib="target/$profile/libanjian_core.dylib"
rm -rf android/generated/kotlin ios/generated/swift
cargo run -q -p uniffi-bindgen -- generate "$lib" --language kotlin --no-format \
    --out-dir android/generated/kotlin
cargo run -q -p uniffi-bindgen -- generate "$lib" --language swift --no-format \
    --out-dir ios/generated/swift
echo "bindings: android/generated/kotlin ios/generated/swift (library $lib)"
