#!/usr/bin/env bash
# Builds the core for iOS devices and simulators and packages it for ios/Package.swift.
# Needs macOS with Xcode and the rustup targets aarch64-apple-ios, aarch64-apple-ios-sim.
# (Not runnable on the Linux CI machine; the Kotlin side is tested there instead.)
set -euo pipefail
cd "$(dirname "$0")/.."
for target in aarch64-apple-ios aarch64-apple-ios-sim; do
    cargo build -p anjian-device --release --target "$target"
done
cargo build -p anjian-device --release
cargo run -q -p uniffi-bindgen -- generate target/release/libanjian_core.dylib \
    --language swift --out-dir ios/generated/swift
mkdir -p ios/generated/headers
# The phone core's bindings and the domain enums' (AnjianDomain.swift) share one FFI module and
# one Swift target: one module map naming both headers.
cp ios/generated/swift/AnjianCoreFFI.h ios/generated/swift/anjian_domainFFI.h ios/generated/headers/
cat > ios/generated/headers/module.modulemap <<'MAP'
module AnjianCoreFFI {
    header "AnjianCoreFFI.h"
    header "anjian_domainFFI.h"
    export *
}
MAP
cp ios/generated/swift/AnjianCore.swift ios/generated/swift/AnjianDomain.swift ios/Sources/AnjianCore/
rm -rf ios/AnjianCoreFFI.xcframework
xcodebuild -create-xcframework \
    -library target/aarch64-apple-ios/release/libanjian_core.a -headers ios/generated/headers \
    -library target/aarch64-apple-ios-sim/release/libanjian_core.a -headers ios/generated/headers \
    -output ios/AnjianCoreFFI.xcframework
