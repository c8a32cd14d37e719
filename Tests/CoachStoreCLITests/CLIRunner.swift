import CoachPersistence
import CoachTestSupport
import Foundation
import Testing

/// What one run of the `coach-store` executable did.
struct CLIResult: CustomStringConvertible {
    let status: Int32
    let stdout: String
    let stderr: String

    var description: String { "exit \(status)\n--- stdout\n\(stdout)--- stderr\n\(stderr)" }
}

/// Runs the built `coach-store` executable, as a person would from a shell.
enum CLI {
    /// The executable: `COACH_STORE_EXECUTABLE` if set, else `coach-store` in the build products
    /// folder that holds this test binary (`.build/debug`, or a `--scratch-path`'s), found by
    /// walking up from the test bundle and the test process's own path.
    static let executable: URL = {
        let environment = ProcessInfo.processInfo.environment
        if let path = environment["COACH_STORE_EXECUTABLE"] { return URL(fileURLWithPath: path) }
        var starts: [URL] = []
        if let path = Bundle.main.executablePath { starts.append(URL(fileURLWithPath: path)) }
        starts.append(URL(fileURLWithPath: CommandLine.arguments[0]))
        starts += Bundle.allBundles.map(\.bundleURL)
        for start in starts {
            var folder = start.deletingLastPathComponent()
            for _ in 0..<5 {
                let candidate = folder.appendingPathComponent("coach-store")
                if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
                folder = folder.deletingLastPathComponent()
            }
        }
        fatalError("coach-store executable not found near \(starts.map(\.path)); build it, or set COACH_STORE_EXECUTABLE")
    }()

    /// Runs `coach-store arguments…` with `stdin` as its standard input and waits for it;
    /// `environment` is added to this process's.
    @discardableResult
    static func run(_ arguments: [String], stdin: Data? = nil, environment: [String: String] = [:]) throws -> CLIResult {
        let scratch = TemporaryDirectory("cli-run")
        defer { scratch.remove() }
        let out = scratch.url.appendingPathComponent("stdout"), err = scratch.url.appendingPathComponent("stderr")
        let input = scratch.url.appendingPathComponent("stdin")
        _ = FileManager.default.createFile(atPath: out.path, contents: nil)
        _ = FileManager.default.createFile(atPath: err.path, contents: nil)
        _ = FileManager.default.createFile(atPath: input.path, contents: stdin ?? Data())

        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        let outHandle = try FileHandle(forWritingTo: out), errHandle = try FileHandle(forWritingTo: err)
        let inHandle = try FileHandle(forReadingFrom: input)
        defer { try? outHandle.close(); try? errHandle.close(); try? inHandle.close() }
        process.standardOutput = outHandle
        process.standardError = errHandle
        process.standardInput = inHandle
        try process.run()
        process.waitUntilExit()
        return CLIResult(
            status: process.terminationStatus,
            stdout: String(decoding: try Data(contentsOf: out), as: UTF8.self),
            stderr: String(decoding: try Data(contentsOf: err), as: UTF8.self))
    }

    /// Runs and returns the result, failing the test if the exit status is not `status`.
    @discardableResult
    static func expect(
        _ status: Int32, _ arguments: [String], stdin: Data? = nil, environment: [String: String] = [:],
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws -> CLIResult {
        let result = try run(arguments, stdin: stdin, environment: environment)
        #expect(result.status == status, "coach-store \(arguments.joined(separator: " "))\n\(result)", sourceLocation: sourceLocation)
        return result
    }
}

// MARK: Stores to run the tool on

/// A user's contexts as they were after each save, so tests can tell what a repair kept.
struct WrittenUser {
    let userID: String
    /// `versions[k]` is the context after save k+1 (journal record k+1).
    let versions: [CoachContext]
}

/// Writes a store the way an app would: one save per exchange, through `FileStateStore`.
/// `alice` and `bob` have journals only; `carol` is compacted after her third save and saved
/// twice more. Automatic compaction is off, so the journals are exactly as listed.
func writeSampleStore(_ directory: URL) async throws -> [String: WrittenUser] {
    let store = try FileStateStore(
        directory: directory, options: .init(durability: .unsynced, automaticCompaction: false))
    var written: [String: WrittenUser] = [:]
    let start = Date(timeIntervalSince1970: 1_790_000_000)
    for (userID, saves, compactAfter, state) in [
        ("alice", 5, 0, CoachingState.valuesDiscovery), ("bob", 2, 0, .introduction), ("carol", 5, 3, .habitBuilding),
    ] {
        var context = CoachContext(userID: userID)
        context.userProfile = UserProfile(preferredName: userID.capitalized, timeZone: "Europe/Paris", goals: ["run a 10k"])
        var versions: [CoachContext] = []
        for turn in 1...saves {
            let time = start.addingTimeInterval(Double(turn) * 3600)
            context.conversationHistory.append(ChatMessage(role: .user, content: "turn \(turn) from \(userID): how do I keep going?", timestamp: time))
            context.conversationHistory.append(ChatMessage(role: .assistant, content: "turn \(turn) answer: one small step today.", timestamp: time.addingTimeInterval(30)))
            if turn == saves { context.currentState = state }
            if turn == 2 { context.metadata["plan"] = "free" }
            try await store.saveContext(context)
            versions.append(context)
            if turn == compactAfter { try await store.compact(userID: userID) }
        }
        written[userID] = WrittenUser(userID: userID, versions: versions)
    }
    try await store.close()
    return written
}

/// Replaces `old` with `new` (same length) in line `line` of a file, leaving its checksum stale.
func alter(_ file: URL, line: Int, replacing old: String, with new: String) throws {
    precondition(old.utf8.count == new.utf8.count)
    var lines = try Data(contentsOf: file).split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).map { Data($0) }
    let text = String(decoding: lines[line - 1], as: UTF8.self)
    precondition(text.contains(old), "line \(line) does not contain \(old)")
    lines[line - 1] = Data(text.replacingOccurrences(of: old, with: new).utf8)
    try Data(lines.joined(separator: Data([UInt8(ascii: "\n")]))).write(to: file)
}

/// Lines of a journal file, newline-terminated, as byte arrays.
func journalLines(_ file: URL) throws -> [Data] {
    try Data(contentsOf: file).split(separator: UInt8(ascii: "\n")).map { Data($0) + Data([UInt8(ascii: "\n")]) }
}

/// Opens a store for writing in this process, waiting up to two seconds for its lock: a store
/// just closed may still be locked for a moment by a `coach-store` process another test is
/// spawning, which holds a copy of every descriptor until it calls `exec`.
func openWriter(_ directory: URL, options: FileStateStore.Options = fastOptions()) async throws -> FileStateStore {
    let deadline = ContinuousClock.now.advanced(by: .seconds(2))
    while true {
        do {
            return try FileStateStore(directory: directory, options: options)
        } catch StateStoreError.locked where ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
    }
}
