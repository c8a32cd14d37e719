import CoachTestSupport
import Foundation
@testable import CoachPersistence

/// One user's files after seven small saves (a new user, an append, a state change, metadata,
/// an edit of the first message, a regenerate of the last, a pop), written by a real store, with the context after each record: the subject of
/// the every-byte tests.
struct JournalFixture: Sendable {
    static let userID = "ana"

    /// The journal's bytes.
    let journal: [UInt8]
    /// Each record's bytes in the journal, newline included.
    let records: [Range<Int>]
    /// `contexts[k]`: the context once the first `k` records are replayed (`contexts[0]` is the
    /// snapshot's, or `nil` without one).
    let contexts: [CoachContext?]
    let paths: UserPaths

    /// The context a journal cut to `length` bytes must load as.
    func context(keeping length: Int) -> CoachContext? {
        contexts[records.filter { $0.upperBound <= length }.count]
    }

    /// Where the sound part of a journal cut to `length` bytes ends.
    func soundLength(keeping length: Int) -> Int {
        records.last { $0.upperBound <= length }?.upperBound ?? 0
    }

    /// Saves the seven contexts through a store at `root` on `fileSystem`, compacting after the
    /// first `compactedSaves` of them if that is not 0.
    static func make(
        fileSystem: any FileSystem, root: String, options: FileStateStore.Options, compactedSaves: Int
    ) async throws -> JournalFixture {
        let store = try FileStateStore(directory: URL(fileURLWithPath: root), options: options, fileSystem: fileSystem)
        let saves = contexts()
        for (index, context) in saves.enumerated() {
            try await store.saveContext(context)
            if index + 1 == compactedSaves { try await store.compact(userID: userID) }
        }
        try await store.close()
        let paths = UserPaths(layout: StoreLayout(root: root), folder: UserFolderName.encode(userID))
        let journal = try fileSystem.readFile(paths.journal) ?? []
        let records = JournalReader.scan(journal).map(\.range)
        precondition(records.count == saves.count - compactedSaves)
        precondition(String(decoding: journal, as: UTF8.self).contains(#""historyTruncated""#), "the fixture must exercise format version 2's event")
        let before: CoachContext? = compactedSaves > 0 ? saves[compactedSaves - 1] : nil
        return JournalFixture(journal: journal, records: records, contexts: [before] + saves[compactedSaves...].map { $0 }, paths: paths)
    }

    private static func contexts() -> [CoachContext] {
        var context = CoachContext(userID: userID, conversationHistory: [Workload.message(0)])
        var all = [context]
        context.conversationHistory.append(Workload.message(1))
        all.append(context)
        context.currentState = .actionPlanning
        context.consolidatedSummary = "Wants to run twice a week."
        all.append(context)
        context.metadata["streak"] = 2
        all.append(context)
        context.conversationHistory[0].content = "edited"
        all.append(context)
        context.conversationHistory[1] = Workload.message(2, "regenerated")
        all.append(context)
        context.conversationHistory.removeLast()
        all.append(context)
        return all
    }
}

/// The values the every-byte tests put in place of `byte`: one bit flipped (the lowest; the
/// case bit, which turns a checksum's hex digit upper-case; the top bit, which makes UTF-8
/// invalid), and a newline, which splits or joins lines; those equal to `byte` left out.
func replacements(for byte: UInt8) -> [UInt8] {
    var values: [UInt8] = []
    for value in [byte ^ 0x01, byte ^ 0x20, byte ^ 0x80, 0x0A] where value != byte && !values.contains(value) {
        values.append(value)
    }
    return values
}
