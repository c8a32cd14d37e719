import CoachPersistence
import Foundation

/// A save at 10,000 messages of history against one at 10: the journal makes a save cost
/// O(change), so the two should be nearly equal. Then edits at the end of a 10,000-message
/// history (regenerate the last reply, edit the 4th message from the end) against an append at
/// the same length: format version 2's `historyTruncated` makes them cost what they change.
enum HistoryScenario {
    static func run(_ settings: BenchSettings, _ scratch: Scratch) async throws -> [Figure] {
        [
            try await measure(durability: .durable, name: "durable", settings, scratch),
            try await measure(durability: .unsynced, name: "unsynced", settings, scratch),
        ] + (try await measureEdits(settings, scratch))
    }

    /// Regenerate and edit-near-the-end saves against appends, all at `s.history` messages, in
    /// interleaved blocks on one durable store: bytes each save adds to the journal, and time.
    private static func measureEdits(_ s: BenchSettings, _ scratch: Scratch) async throws -> [Figure] {
        let root = scratch.folder("history-edits")
        let store = try FileStateStore(directory: root, options: Workload.options(.durable))
        let append = try await EditingConversation(store: store, root: root, userID: "append", history: s.history)
        let regenerate = try await EditingConversation(store: store, root: root, userID: "regenerate", history: s.history)
        let edit = try await EditingConversation(store: store, root: root, userID: "edit", history: s.history)
        for user in ["append", "regenerate", "edit"] { try await store.compact(userID: user) }
        var appendBytes = Samples(), regenerateBytes = Samples(), editBytes = Samples()
        let (regenerateTimes, appendTimes) = try await interleaved(
            blocks: s.fineBlocks, warmUp: s.warmUp,
            { _ in try await regenerate.timedSaves(s.fineSaves, .regenerate, bytes: &regenerateBytes) },
            { _ in
                _ = try await edit.timedSaves(s.fineSaves, .editFromEnd(4), bytes: &editBytes)
                return try await append.timedSaves(s.fineSaves, .append, bytes: &appendBytes)
            })
        try await store.close()
        let note = "durable, \(regenerateTimes.count) saves each in \(s.fineBlocks) interleaved blocks of \(s.fineSaves); users compacted first, "
            + "history kept at \(s.history) messages by the regenerate and edit users; bytes: what one save adds to journal.jsonl"
        return [
            Figure(
                id: "history-regenerate-bytes", title: "regenerate the last reply at \(s.history) messages: bytes written",
                ours: .init(label: "regenerate, median", value: regenerateBytes.median, unit: "B"),
                baseline: .init(label: "append, median", value: appendBytes.median, unit: "B"),
                goal: .atMost(2), note: note),
            Figure(
                id: "history-regenerate-time", title: "regenerate the last reply at \(s.history) messages: save time",
                ours: .init(label: "regenerate, median", value: regenerateTimes.median, unit: "µs"),
                baseline: .init(label: "append, median", value: appendTimes.median, unit: "µs"),
                goal: .atMost(1.2),
                note: note + "; p99 \(Report.number(regenerateTimes.percentile(0.99))) vs \(Report.number(appendTimes.percentile(0.99))) µs"),
            Figure(
                id: "history-edit-bytes", title: "edit the 4th message from the end at \(s.history) messages: bytes written",
                ours: .init(label: "edit, median", value: editBytes.median, unit: "B"),
                baseline: .init(label: "append, median", value: appendBytes.median, unit: "B"),
                goal: .atMost(6), note: note),
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

/// An app editing one user's history the ways chat apps do, saving the whole context each time.
private final class EditingConversation {
    enum Edit {
        /// Append one message.
        case append
        /// Replace the last message with a new one (drop the reply, append another).
        case regenerate
        /// Change the text of the message `n` places from the end (1: the last).
        case editFromEnd(Int)
    }

    let store: FileStateStore
    let journal: String
    private var context: CoachContext
    private var turn: Int

    init(store: FileStateStore, root: URL, userID: String, history: Int) async throws {
        self.store = store
        journal = root.appendingPathComponent("users/\(userID)/journal.jsonl").path
        context = Workload.context(userID: userID, messages: history)
        turn = history
        try await store.saveContext(context)
    }

    /// `count` saves of `edit` (the edit itself not timed); returns their times in microseconds
    /// and adds the bytes each wrote to `bytes`.
    func timedSaves(_ count: Int, _ edit: Edit, bytes: inout Samples) async throws -> [Double] {
        var times: [Double] = []
        for _ in 0..<count {
            let history = context.conversationHistory.count
            switch edit {
            case .append: context.conversationHistory.append(Workload.message(turn))
            case .regenerate: context.conversationHistory[history - 1] = Workload.message(turn)
            case .editFromEnd(let n): context.conversationHistory[history - n].content = Workload.replyText + " (edit \(turn))"
            }
            turn += 1
            let before = size()
            let start = monotonicNanoseconds()
            try await store.saveContext(context)
            times.append(microseconds(since: start))
            bytes.values.append(Double(size() - before))
        }
        return times
    }

    private func size() -> Int {
        ((try? FileManager.default.attributesOfItem(atPath: journal))?[.size] as? NSNumber)?.intValue ?? 0
    }
}
