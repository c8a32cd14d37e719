import CoachPersistence

/// A save appending one ~400-byte message, against the same bytes appended straight to a file
/// with the same system calls: `write` + `fdatasync` for durable saves, `write` for unsynced ones.
enum SaveScenario {
    static func run(_ settings: BenchSettings, _ scratch: Scratch) async throws -> [Figure] {
        let line = try await StoreFiles.probeLine(scratch)
        return [
            try await measure(durable: true, line: line, settings, scratch),
            try await measure(durable: false, line: line, settings, scratch),
        ]
    }

    private static func measure(durable: Bool, line: [UInt8], _ s: BenchSettings, _ scratch: Scratch) async throws -> Figure {
        let name = durable ? "durable" : "unsynced"
        let store = try FileStateStore(directory: scratch.folder("save-\(name)"), options: Workload.options(durable ? .durable : .unsynced))
        let raw = try RawFile(path: scratch.file("raw-\(name).bin"))
        let (ours, base) = try await interleaved(
            blocks: s.blocks, warmUp: s.warmUp,
            { block in
                // A fresh user per block keeps the history short, as in the baseline's steady state.
                let conversation = try await Conversation(store: store, userID: "\(name)-\(block)", history: s.shortHistory)
                return try await conversation.timedTurns(s.saves)
            },
            { _ in try await timedRuns(s.saves) { _ in try raw.append(line, sync: durable) } })
        try await store.close()
        return Figure(
            id: durable ? "durable-save" : "unsynced-save",
            title: durable ? "durable save of one ~400-byte message" : "unsynced save of one ~400-byte message",
            ours: .init(label: "save, median", value: ours.median, unit: "µs"),
            baseline: .init(label: durable ? "write+fdatasync, median" : "write, median", value: base.median, unit: "µs"),
            goal: durable ? .atMost(1.10) : nil,
            note: "\(ours.count) saves vs \(base.count) raw appends of the same \(line.count)-byte journal line, "
                + "\(s.blocks) interleaved blocks, a user with \(s.shortHistory)+ messages; "
                + "p99 \(Report.number(ours.percentile(0.99))) vs \(Report.number(base.percentile(0.99))) µs, "
                + "mean \(Report.number(ours.mean)) vs \(Report.number(base.mean)) µs")
    }
}
