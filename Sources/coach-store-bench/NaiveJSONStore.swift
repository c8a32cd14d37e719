import CoachPersistence
import Foundation
import Glibc

/// What a plain file store does: each user's whole context as one pretty JSON file, rewritten
/// on every save (encode, write a temporary file, `fdatasync`, rename over the old one).
struct NaiveJSONStore {
    let directory: String

    init(directory: String) throws {
        self.directory = directory
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    func save(_ context: CoachContext) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let bytes = [UInt8](try encoder.encode(context))
        let path = directory + "/" + context.userID + ".json"
        let file = try RawFile(path: path + ".tmp")
        try file.append(bytes, sync: true)
        guard rename(path + ".tmp", path) == 0 else { throw BenchError.posix("rename", path, errno) }
    }
}

/// The naive store at 10,000 messages against itself at 10: why the journal exists.
enum NaiveStoreScenario {
    static func run(_ s: BenchSettings, _ scratch: Scratch) async throws -> [Figure] {
        let store = try NaiveJSONStore(directory: scratch.file("naive"))
        var long = Workload.context(userID: "long", messages: s.history)
        try store.save(long)
        let (atLong, atShort) = try await interleaved(
            blocks: s.blocks, warmUp: s.warmUp,
            { _ in try await timedAppends(to: &long, store, s.naiveSaves) },
            { block in
                var short = Workload.context(userID: "short-\(block)", messages: s.shortHistory)
                try store.save(short)
                return try await timedAppends(to: &short, store, s.naiveSaves)
            })
        return [
            Figure(
                id: "naive-history",
                title: "naive whole-file JSON store, save at \(s.history) messages",
                ours: .init(label: "at \(s.history), median", value: atLong.median, unit: "µs"),
                baseline: .init(label: "at \(s.shortHistory), median", value: atShort.median, unit: "µs"),
                goal: nil,
                note: "\(atLong.count) saves each, \(s.blocks) interleaved blocks; each save encodes the whole "
                    + "context with JSONEncoder, writes a temp file, fdatasyncs and renames (no folder fsync)")
        ]
    }

    private static func timedAppends(to context: inout CoachContext, _ store: NaiveJSONStore, _ count: Int) async throws -> [Double] {
        var times: [Double] = []
        for _ in 0..<count {
            context.conversationHistory.append(Workload.message(context.conversationHistory.count))
            let start = monotonicNanoseconds()
            try store.save(context)
            times.append(microseconds(since: start))
        }
        return times
    }
}
