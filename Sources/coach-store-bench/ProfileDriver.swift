import CoachPersistence
import Foundation

/// A fixed workload with no baseline, for `valgrind --tool=callgrind` (instruction counts are
/// repeatable where times are not):
///
///     coach-store-bench --profile save HISTORY COUNT [durable|batched|unsynced]
///     coach-store-bench --profile load HISTORY COUNT
///     coach-store-bench --profile update HISTORY COUNT [durable|batched|unsynced]
///     coach-store-bench --profile parallel USERS COUNT
///     coach-store-bench --profile raw-parallel USERS COUNT
///
/// `save` makes COUNT saves of one message to a user with HISTORY messages (compacted first);
/// `update` makes COUNT `updateContext` calls appending one message each to such a user;
/// `load` opens a new store COUNT times and loads a HISTORY-message context cold;
/// `parallel` has USERS tasks each make COUNT durable saves of its own user (the parallel figure's
/// store side), and `raw-parallel` is its baseline: USERS threads each appending and syncing COUNT
/// times. Under `perf stat` the two show the CPU and context switches of each side alone.
enum ProfileDriver {
    static let flag = "--profile"

    static func main(_ arguments: [String]) async -> Int32 {
        guard arguments.count >= 3, let history = Int(arguments[1]), let count = Int(arguments[2]) else {
            Log.line("usage: coach-store-bench \(flag) save|load|update|parallel|raw-parallel|bridged-parallel HISTORY|USERS COUNT [durable|batched|unsynced]")
            return 2
        }
        let scratch: Scratch
        do { scratch = try Scratch() } catch {
            Log.line("\(error)")
            return 1
        }
        defer { scratch.remove() }
        do {
            let start = monotonicNanoseconds()
            switch arguments[0] {
            case "save": try await saves(history, count, durability(arguments.count > 3 ? arguments[3] : "unsynced"), scratch)
            case "load": try await loads(history, count, scratch)
            case "update": try await updates(history, count, durability(arguments.count > 3 ? arguments[3] : "unsynced"), scratch)
            case "parallel": try await ParallelScenario.profile(users: history, saves: count, scratch)
            case "bridged-parallel": try await ParallelScenario.profileBridged(users: history, appends: count, scratch)
            case "raw-parallel": try await ParallelScenario.profileRaw(users: history, appends: count, scratch)
            default: throw BenchError("unknown workload '\(arguments[0])'")
            }
            Log.line("\(arguments[0]): \(Report.number(microseconds(since: start) / Double(count))) µs per operation (setup included)")
            return 0
        } catch {
            Log.line("\(error)")
            return 1
        }
    }

    private static func durability(_ name: String) throws -> FileStateStore.Durability {
        switch name {
        case "durable": return .durable
        case "batched": return .batched
        case "unsynced": return .unsynced
        default: throw BenchError("unknown durability '\(name)'")
        }
    }

    private static func saves(_ history: Int, _ count: Int, _ durability: FileStateStore.Durability, _ scratch: Scratch) async throws {
        let store = try FileStateStore(directory: scratch.folder("profile"), options: Workload.options(durability))
        let conversation = try await Conversation(store: store, userID: "profiled", history: history)
        try await store.compact(userID: "profiled")
        _ = try await conversation.timedTurns(count)
        try await store.close()
    }

    private static func updates(_ history: Int, _ count: Int, _ durability: FileStateStore.Durability, _ scratch: Scratch) async throws {
        let store = try FileStateStore(directory: scratch.folder("profile"), options: Workload.options(durability))
        try await store.saveContext(Workload.context(userID: "profiled", messages: history))
        try await store.compact(userID: "profiled")
        for turn in history..<(history + count) {
            try await store.updateContext(userID: "profiled") { $0.conversationHistory.append(Workload.message(turn)) }
        }
        try await store.close()
    }

    private static func loads(_ history: Int, _ count: Int, _ scratch: Scratch) async throws {
        let root = scratch.folder("profile")
        let writer = try FileStateStore(directory: root, options: Workload.options(.unsynced))
        _ = try await Conversation(store: writer, userID: "profiled", history: history)
        try await writer.compact(userID: "profiled")
        try await writer.close()
        for _ in 0..<count {
            let store = try FileStateStore(directory: root)
            guard try await store.loadContext(userID: "profiled")?.conversationHistory.count == history else {
                throw BenchError("wrong context loaded")
            }
            try await store.close()
        }
    }
}
