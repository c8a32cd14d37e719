import CoachPersistence
import Foundation

/// Save latency while the user's journal is being compacted, against the same saves without;
/// and, interleaved with it, the same question asked of the file system alone: raw appends while
/// a raw thread writes a file of the snapshot's size.
enum CompactionScenario {
    /// Saves after each compaction returns that still count as "while compacting": the first
    /// journal commits after it carry its deferred work (freeing the old snapshot's blocks), and
    /// the saves without must not inherit that.
    static let tailSaves = 20

    static func run(_ s: BenchSettings, _ scratch: Scratch) async throws -> [Figure] {
        let root = scratch.folder("compaction")
        let store = try FileStateStore(directory: root, options: Workload.options(.durable))
        let userID = "compacted"
        let conversation = try await Conversation(store: store, userID: userID, history: s.history)
        try await store.compact(userID: userID)
        let folder = try StoreFiles.onlyUserFolder(root)
        let snapshot = folder.appendingPathComponent("snapshot.json").path
        let journal = folder.appendingPathComponent("journal.jsonl").path
        var sizes = RawSnapshotWriter.Sizes(snapshot: try fileSize(snapshot), journalBefore: 0, journalAfter: 0)
        // Saves in the last store A block before its tail: each raw A block makes as many, so
        // that one write weighs on the same number of saves on both sides.
        var window = s.saves
        let line = try await StoreFiles.probeLine(scratch)

        // Each store A block is one whole compaction, from its call to its return, with saves
        // going on the whole time (so they meet its encoding, its writes, its syncs and its
        // journal swap), plus a tail; each B block makes as many saves again without one. A
        // compaction always has work: the B block before it (or, for the first, the save made
        // before the loop) appended to the journal. Each compaction starts from the history the
        // figure names; the saves since the last one (up to a few thousand) are appended to it.
        var ours = Side(
            whileWriting: { minimum in
                try await conversation.trimHistory(to: s.history)
                sizes.journalBefore = try fileSize(journal)
                let done = DoneFlag()
                let compaction = Task {
                    defer { done.set() }
                    try await store.compact(userID: userID)
                }
                let times = try await savesUntil(done, minimum: minimum) { try await conversation.timedTurn() }
                try await compaction.value
                // The journal's size now also counts the saves (a few at most) made between the
                // swap and the return: the raw journal is that much larger than the one swapped in.
                (sizes.snapshot, sizes.journalAfter, window) = (try fileSize(snapshot), try fileSize(journal), times.count)
                return times + (try await conversation.timedTurns(tailSaves))
            },
            alone: { count in try await conversation.timedTurns(count) })
        // The raw sides write files of the sizes the store's compaction just wrote and dropped.
        var raw = try RawSnapshotWriter.Kind.allCases.map { kind in
            try rawSide(kind, line: line, firstSize: sizes.snapshot, scratch) { sizes }
        }
        _ = try await conversation.timedTurn()  // untimed: the first compaction's work
        for block in (s.warmUp ? -1 : 0)..<s.blocks {
            try await ours.block(s.saves, record: block >= 0)
            for index in raw.indices { try await raw[index].block(window, record: block >= 0) }
        }
        try await store.close()
        return figures(ours, raw, s, sizes: sizes)
    }

    /// The store's two figures, the raw sides' and the comparison of the two p99 ratios.
    private static func figures(_ ours: Side, _ raw: [Side], _ s: BenchSettings, sizes: RawSnapshotWriter.Sizes) -> [Figure] {
        let replace = raw[RawSnapshotWriter.Kind.allCases.firstIndex(of: .replace)!]
        let overwrite = raw[RawSnapshotWriter.Kind.allCases.firstIndex(of: .overwrite)!]
        let blocks = "\(s.blocks) interleaved blocks of each pair, each A block followed by its B block, the pairs always in "
            + "the same order (store, raw replace, raw overwrite)"
        return [
            Figure(
                id: "compaction-p99",
                title: "p99 durable save while the user's journal is compacted",
                ours: .init(label: "p99 during compaction", value: ours.during.percentile(0.99), unit: "µs"),
                baseline: .init(label: "p99 without", value: ours.without.percentile(0.99), unit: "µs"),
                goal: .atMost(1.5),
                note: "\(ours.during.count) saves each, \(blocks); a user with \(s.history) messages when each A block starts (each save appends one; trimmed back, untimed, before the next A block); "
                    + "each A block saves from the call of compact(userID:) to its return (\(s.blocks) calls, each writing "
                    + "the whole snapshot, \(sizes.snapshot) bytes the last time, and a journal of \(sizes.journalAfter) bytes over one of \(sizes.journalBefore)) and \(tailSaves) saves after; each B block makes as many saves without; "
                    + ours.summary(blocks: s.blocks)),
            Figure(
                id: "compaction-max",
                title: "… slowest durable save while compacted, vs 10× the p99 without",
                ours: .init(label: "max during compaction", value: ours.during.percentile(1), unit: "µs"),
                baseline: .init(label: "10 × p99 without", value: 10 * ours.without.percentile(0.99), unit: "µs"),
                goal: .atMost(1),
                note: "the same saves as compaction-p99; one sample, so the disk's own stalls (the max without compaction "
                    + "was \(Report.number(ours.without.percentile(1))) µs) weigh on it fully; the raw replacement's max was "
                    + "\(Report.number(replace.during.percentile(1))) µs against 10 × its p99 without, \(Report.number(10 * replace.without.percentile(0.99))) µs"),
            rawFigure(replace, .replace, blocks: s.blocks),
            rawFigure(overwrite, .overwrite, blocks: s.blocks),
            Figure(
                id: "compaction-vs-raw",
                title: "… the store's p99 ratio vs the raw replacement's",
                ours: .init(label: "store: p99 during / without", value: ours.ratio, unit: "×"),
                baseline: .init(label: "raw replace: p99 during / without", value: replace.ratio, unit: "×"),
                goal: nil,
                note: "roughly what compaction adds to saves beyond the file system's own cost of a crash-safe replacement of "
                    + "the same sizes (1.00: nothing); not exactly like for like: the raw appends go to a file that is never "
                    + "swapped, while the store's saves after a swap append to a new journal; the raw floor with no new blocks "
                    + "and no rename was \(Report.number(overwrite.ratio))×"),
        ]
    }

