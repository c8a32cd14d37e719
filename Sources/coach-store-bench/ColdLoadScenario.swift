import CoachPersistence
import Foundation

/// Loading a 10,000-message context into a store opened just for it, against `JSONDecoder`
/// decoding the same snapshot bytes already in memory.
enum ColdLoadScenario {
    /// The snapshot's layout, as any JSON reader would decode it (the checksum key is ignored).
    private struct SnapshotBody: Decodable {
        var context: CoachContext
        var format: Int
        var sequence: UInt64
    }

    static func run(_ s: BenchSettings, _ scratch: Scratch) async throws -> [Figure] {
        let root = scratch.folder("cold-load")
        let userID = "cold"
        let writer = try FileStateStore(directory: root, options: Workload.options(.durable))
        _ = try await Conversation(store: writer, userID: userID, history: s.history)
        try await writer.compact(userID: userID)
        try await writer.close()
        let snapshot = try Data(contentsOf: StoreFiles.onlyUserFolder(root).appendingPathComponent("snapshot.json"))

        var faults = (ours: 0, base: 0)
        let (ours, base) = try await interleaved(
            blocks: s.blocks, warmUp: s.warmUp,
            { _ in
                let before = minorPageFaults()
                defer { faults.ours += minorPageFaults() - before }
                return try await coldLoads(root, userID, expecting: s.history, s.coldLoads)
            },
            { _ in
                let before = minorPageFaults()
                defer { faults.base += minorPageFaults() - before }
                return try await timedRuns(s.coldLoads) { _ in
                    let body = try JSONDecoder().decode(SnapshotBody.self, from: snapshot)
                    guard body.context.conversationHistory.count == s.history else { throw BenchError("short snapshot") }
                }
            })
        let runs = (s.blocks + (s.warmUp ? 1 : 0)) * s.coldLoads
        return [
            Figure(
                id: "cold-load",
                title: "cold load of a \(s.history)-message context",
                ours: .init(label: "open store + load, median", value: ours.median, unit: "µs"),
                baseline: .init(label: "JSONDecoder on the snapshot bytes, median", value: base.median, unit: "µs"),
                goal: .atMost(1.30),
                note: "\(ours.count) loads each, \(s.blocks) interleaved blocks; each load opens a new FileStateStore "
                    + "(lock, store.json), reads and checks the \(snapshot.count)-byte snapshot and the empty journal, "
                    + "decodes; the baseline decodes bytes already in memory (page cache is warm for both); minor page faults "
                    + "per load \(faults.ours / runs) vs \(faults.base / runs) (the store's close, untimed, is counted too)")
        ]
    }

    /// The process's minor page faults so far (`getrusage`).
    private static func minorPageFaults() -> Int {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return usage.ru_minflt
    }

    /// `count` loads, each through a store opened for it; the close after each is not timed.
    private static func coldLoads(_ root: URL, _ userID: String, expecting messages: Int, _ count: Int) async throws -> [Double] {
        var times: [Double] = []
        for _ in 0..<count {
            let start = monotonicNanoseconds()
            let store = try FileStateStore(directory: root)
            let context = try await store.loadContext(userID: userID)
            times.append(microseconds(since: start))
            guard context?.conversationHistory.count == messages else { throw BenchError("cold load found the wrong context") }
            try await store.close()
        }
        return times
    }
}
