import CoachPersistence

/// Request handlers racing on one user: 32 tasks calling `updateContext` at once, against one
/// task calling it alone, durable. Throughput, so group commit (one `fdatasync` for every
/// update queued while the last one synced) shows as a ratio.
enum UpdateScenario {
    static let updaters = 32

    static func run(_ s: BenchSettings, _ scratch: Scratch) async throws -> [Figure] {
        let store = try FileStateStore(
            directory: scratch.folder("updates"), options: Workload.options(.durable))
        try await store.saveContext(Workload.context(userID: "one", messages: s.shortHistory))
        try await store.saveContext(Workload.context(userID: "many", messages: s.shortHistory))
        let perBlock = s.parallelSaves * 4
        let (many, one) = try await interleaved(
            blocks: s.blocks, warmUp: s.warmUp,
            { _ in [try await throughput(store, user: "many", tasks: updaters, updates: perBlock)] },
            { _ in [try await throughput(store, user: "one", tasks: 1, updates: perBlock)] })
        // Keep the users' histories short for the next blocks' sake: the figure is about syncs.
        try await store.close()
        return [
            Figure(
                id: "group-commit-32",
                title: "\(updaters) concurrent updateContext calls on one user vs one at a time, throughput",
                ours: .init(label: "updates/s, \(updaters) tasks, median block", value: many.median, unit: "/s"),
                baseline: .init(label: "updates/s, 1 task, median block", value: one.median, unit: "/s"),
                goal: .atLeast(4),
                note: "\(s.blocks) interleaved blocks of \(perBlock) durable updates each appending a ~400-byte message; "
                    + "updates queued while one syncs share the next fdatasync")
        ]
    }

    /// `updates` updates of `user`, spread over `tasks` tasks; updates per second.
    private static func throughput(_ store: FileStateStore, user: String, tasks: Int, updates: Int) async throws -> Double {
        let start = monotonicNanoseconds()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for task in 0..<tasks {
                group.addTask {
                    for _ in stride(from: task, to: updates, by: tasks) {
                        try await store.updateContext(userID: user) { context in
                            if context.conversationHistory.count > 200 { context.conversationHistory.removeFirst(100) }
                            context.conversationHistory.append(Workload.message(context.conversationHistory.count))
                        }
                    }
                }
            }
            try await group.waitForAll()
        }
        return Double(updates) / microseconds(since: start) * 1_000_000
    }
}
