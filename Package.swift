// swift-tools-version: 6.1
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "Verdict",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "verdict", targets: ["verdict"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", exact: "1.8.2"),
        .package(url: "https://github.com/groue/GRDB.swift", exact: "7.10.0"),
        .package(url: "https://github.com/apple/swift-crypto", exact: "3.12.3"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", exact: "2.28.1"),
        .package(url: "https://github.com/apple/swift-log", exact: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio", exact: "2.101.3"),
        .package(url: "https://github.com/adam-fowler/compress-nio", exact: "1.5.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", exact: "2.13.0"),
    ],
    targets: [
        // Lua 5.4 from the system (Debian: liblua5.4-dev), with a header of inline wrappers for
        // the C API's macros.
        .systemLibrary(
            name: "CLua",
            pkgConfig: "lua5.4",
            providers: [.apt(["liblua5.4-dev"])]
        ),
        // FNV-1a and SplitMix64, once, for C and Swift alike.
        .target(name: "CVerdictHash"),
        // The C half of the sandbox: allocator, hooks, guarded library functions, and the
        // trampoline that raises Lua errors on behalf of Swift host functions.
        .target(
            name: "CLuaShim",
            dependencies: ["CLua", "CVerdictHash"]
        ),
        .target(
            name: "VerdictScript",
            dependencies: ["CLua", "CLuaShim", "CVerdictHash"],
            swiftSettings: swiftSettings
        ),
        // Pure numerics: distributions, tests, intervals, power (no I/O).
        .target(
            name: "VerdictStats",
            dependencies: ["CVerdictHash"],
            swiftSettings: swiftSettings
        ),
        // The only module that touches SQLite: events, batches, quarantine, migrations.
        .target(
            name: "VerdictStore",
            dependencies: [
                "CVerdictHash",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "VerdictCore",
            dependencies: [
                "CVerdictHash",
                "VerdictScript",
                "VerdictStore",
                "VerdictStats",
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),
        // Values in, HTML out: the daily dashboard page (no I/O, no store).
        .target(
            name: "VerdictDashboard",
            dependencies: ["VerdictCore"],
            swiftSettings: swiftSettings
        ),
        // HTTP: events in, flags out (OFREP), the reads, the live dashboard (Hummingbird).
        .target(
            name: "VerdictServer",
            dependencies: [
                "VerdictCore",
                "VerdictDashboard",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "CompressNIO", package: "compress-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "VerdictCommands",
            dependencies: [
                "VerdictCore",
                "VerdictDashboard",
                "VerdictServer",
                "VerdictScript",
                "VerdictStats",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "verdict",
            dependencies: ["VerdictCommands"],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "VerdictTestSupport",
            path: "Tests/VerdictTestSupport",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "VerdictScriptTests",
            dependencies: ["VerdictScript", "VerdictTestSupport"],
            resources: [.copy("Fixtures")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "VerdictStatsTests",
            dependencies: ["VerdictStats"],
            resources: [.copy("Fixtures")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "VerdictStoreTests",
            dependencies: ["CVerdictHash", "VerdictStore", "VerdictTestSupport", .product(name: "GRDB", package: "GRDB.swift")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "VerdictCoreTests",
            dependencies: [
                "VerdictCore", "VerdictScript", "VerdictStats", "VerdictStore", "VerdictTestSupport",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            exclude: ["Fixtures/make_flag_vectors.py"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "VerdictDashboardTests",
            dependencies: ["VerdictDashboard", "VerdictCore", "VerdictTestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "VerdictCommandsTests",
            dependencies: ["VerdictCommands", "VerdictCore", "VerdictTestSupport", .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: swiftSettings
        ),
    ],
    swiftLanguageModes: [.v6]
)