    /// The p99 figure of one raw side.
    private static func rawFigure(_ side: Side, _ kind: RawSnapshotWriter.Kind, blocks: Int) -> Figure {
        let what = kind == .replace
            ? "writes a new file of the snapshot's size, fsyncs it, renames it over the old one and fsyncs the folder, then does "
                + "the same (with fdatasync) for a file of the new journal's size over one of the old journal's"
            : "overwrites an existing file's blocks with the snapshot's size and fdatasyncs it (no new blocks, no rename: the least any writer of these bytes does)"
        return Figure(
            id: "compaction-p99-raw-\(kind.rawValue)",
            title: kind == .replace
                ? "… file system alone: p99 write+fdatasync while a raw thread replaces a snapshot-sized file"
                : "… file system alone: p99 write+fdatasync while a raw thread overwrites a snapshot-sized file",
            ours: .init(label: "p99 during", value: side.during.percentile(0.99), unit: "µs"),
            baseline: .init(label: "p99 without", value: side.without.percentile(0.99), unit: "µs"),
            goal: nil,
            note: "\(side.during.count) raw appends of the save's journal line each, in the same run and blocks as compaction-p99; "
                + "each A block appends from the start of a thread that \(what), as many times as the store's A block before "
                + "saved (more if the thread has not ended), and \(tailSaves) more; "
                + side.summary(blocks: blocks))
    }

    /// The raw side of `kind`: appends to a file of its own, a writer in a folder of its own.
    private static func rawSide(
        _ kind: RawSnapshotWriter.Kind, line: [UInt8], firstSize: Int, _ scratch: Scratch,
        sizes: @escaping () -> RawSnapshotWriter.Sizes
    ) throws -> Side {
        let journal = try RawFile(path: scratch.file("compaction-raw-\(kind.rawValue).jsonl"))
        let writer = try RawSnapshotWriter(kind: kind, folder: scratch.file("compaction-raw-\(kind.rawValue)"), snapshotSize: firstSize)
        let save = { () throws -> Double in
            let start = monotonicNanoseconds()
            try journal.append(line, sync: true)
            return microseconds(since: start)
        }
        return Side(
            whileWriting: { minimum in
                let done = DoneFlag()
                let failures = FailureList()
                try writer.prepare(sizes())
                writer.start(sizes(), done: done, failures: failures)
                var times = try await savesUntil(done, minimum: minimum) { try save() }
                if let failure = failures.first { throw BenchError(failure) }
                for _ in 0..<tailSaves { times.append(try save()) }
                return times
            },
            alone: { count in try (0..<count).map { _ in try save() } })
    }

    /// Timed saves until `done` is set, at least `minimum` of them.
    private static func savesUntil(_ done: DoneFlag, minimum: Int, _ save: () async throws -> Double) async throws -> [Double] {
        var times: [Double] = []
        while !done.isSet || times.count < minimum { times.append(try await save()) }
        return times
    }

    /// The size of the file at `path`.
    private static func fileSize(_ path: String) throws -> Int {
        guard let size = try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int else {
            throw BenchError("no size for \(path)")
        }
        return size
    }
}

/// One side of the compaction figures: saves made while a snapshot is written (A), and as many
/// right after without (B).
private struct Side {
    /// Timed saves from the start of one snapshot write to its end (at least the given count),
    /// then ``CompactionScenario/tailSaves`` more.
    let whileWriting: (Int) async throws -> [Double]
    /// The given count of timed saves with nothing else going on.
    let alone: (Int) async throws -> [Double]
    /// The saves of the A blocks, while writing, tails included.
    var during = Samples()
    /// The saves of the B blocks.
    var without = Samples()

    /// One A block and the B block after it; `record: false` for a warm-up.
    mutating func block(_ minimum: Int, record: Bool = true) async throws {
        let a = try await whileWriting(minimum)
        let b = try await alone(a.count)
        guard record else { return }
        during.values += a
        without.values += b
    }

    /// p99 during / p99 without.
    var ratio: Double { during.percentile(0.99) / without.percentile(0.99) }

    /// Slow saves, medians and maxima, for a figure's note.
    func summary(blocks: Int) -> String {
        let threshold = without.percentile(0.99)  // once: each call sorts the samples
        let slow = during.values.filter { $0 > threshold }.count
        return "\(slow) saves while writing (\(Report.number(Double(slow) / Double(max(1, blocks)))) per write) were slower than the p99 without; medians "
            + "\(Report.number(during.median)) vs \(Report.number(without.median)) µs, max "
            + "\(Report.number(during.percentile(1))) vs \(Report.number(without.percentile(1))) µs"
    }
}
