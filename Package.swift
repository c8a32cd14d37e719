// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "coach-persistence",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "CoachPersistence", targets: ["CoachPersistence"]),
        .executable(name: "coach-store", targets: ["coach-store"]),
        .executable(name: "coach-store-bench", targets: ["coach-store-bench"]),
    ],
    targets: [
        .target(name: "CoachPersistence"),
        .executableTarget(name: "coach-store", dependencies: ["CoachPersistence"]),
        .executableTarget(name: "coach-store-bench", dependencies: ["CoachPersistence"]),
        .testTarget(name: "CoachPersistenceTests", dependencies: ["CoachPersistence"]),
    ],
    swiftLanguageModes: [.v6]
)
