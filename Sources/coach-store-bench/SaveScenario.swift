import CoachPersistence

/// A save appending one ~400-byte message, against the same bytes appended straight to a file
/// with the same system calls: `write` + `fdatasync` for durable saves, `write` for unsynced ones.
enum SaveScenario {
    static func run(_ settings: BenchSettings, _ scratch: Scratch) async throws -> [Figure] {
        let line = try await StoreFiles.probeLine(scratch)
        return [
            try await measure(durable: true, line: line, settings, scratch),
            try await measure(durable: false, line: line, settings, scratch),
            try await control(line: line, settings, scratch),
            try await memoryControl(line: line, settings, scratch),
            try await afterSaveControl(line: line, settings, scratch),
        ]
    }

    /// The same raw appends on both sides (two files): how far from 1.00 the noise of this run
    /// alone moves a durable ratio.
    private static func control(line: [UInt8], _ s: BenchSettings, _ scratch: Scratch) async throws -> Figure {
        let (a, b) = try await rawPair("control", line: line, s, scratch)
        return Figure(
            id: "control-a-a",
            title: "control: write+fdatasync against itself (A/A)",
            ours: .init(label: "file A, median", value: a.median, unit: "µs"),
            baseline: .init(label: "file B, median", value: b.median, unit: "µs"),
            goal: nil,
            note: "\(a.count) appends each, \(s.fineBlocks) interleaved blocks of \(s.fineSaves); both sides are identical, "
                + "so any distance from 1.00 is this run's noise on the disk-bound figures")
    }

    /// The same raw appends, one side writing one byte in each of 1,024 cache lines (64 KiB)
    /// before each append, inside the timing: what touching memory between syncs costs on this
    /// machine. The store's save touches its code and data (the Swift runtime, Dispatch, malloc,
    /// the store) between syncs; here that cost is measured with nothing of the store in it.
    private static func memoryControl(line: [UInt8], _ s: BenchSettings, _ scratch: Scratch) async throws -> Figure {
        let lines = 1024
        var memory = [UInt8](repeating: 1, count: lines * 64)
        let (a, b) = try await rawPair("memory", line: line, s, scratch, timingBefore: true) {
            memory.withUnsafeMutableBufferPointer { bytes in
                for index in stride(from: 0, to: bytes.count, by: 64) { bytes[index] &+= 1 }
            }
        }
        return Figure(
            id: "control-memory",
            title: "control: write+fdatasync with 64 KiB of memory touched before each",
            ours: .init(label: "64 KiB touched, median", value: a.median, unit: "µs"),
            baseline: .init(label: "nothing touched, median", value: b.median, unit: "µs"),
            goal: nil,
            note: "\(a.count) appends each, \(s.fineBlocks) interleaved blocks of \(s.fineSaves); one byte written in each of "
                + "\(lines) cache lines before each append: about \(Report.number((a.median - b.median) * 1000 / Double(lines))) ns "
                + "per line touched between syncs (a loop over the same lines without syncs takes about 1 µs)")
    }

    /// The same raw appends, one side making an unsynced save to a store before each append,
    /// outside the timing: what running the store's code between two syncs costs the kernel's
    /// next `write`+`fdatasync` (caches, TLBs and branch predictors refilled with other code).
    /// A durable save pays this on top of its own time.
    private static func afterSaveControl(line: [UInt8], _ s: BenchSettings, _ scratch: Scratch) async throws -> Figure {
        let store = try FileStateStore(directory: scratch.folder("after-save"), options: Workload.options(.unsynced))
        var conversation: Conversation?
        var saves = 0
        let (a, b) = try await rawPair("after-save", line: line, s, scratch, timingBefore: false) {
            // A fresh user every 50 saves keeps the history short, as in the durable save figure.
            if saves % (10 * s.fineSaves) == 0 {
                conversation = try await Conversation(store: store, userID: "after-save-\(saves)", history: s.shortHistory)
            }
            saves += 1
            _ = try await conversation!.timedTurn()
        }
        try await store.close()
        return Figure(
            id: "control-after-save",
            title: "control: write+fdatasync right after an unsynced save to a store",
            ours: .init(label: "after a save, median", value: a.median, unit: "µs"),
            baseline: .init(label: "alone, median", value: b.median, unit: "µs"),
            goal: nil,
            note: "\(a.count) appends each, \(s.fineBlocks) interleaved blocks of \(s.fineSaves); the save is not timed, only "
                + "the append after it: the part of a durable save's cost that is the kernel's sync path running after the "
                + "store's code")
    }

    /// Synced raw appends of `line` to two files of their own, in interleaved blocks; side A
    /// runs `before` ahead of each append, inside its timing or not. Returns each side's times in µs.
    private static func rawPair(
        _ name: String, line: [UInt8], _ s: BenchSettings, _ scratch: Scratch,
        timingBefore: Bool = false, before: () async throws -> Void = {}
    ) async throws -> (a: Samples, b: Samples) {
        let first = try RawFile(path: scratch.file("\(name)-a.bin"))
        let second = try RawFile(path: scratch.file("\(name)-b.bin"))
        return try await interleaved(
            blocks: s.fineBlocks, warmUp: s.warmUp,
            { _ in
                var times: [Double] = []
                for _ in 0..<s.fineSaves {
                    if !timingBefore { try await before() }
                    let start = monotonicNanoseconds()
                    if timingBefore { try await before() }
                    try first.append(line, sync: true)
                    times.append(microseconds(since: start))
                }
                return times
            },
            { _ in try await timedRuns(s.fineSaves) { _ in try second.append(line, sync: true) } })
    }

    private static func measure(durable: Bool, line: [UInt8], _ s: BenchSettings, _ scratch: Scratch) async throws -> Figure {
        let name = durable ? "durable" : "unsynced"
        let store = try FileStateStore(directory: scratch.folder("save-\(name)"), options: Workload.options(durable ? .durable : .unsynced))
        let raw = try RawFile(path: scratch.file("raw-\(name).bin"))
        var conversation: Conversation?
        let (ours, base) = try await interleaved(
            blocks: s.fineBlocks, warmUp: s.warmUp,
            { block in
                // A fresh user every ten blocks keeps the history short.
                if block % 10 == 0 || conversation == nil {
                    conversation = try await Conversation(store: store, userID: "\(name)-\(block)", history: s.shortHistory)
                }
                return try await conversation!.timedTurns(s.fineSaves)
            },
            { _ in try await timedRuns(s.fineSaves) { _ in try raw.append(line, sync: durable) } })
        try await store.close()
        return Figure(
            id: durable ? "durable-save" : "unsynced-save",
            title: durable ? "durable save of one ~400-byte message" : "unsynced save of one ~400-byte message",
            ours: .init(label: "save, median", value: ours.median, unit: "µs"),
            baseline: .init(label: durable ? "write+fdatasync, median" : "write, median", value: base.median, unit: "µs"),
            goal: durable ? .atMost(1.10) : nil,
            note: "\(ours.count) saves vs \(base.count) raw appends of the same \(line.count)-byte journal line, "
                + "\(s.fineBlocks) interleaved blocks of \(s.fineSaves), a user with \(s.shortHistory) to \(s.shortHistory + 10 * s.fineSaves) messages; "
                + "p99 \(Report.number(ours.percentile(0.99))) vs \(Report.number(base.percentile(0.99))) µs, "
                + "mean \(Report.number(ours.mean)) vs \(Report.number(base.mean)) µs")
    }
}
