// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "coach-persistence",
    platforms: [.macOS(.v15), .iOS(.v18), .tvOS(.v18), .watchOS(.v11), .visionOS(.v2)],
    products: [
        .library(name: "CoachPersistence", targets: ["CoachPersistence"]),
        .executable(name: "coach-store", targets: ["coach-store"]),
        .executable(name: "coach-store-bench", targets: ["coach-store-bench"]),
    ],
    targets: [
        .target(name: "CoachPersistence", dependencies: ["CCoachPlatform"]),
        // sync_file_range(2), ioprio_set(2) and the CRC-32C instruction, which Swift cannot reach by itself.
        .target(name: "CCoachPlatform"),
        // The command-line parser shared by coach-store, the benchmark and the crash writer.
        .target(name: "CommandLineParsing"),
        .executableTarget(name: "coach-store", dependencies: ["CoachPersistence", "CommandLineParsing"]),
        .executableTarget(name: "coach-store-bench", dependencies: ["CoachPersistence", "CommandLineParsing"]),

        // Test helpers: shared fixtures and temp folders, and the writer process that the
        // kill -9 tests start and kill.
        .target(name: "CoachTestSupport", dependencies: ["CoachPersistence"], path: "Tests/CoachTestSupport"),
        .executableTarget(name: "CrashWriter", dependencies: ["CoachPersistence", "CoachTestSupport", "CommandLineParsing"], path: "Tests/CrashWriter"),

        .testTarget(name: "CoachPersistenceTests", dependencies: ["CoachPersistence", "CoachTestSupport"]),
        .testTarget(name: "CrashTests", dependencies: ["CoachPersistence", "CoachTestSupport", "CrashWriter"]),
        .testTarget(name: "FaultInjectionTests", dependencies: ["CoachPersistence", "CoachTestSupport"]),
        .testTarget(name: "CoachStoreCLITests", dependencies: ["CoachTestSupport", "coach-store", "CommandLineParsing"]),

        // The ```swift blocks of README.md and the DocC articles, compiled: `swift run doc-snippets`
        // writes them into DocSnippetTests, whose tests check that the copy is up to date.
        .target(name: "DocSnippets", path: "Tests/DocSnippets"),
        .executableTarget(name: "doc-snippets", dependencies: ["DocSnippets"], path: "Tests/DocSnippetGenerator"),
        .testTarget(name: "DocSnippetTests", dependencies: ["CoachPersistence", "CoachTestSupport", "DocSnippets"]),
    ],
    swiftLanguageModes: [.v6]
)
