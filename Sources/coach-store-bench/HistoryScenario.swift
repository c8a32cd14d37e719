import CoachPersistence

/// A save at 10,000 messages of history against one at 10: the journal makes a save cost
/// O(change), so the two should be nearly equal.
enum HistoryScenario {
    static func run(_ settings: BenchSettings, _ scratch: Scratch) async throws -> [Figure] {
        [
            try await measure(durability: .durable, name: "durable", settings, scratch),
            try await measure(durability: .unsynced, name: "unsynced", settings, scratch),
        ]
    }

    private static func measure(
        durability: FileStateStore.Durability, name: String, _ s: BenchSettings, _ scratch: Scratch
    ) async throws -> Figure {
        let store = try FileStateStore(directory: scratch.folder("history-\(name)"), options: Workload.options(durability))
        let long = try await Conversation(store: store, userID: "long", history: s.history)
        try await store.compact(userID: "long")
        var short: Conversation?
        let (atLong, atShort) = try await interleaved(
            blocks: s.fineBlocks, warmUp: s.warmUp,
            { _ in try await long.timedTurns(s.fineSaves) },
            { block in
                if block % 10 == 0 || short == nil {
                    short = try await Conversation(store: store, userID: "short-\(block)", history: s.shortHistory)
                }
                return try await short!.timedTurns(s.fineSaves)
            })
        try await store.close()
        return Figure(
            id: "history-\(name)",
            title: "\(name) save at \(s.history) messages of history",
            ours: .init(label: "at \(s.history), median", value: atLong.median, unit: "µs"),
            baseline: .init(label: "at \(s.shortHistory), median", value: atShort.median, unit: "µs"),
            goal: durability == .durable ? .atMost(1.20) : nil,
            note: "\(atLong.count) saves each, \(s.fineBlocks) interleaved blocks of \(s.fineSaves) (the short user renewed every 10 blocks); the long user is compacted first "
                + "(its \(s.history) messages are in the snapshot); time of saveContext only, the app's append excluded; "
                + "p99 \(Report.number(atLong.percentile(0.99))) vs \(Report.number(atShort.percentile(0.99))) µs")
    }
}
