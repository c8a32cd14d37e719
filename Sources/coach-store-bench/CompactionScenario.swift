import CoachPersistence
import Synchronization

/// Save latency while the user's journal is being compacted, against the same saves without.
enum CompactionScenario {
    static func run(_ s: BenchSettings, _ scratch: Scratch) async throws -> [Figure] {
        let store = try FileStateStore(directory: scratch.folder("compaction"), options: Workload.options(.durable))
        let userID = "compacted"
        let conversation = try await Conversation(store: store, userID: userID, history: s.history)
        try await store.compact(userID: userID)
        var busyShares = Samples()
        var runs = 0
        let (during, without) = try await interleaved(
            blocks: s.blocks, warmUp: s.warmUp,
            { _ in
                let loop = CompactionLoop(store: store, userID: userID)
                let start = monotonicNanoseconds()
                let times = try await conversation.timedTurns(s.saves)
                let elapsed = microseconds(since: start)
                let compacting = try await loop.stop()
                busyShares.values.append(min(1, compacting.busyMicros / elapsed))
                runs += compacting.runs
                return times
            },
            { _ in try await conversation.timedTurns(s.saves) })
        try await store.close()
        let slow = during.values.filter { $0 > without.percentile(0.99) }.count
        return [
            Figure(
                id: "compaction-p99",
                title: "p99 durable save while the user's journal is compacted",
                ours: .init(label: "p99 during compaction", value: during.percentile(0.99), unit: "µs"),
                baseline: .init(label: "p99 without", value: without.percentile(0.99), unit: "µs"),
                goal: .atMost(1.5),
                note: "\(during.count) saves each, \(s.blocks) interleaved blocks, a user with \(s.history)+ messages; "
                    + "during the A blocks compact(userID:) ran back to back (\(runs) calls), compaction busy "
                    + "\(Int(busyShares.median * 100))% of the block time (median); \(slow) saves during compaction were "
                    + "slower than the p99 without; medians \(Report.number(during.median)) vs "
                    + "\(Report.number(without.median)) µs, max \(Report.number(during.percentile(1))) vs \(Report.number(without.percentile(1))) µs"),
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
}

/// Compacts one user back to back in the background until stopped, as a store under steady
/// load would; pauses a millisecond between runs so an empty journal does not spin a core.
private struct CompactionLoop {
    private let flag = StopFlag()
    private let task: Task<(runs: Int, busyMicros: Double), Error>

    init(store: FileStateStore, userID: String) {
        let flag = flag
        task = Task {
            var runs = 0
            var busy = 0.0
            while !flag.isStopped {
                let start = monotonicNanoseconds()
                try await store.compact(userID: userID)
                busy += microseconds(since: start)
                runs += 1
                try await Task.sleep(for: .milliseconds(1))
            }
            return (runs, busy)
        }
    }

    /// Stops the loop after the run in progress; returns how many runs there were and their total time.
    func stop() async throws -> (runs: Int, busyMicros: Double) {
        flag.stop()
        return try await task.value
    }
}

private final class StopFlag: Sendable {
    private let value = Atomic<Bool>(false)
    func stop() { value.store(true, ordering: .relaxed) }
    var isStopped: Bool { value.load(ordering: .relaxed) }
}
