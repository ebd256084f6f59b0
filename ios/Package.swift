// swift-tools-version:5.9
// The iOS shell's Swift package around the uniffi-generated Swift. Build the native library
// first (scripts/build-ios.sh makes AnjianCoreFFI.xcframework from the aarch64-apple-ios and
// aarch64-apple-ios-sim static libraries, and copies the generated Swift into Sources/).
import PackageDescription

let package = Package(
    name: "AnjianCore",
    platforms: [.iOS(.v15)],
    products: [
        .library(name: "AnjianCore", targets: ["AnjianCore"]),
    ],
    targets: [
        .binaryTarget(name: "AnjianCoreFFI", path: "AnjianCoreFFI.xcframework"),
        .target(
            name: "AnjianCore",
            dependencies: ["AnjianCoreFFI"],
            path: "Sources/AnjianCore"
        ),
    ]
)
