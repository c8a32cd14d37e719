import CoachPersistence
import Foundation

/// 16 users saving durably at once through one store, against 16 threads appending the same
/// bytes with `fdatasync` to 16 files of their own, and against 16 tasks making those appends
/// through the thread hand-offs an async API needs (what the store adds to them is its own work).
enum ParallelScenario {
    static func run(_ s: BenchSettings, _ scratch: Scratch) async throws -> [Figure] {
        let line = try await StoreFiles.probeLine(scratch)
        let store = try FileStateStore(directory: scratch.folder("parallel"), options: Workload.options(.durable))
        var contexts = (0..<s.parallelUsers).map { Workload.context(userID: "parallel-\($0)", messages: s.shortHistory) }
        for context in contexts { try await store.saveContext(context) }
        let rawFiles = try rawFiles(s.parallelUsers, scratch)
        let saves = s.parallelUsers * s.parallelSaves
        let queues = rawFiles.map { _ in DispatchQueue(label: "coach-store-bench.bridged") }
        var ours = Samples(), threads = Samples(), bridged = Samples()
        // Three sides, interleaved block by block and in turn first, so the disk's drift and
        // whatever one side leaves behind reach each alike.
        for block in (s.warmUp ? -1 : 0)..<s.blocks {
            var rates = [0.0, 0.0, 0.0]
            for turn in 0..<3 {
                let side = (turn + max(block, 0)) % 3
                // Each store block starts from the short history again (untimed): a save
                // compares the whole history it is given, and what that costs at length is the
                // history figure's, not this one's.
                if side == 0 { contexts = try await trimmed(contexts, store, to: s.shortHistory) }
                let start = monotonicNanoseconds()
                switch side {
                case 0: contexts = try await saveInParallel(contexts, store, s.parallelSaves)
                case 1: _ = try rawParallelAppends(files: rawFiles, bytes: line, appends: s.parallelSaves)
                default: try await bridgedAppends(files: rawFiles, queues: queues, bytes: line, appends: s.parallelSaves)
                }
                rates[side] = Double(saves) / microseconds(since: start) * 1_000_000
            }
            guard block >= 0 else { continue }
            ours.values.append(rates[0])
            threads.values.append(rates[1])
            bridged.values.append(rates[2])
        }
        try await store.close()
        let sides = "\(s.blocks) interleaved blocks of \(s.parallelUsers) × \(s.parallelSaves) saves (one task per user, one store; "
            + "each user has \(s.shortHistory) messages when a store block starts, cut back untimed before each)"
        return [
            Figure(
                id: "parallel-16",
                title: "\(s.parallelUsers) users saving durably in parallel, throughput",
                ours: .init(label: "saves/s, median block", value: ours.median, unit: "/s"),
                baseline: .init(label: "\(s.parallelUsers) threads write+fdatasync, median block", value: threads.median, unit: "/s"),
                goal: .atLeast(0.8),
                note: sides + " vs the same count of \(line.count)-byte appends (one thread and one file per writer); "
                    + "wall time per block"),
            Figure(
                id: "parallel-16-bridge",
                title: "\(s.parallelUsers) users saving durably in parallel, vs the same appends from async tasks",
                ours: .init(label: "saves/s, median block", value: ours.median, unit: "/s"),
                baseline: .init(label: "\(s.parallelUsers) tasks awaiting write+fdatasync on a queue each, median block", value: bridged.median, unit: "/s"),
                goal: nil,
                note: sides + " vs \(s.parallelUsers) Swift tasks, each awaiting its appends one at a time on a serial "
                    + "Dispatch queue of its own: the thread hand-offs any async API over blocking `fdatasync` pays, "
                    + "and none of the store's work. Measured in the same blocks as parallel-16; wall time per block"),
        ]
    }

    /// One task per file, each awaiting `appends` synced appends made on a serial queue of its
    /// own: raw appends behind the same async bridge the store uses.
    static func bridgedAppends(files: [RawFile], queues: [DispatchQueue], bytes: [UInt8], appends: Int) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (file, queue) in zip(files, queues) {
                let handOff = UnsafeTransfer(file)
                group.addTask {
                    for _ in 0..<appends {
                        // Unsafe, as the store's own wait is: the cheapest bridge there is.
                        try await withUnsafeThrowingContinuation { (done: UnsafeContinuation<Void, any Error>) in
                            queue.async { done.resume(with: Result { try handOff.value.append(bytes, sync: true) }) }
                        }
                    }
                }
            }
            try await group.waitForAll()
        }
    }

    /// The store side alone, for a profiler: `users` tasks each making `saves` durable saves.
    static func profile(users: Int, saves: Int, _ scratch: Scratch) async throws {
        let store = try FileStateStore(directory: scratch.folder("parallel"), options: Workload.options(.durable))
        let contexts = (0..<users).map { Workload.context(userID: "parallel-\($0)", messages: 10) }
        for context in contexts { try await store.saveContext(context) }
        _ = try await saveInParallel(contexts, store, saves)
        try await store.close()
    }

    /// The baseline alone, for a profiler: `users` threads each making `appends` synced appends.
    static func profileRaw(users: Int, appends: Int, _ scratch: Scratch) async throws {
        let line = try await StoreFiles.probeLine(scratch)
        let files = try rawFiles(users, scratch)
        _ = try rawParallelAppends(files: files, bytes: line, appends: appends)
    }

    /// The async bridge alone, for a profiler: `users` tasks each awaiting `appends` synced
    /// appends made on a serial queue of its own.
    static func profileBridged(users: Int, appends: Int, _ scratch: Scratch) async throws {
        let line = try await StoreFiles.probeLine(scratch)
        let files = try rawFiles(users, scratch)
        try await bridgedAppends(files: files, queues: files.map { _ in DispatchQueue(label: "bridged") }, bytes: line, appends: appends)
    }

    /// The baselines' files. Like the users' journals, each sits in a folder of its own (so the
    /// file system places their inodes apart, as it does the journals') and lives through every block.
    private static func rawFiles(_ count: Int, _ scratch: Scratch) throws -> [RawFile] {
        try (0..<count).map { index in
            let folder = scratch.folder("raw-parallel/writer-\(index)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            return try RawFile(path: folder.appendingPathComponent("journal.bin").path)
        }
    }

    /// The contexts with their histories cut back to `count` messages, each saved so (one at a time).
    private static func trimmed(_ contexts: [CoachContext], _ store: FileStateStore, to count: Int) async throws -> [CoachContext] {
        var result: [CoachContext] = []
        for var context in contexts {
            if context.conversationHistory.count > count {
                context.conversationHistory.removeLast(context.conversationHistory.count - count)
                try await store.saveContext(context)
            }
            result.append(context)
        }
        return result
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
