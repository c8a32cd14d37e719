import CoachTestSupport
import Foundation
import Testing
@testable import CoachPersistence

/// Edits at the end of the history cost what they change (issue 11): the `historyTruncated`
/// event, the diff's choice of encoding, and format version 2.
@Suite("History truncation")
struct HistoryTruncationTests {
    static func message(_ n: Int, _ text: String = "m") -> ChatMessage {
        ChatMessage(role: n % 2 == 0 ? .user : .assistant, content: "\(text) \(n)", timestamp: Date(timeIntervalSince1970: 1_800_000_000 + Double(n)))
    }

    static func history(_ count: Int) -> [ChatMessage] { (0..<count).map { message($0) } }

    @Test("regenerate, pop, an edit near the end and an edit of the first message each get the cheapest events")
    func diffChoosesTruncation() {
        let old = CoachContext(userID: "u", conversationHistory: Self.history(10))
        var regenerated = old
        regenerated.conversationHistory[9] = Self.message(9, "again")
        #expect(ContextDiff.events(from: old, to: regenerated) == [.historyTruncated(9), .messagesAppended([Self.message(9, "again")])])
        var popped = old
        popped.conversationHistory.removeLast(2)
        #expect(ContextDiff.events(from: old, to: popped) == [.historyTruncated(8)])
        var edited = old
        edited.conversationHistory[6].content = "edited"
        #expect(ContextDiff.events(from: old, to: edited) == [.historyTruncated(6), .messagesAppended(Array(edited.conversationHistory[6...]))])
        var first = old
        first.conversationHistory[0].content = "edited"
        #expect(ContextDiff.events(from: old, to: first) == [.historyReplaced(first.conversationHistory)])
        var appended = old
        appended.conversationHistory.append(Self.message(10))
        #expect(ContextDiff.events(from: old, to: appended) == [.messagesAppended([Self.message(10)])])
        #expect(ContextDiff.events(from: old, to: old).isEmpty)
        var emptied = old
        emptied.conversationHistory = []
        #expect(ContextDiff.events(from: old, to: emptied) == [.historyTruncated(0)])
    }

    @Test("random edits of a history: the events, written and read back, rebuild it exactly")
    func randomEdits() throws {
        var g = SeededRandom(seed: 11)
        for _ in 0..<500 {
            let old = CoachContext(userID: "u", conversationHistory: Self.history(Int.random(in: 0...12, using: &g)))
            var new = old
            switch Int.random(in: 0..<4, using: &g) {
            case 0 where !new.conversationHistory.isEmpty: new.conversationHistory.removeLast(Int.random(in: 1...new.conversationHistory.count, using: &g))
            case 1 where !new.conversationHistory.isEmpty:
                new.conversationHistory[Int.random(in: 0..<new.conversationHistory.count, using: &g)].content += "!"
            case 2: new.conversationHistory.insert(Self.message(99), at: Int.random(in: 0...new.conversationHistory.count, using: &g))
            default: new.conversationHistory += (0..<Int.random(in: 0...3, using: &g)).map { Self.message(50 + $0) }
            }
            var line = try JournalRecord(sequence: 1, events: ContextDiff.events(from: old, to: new)).encodedLine()
            line.removeLast()
            var replayed = old
            for event in try JournalRecord.decode(line: line[...], decoder: JSONCoding.decoder()).get().events { event.apply(to: &replayed) }
            let rebuilt = replayed == new
            #expect(rebuilt, "\(old.conversationHistory.count) → \(new.conversationHistory.count) messages")
        }
    }

    @Test("historyTruncated is written as its count and refused when negative")
    func eventGrammar() throws {
        var writer = JournalJSONWriter()
        try writer.event(.historyTruncated(42))
        #expect(String(decoding: writer.bytes, as: UTF8.self) == #"{"type":"historyTruncated","value":42}"#)
        #expect(Array(try JSONCoding.compactEncoder().encode(JournalEvent.historyTruncated(42))) == writer.bytes)
        #expect(throws: DecodingError.self) {
            try JSONCoding.decoder().decode(JournalEvent.self, from: Data(#"{"type":"historyTruncated","value":-1}"#.utf8))
        }
    }

    @Test("a regenerate at 2,000 messages appends a record about the size of an append, and reloads")
    func regenerateThroughTheStore() async throws {
        let dir = TemporaryDirectory("regenerate")
        let store = try FileStateStore(directory: dir.url, options: fastOptions())
        var context = CoachContext(userID: "u", conversationHistory: Self.history(2_000))
        try await store.saveContext(context)
        let journal = dir.url.appendingPathComponent("users/u/journal.jsonl")
        func size() throws -> Int { try Data(contentsOf: journal).count }
        var before = try size()
        context.conversationHistory.append(Self.message(2_000, "reply"))
        try await store.saveContext(context)
        let append = try size() - before
        before = try size()
        context.conversationHistory[2_000] = Self.message(2_000, "other")
        try await store.saveContext(context)
        let regenerate = try size() - before
        #expect(regenerate <= 2 * append, "regenerate wrote \(regenerate) bytes, an append \(append)")
        context.conversationHistory.removeLast()
        try await store.saveContext(context)
        try await store.close()
        let text = try String(contentsOf: journal, encoding: .utf8)
        #expect(text.contains(#"{"type":"historyTruncated","value":2000}"#))
        #expect(try await FileStateStore(directory: dir.url, options: fastOptions(readOnly: true)).loadContext(userID: "u") == context)
    }

    // MARK: Version 2

    static let manifestV1 = "{\n  \"format\" : \"coach-persistence\",\n  \"version\" : 1\n}\n"
    static let manifestV2 = "{\n  \"format\" : \"coach-persistence\",\n  \"version\" : 2\n}\n"

    @Test("a new store is version 2; a version-1 store opened for writing says 2 before anything else is written, read-only never")
    func versionUpgrade() async throws {
        let fresh = TemporaryDirectory("v2")
        _ = try FileStateStore(directory: fresh.url)
        #expect(try String(contentsOf: fresh.url.appendingPathComponent("store.json"), encoding: .utf8) == Self.manifestV2)

        let url = try copyFixture("recovery/journal-without-snapshot")
        let manifest = url.appendingPathComponent("store.json")
        #expect(try String(contentsOf: manifest, encoding: .utf8) == Self.manifestV1)
        let reader = try FileStateStore(directory: url, options: .init(readOnly: true))
        _ = try await reader.loadContext(userID: "ana")
        #expect(try String(contentsOf: manifest, encoding: .utf8) == Self.manifestV1, "a read-only open never upgrades")
        let journal = try Data(contentsOf: url.appendingPathComponent("users/ana/journal.jsonl"))
        let writer = try FileStateStore(directory: url, options: fastOptions())
        #expect(try String(contentsOf: manifest, encoding: .utf8) == Self.manifestV2)
        #expect(try Data(contentsOf: url.appendingPathComponent("users/ana/journal.jsonl")) == journal)
        #expect(!FileManager.default.fileExists(atPath: manifest.path + ".tmp"))
        try await writer.close()
    }

    @Test("a store of a newer version is refused with unsupportedFormat")
    func newerVersionRefused() {
        let layout = StoreLayout(root: "/s")
        #expect(throws: StateStoreError.unsupportedFormat(file: layout.manifest, found: 3, supported: 2)) {
            try StoreManifest.validate(Array(#"{"format":"coach-persistence","version":3}"#.utf8), layout: layout)
        }
    }
}
