import CoachPersistence
import Foundation

/// Opening a store of 100,000 users and loading one, against a store of 10 users: time and
/// peak memory, each measured in a fresh child process so nothing of the parent counts.
enum ManyUsersScenario {
    /// The hidden flag that makes this executable the child: `--child-open-load DIRECTORY USER-ID`.
    static let childFlag = "--child-open-load"

    /// What a child reports.
    struct ChildResult: Codable {
        var micros: Double
        var peakKiB: Double
        var messages: Int
    }

    static func run(_ s: BenchSettings, _ scratch: Scratch) async throws -> [Figure] {
        let many = scratch.folder("many-users")
        let few = scratch.folder("few-users")
        try await build(many, users: s.manyUsers)
        try await build(few, users: s.fewUsers)
        let executable = try currentExecutable()
        var peaks = (many: Samples(), few: Samples())
        func child(_ root: URL, _ users: Int) throws -> [Double] {
            let output = try runProgram(executable, [childFlag, root.path, userID(users / 2)])
            let result = try JSONDecoder().decode(ChildResult.self, from: Data(output.utf8))
            guard result.messages == 2 else { throw BenchError("the child loaded \(result.messages) messages, not 2") }
            if users == s.manyUsers { peaks.many.values.append(result.peakKiB) } else { peaks.few.values.append(result.peakKiB) }
            return [result.micros]
        }
        let (manyTime, fewTime) = try await interleaved(
            blocks: s.blocks, warmUp: s.warmUp,
            { _ in try child(many, s.manyUsers) }, { _ in try child(few, s.fewUsers) })
        let note = "\(s.blocks) interleaved child processes each; in the child, open a FileStateStore and load "
            + "one user (2 messages); stores built with unsynced saves"
        return [
            Figure(
                id: "many-users-time", title: "open a store of \(s.manyUsers) users and load one",
                ours: .init(label: "\(s.manyUsers) users, median", value: manyTime.median, unit: "µs"),
                baseline: .init(label: "\(s.fewUsers) users, median", value: fewTime.median, unit: "µs"),
                goal: .atMost(1.2), note: note + "; flat taken as ≤ 1.2×"),
            Figure(
                id: "many-users-memory", title: "… peak memory (VmHWM of the child)",
                ours: .init(label: "\(s.manyUsers) users, median", value: peaks.many.median / 1024, unit: "MiB"),
                baseline: .init(label: "\(s.fewUsers) users, median", value: peaks.few.median / 1024, unit: "MiB"),
                goal: .atMost(1.1), note: note + "; whole-process peak including the Swift runtime; flat taken as ≤ 1.1×"),
        ]
    }

    static func userID(_ index: Int) -> String { "user-\(index)" }

    /// A store of `users` users with two messages each, written eight at a time.
    private static func build(_ root: URL, users: Int) async throws {
        Log.line("  building a store of \(users) users…")
        let store = try FileStateStore(directory: root, options: Workload.options(.unsynced))
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<users {
                if index >= 8 { try await group.next() }
                group.addTask { try await store.saveContext(Workload.context(userID: userID(index), messages: 2)) }
            }
            try await group.waitForAll()
        }
        try await store.close()
    }

    /// The child's work: open, load one user, report time and peak memory as JSON on stdout.
    static func childMain(_ arguments: [String]) async -> Int32 {
        guard arguments.count == 2 else {
            Log.line("usage: coach-store-bench \(childFlag) DIRECTORY USER-ID")
            return 2
        }
        do {
            let start = monotonicNanoseconds()
            let store = try FileStateStore(directory: URL(fileURLWithPath: arguments[0]))
            let context = try await store.loadContext(userID: arguments[1])
            let micros = microseconds(since: start)
            let result = ChildResult(micros: micros, peakKiB: peakMemoryKiB(), messages: context?.conversationHistory.count ?? 0)
            try await store.close()
            print(String(decoding: try JSONEncoder().encode(result), as: UTF8.self))
            return 0
        } catch {
            Log.line("child: \(error)")
            return 1
        }
    }

    /// `VmHWM` from `/proc/self/status`: the process's peak resident memory.
    private static func peakMemoryKiB() -> Double {
        let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
        let line = status.split(separator: "\n").first { $0.hasPrefix("VmHWM:") }
        return line.flatMap { Double($0.split(separator: " ", omittingEmptySubsequences: true)[1]) } ?? .nan
    }
}
