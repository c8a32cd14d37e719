import CoachPersistence
import Foundation

/// 16 users saving durably at once through one store, against 16 threads appending the same
/// bytes with `fdatasync` to 16 files of their own.
enum ParallelScenario {
    static func run(_ s: BenchSettings, _ scratch: Scratch) async throws -> [Figure] {
        let line = try await StoreFiles.probeLine(scratch)
        let store = try FileStateStore(directory: scratch.folder("parallel"), options: Workload.options(.durable))
        var contexts = (0..<s.parallelUsers).map { Workload.context(userID: "parallel-\($0)", messages: s.shortHistory) }
        for context in contexts { try await store.saveContext(context) }
        // Like the users' journals, each raw file sits in a folder of its own (so the file system
        // places their inodes apart, as it does the journals') and lives through every block.
        let rawFiles = try (0..<s.parallelUsers).map { index in
            let folder = scratch.folder("raw-parallel/writer-\(index)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            return try RawFile(path: folder.appendingPathComponent("journal.bin").path)
        }
        let saves = s.parallelUsers * s.parallelSaves
        let (ours, base) = try await interleaved(
            blocks: s.blocks, warmUp: s.warmUp,
            { _ in
                let start = monotonicNanoseconds()
                contexts = try await saveInParallel(contexts, store, s.parallelSaves)
                return [Double(saves) / microseconds(since: start) * 1_000_000]
            },
            { _ in
                let elapsed = try rawParallelAppends(files: rawFiles, bytes: line, appends: s.parallelSaves)
                return [Double(saves) / elapsed * 1_000_000]
            })
        try await store.close()
        return [
            Figure(
                id: "parallel-16",
                title: "\(s.parallelUsers) users saving durably in parallel, throughput",
                ours: .init(label: "saves/s, median block", value: ours.median, unit: "/s"),
                baseline: .init(label: "\(s.parallelUsers) threads write+fdatasync, median block", value: base.median, unit: "/s"),
                goal: .atLeast(0.8),
                note: "\(s.blocks) interleaved blocks of \(s.parallelUsers) × \(s.parallelSaves) saves (one task per user, "
                    + "one store) vs the same count of \(line.count)-byte appends (one thread and one file per writer); "
                    + "wall time per block")
        ]
    }

    /// Each context's user, in its own task, appends and saves `count` messages; returns the contexts as saved.
    private static func saveInParallel(_ contexts: [CoachContext], _ store: FileStateStore, _ count: Int) async throws -> [CoachContext] {
        try await withThrowingTaskGroup(of: (Int, CoachContext).self) { group in
            for (index, context) in contexts.enumerated() {
                group.addTask {
                    var context = context
                    for _ in 0..<count {
                        context.conversationHistory.append(Workload.message(context.conversationHistory.count))
                        try await store.saveContext(context)
                    }
                    return (index, context)
                }
            }
            var saved = contexts
            for try await (index, context) in group { saved[index] = context }
            return saved
        }
    }
}
