import CoachPersistence
import Foundation

/// Loading a 10,000-message context into a store opened just for it, against `JSONDecoder`
/// decoding the same bytes already in memory: from a snapshot, and replayed from a journal of
/// one record per message (a user never compacted).
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
        return try await [replay(s, scratch)] + [
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

    /// A record's layout, as any JSON reader would decode it (the checksum key is ignored).
    private struct RecordBody: Decodable {
        var seq: UInt64
        var events: [EventBody]
    }

    /// An event of the two kinds this journal holds.
    private struct EventBody: Decodable {
        var messages: Int
        private enum Key: String, CodingKey { case type, value }
        init(from decoder: Decoder) throws {
            let c = try decoder.container(keyedBy: Key.self)
            switch try c.decode(String.self, forKey: .type) {
            case "contextReplaced": messages = try c.decode(CoachContext.self, forKey: .value).conversationHistory.count
            case "messagesAppended": messages = try c.decode([ChatMessage].self, forKey: .value).count
            case let other: throw BenchError("unexpected event \(other)")
            }
        }
    }

    /// Opening a user whose history is a journal of one record per message, against
    /// `JSONDecoder` decoding each of those lines from memory.
    private static func replay(_ s: BenchSettings, _ scratch: Scratch) async throws -> Figure {
        let root = scratch.folder("replay")
        let userID = "replayed"
        let writer = try FileStateStore(directory: root, options: Workload.options(.unsynced))
        let conversation = try await Conversation(store: writer, userID: userID, history: 1)
        _ = try await conversation.timedTurns(s.history - 1)
        try await writer.close()
        let journal = [UInt8](try Data(contentsOf: StoreFiles.onlyUserFolder(root).appendingPathComponent("journal.jsonl")))
        let lines = journal.split(separator: UInt8(ascii: "\n")).map { Data($0) }
        let (ours, base) = try await interleaved(
            blocks: s.blocks, warmUp: s.warmUp,
            { _ in try await coldLoads(root, userID, expecting: s.history, s.coldLoads) },
            { _ in
                try await timedRuns(s.coldLoads) { _ in
                    let decoder = JSONDecoder()
                    var messages = 0
                    for line in lines { messages += try decoder.decode(RecordBody.self, from: line).events.reduce(0) { $0 + $1.messages } }
                    guard messages == s.history else { throw BenchError("short journal") }
                }
            })
        return Figure(
            id: "cold-replay",
            title: "cold load of a \(s.history)-message context from \(lines.count) journal records",
            ours: .init(label: "open store + load, median", value: ours.median, unit: "µs"),
            baseline: .init(label: "JSONDecoder on each record line, median", value: base.median, unit: "µs"),
            // Replaying must cost less than decoding alone: a replay that copied the context per
            // event made this 14× (1.6 s) before it was caught.
            goal: .atMost(1.0),
            note: "\(ours.count) loads each, \(s.blocks) interleaved blocks; no snapshot: each load opens a new FileStateStore, "
                + "reads the \(journal.count)-byte journal, checks each record's CRC and replays it; the baseline decodes the same lines "
                + "already in memory")
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
