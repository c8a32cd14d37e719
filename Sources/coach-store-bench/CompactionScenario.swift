import CoachPersistence
import Synchronization

/// Save latency while the user's journal is being compacted, against the same saves without.
enum CompactionScenario {
    /// Saves after each compaction returns that still count as "while compacting": the first
    /// journal commits after it carry its deferred work (freeing the old snapshot's blocks), and
    /// the saves without must not inherit that.
    static let tailSaves = 20

    static func run(_ s: BenchSettings, _ scratch: Scratch) async throws -> [Figure] {
        let store = try FileStateStore(directory: scratch.folder("compaction"), options: Workload.options(.durable))
        let userID = "compacted"
        let conversation = try await Conversation(store: store, userID: userID, history: s.history)
        try await store.compact(userID: userID)
        var runs = 0
        var lastCount = 0
        // Each A block is one whole compaction, from its call to its return, with saves going on
        // the whole time (so they meet its encoding, its writes, its syncs and its journal swap),
        // plus a tail; each B block makes as many saves again without one. A compaction always
        // has work: the B block before it appended to the journal.
        let (during, without) = try await interleaved(
            blocks: s.blocks, warmUp: s.warmUp,
            { _ in
                // Each compaction starts from the history the figure names; the saves since the
                // last one (up to a few thousand) are appended to it.
                try await conversation.trimHistory(to: s.history)
                let times = try await savesDuringOneCompaction(conversation, store, userID, minimum: s.saves)
                runs += 1
                lastCount = times.count
                return times
            },
            { _ in try await conversation.timedTurns(lastCount) })
        try await store.close()
        let slow = during.values.filter { $0 > without.percentile(0.99) }.count
        return [
            Figure(
                id: "compaction-p99",
                title: "p99 durable save while the user's journal is compacted",
                ours: .init(label: "p99 during compaction", value: during.percentile(0.99), unit: "µs"),
                baseline: .init(label: "p99 without", value: without.percentile(0.99), unit: "µs"),
                goal: .atMost(1.5),
                note: "\(during.count) saves each, \(s.blocks) interleaved blocks, a user with \(s.history) messages when each A block starts (each save appends one; trimmed back, untimed, before the next A block); "
                    + "each A block saves from the call of compact(userID:) to its return (\(runs) calls, each writing "
                    + "the whole snapshot) and \(tailSaves) saves after; each B block makes as many saves without; "
                    + "\(slow) saves during compaction were slower than the p99 without; medians "
                    + "\(Report.number(during.median)) vs \(Report.number(without.median)) µs, max "
                    + "\(Report.number(during.percentile(1))) vs \(Report.number(without.percentile(1))) µs"),
            Figure(
                id: "compaction-max",
                title: "… slowest durable save while compacted, vs 10× the p99 without",
                ours: .init(label: "max during compaction", value: during.percentile(1), unit: "µs"),
                baseline: .init(label: "10 × p99 without", value: 10 * without.percentile(0.99), unit: "µs"),
                goal: .atMost(1),
                note: "the same saves as compaction-p99; one sample, so the disk's own stalls (the max without compaction "
                    + "was \(Report.number(without.percentile(1))) µs) weigh on it fully"),
        ]
    }

    /// Timed saves from the start of one compaction of `userID` until it returned, at least
    /// `minimum` of them, then ``tailSaves`` more.
    private static func savesDuringOneCompaction(
        _ conversation: Conversation, _ store: FileStateStore, _ userID: String, minimum: Int
    ) async throws -> [Double] {
        let done = DoneFlag()
        let compaction = Task {
            defer { done.set() }
            try await store.compact(userID: userID)
        }
        var times: [Double] = []
        while !done.isSet || times.count < minimum { times.append(try await conversation.timedTurn()) }
        try await compaction.value
        return times + (try await conversation.timedTurns(tailSaves))
    }
}

private final class DoneFlag: Sendable {
    private let value = Atomic<Bool>(false)
    func set() { value.store(true, ordering: .releasing) }
    var isSet: Bool { value.load(ordering: .acquiring) }
}
