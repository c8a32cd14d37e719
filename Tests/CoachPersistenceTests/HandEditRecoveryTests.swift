import Foundation
import Testing
@testable import CoachPersistence
import CoachTestSupport

/// Recovery never guesses an acknowledged save away (issue 12, findings 1–3): an edited last
/// record is corruption, CRLF files load as LF ones, an editor's final newline is no damage,
/// and only what an interrupted append can leave is cut on its own.
@Suite("Hand edits and recovery")
struct HandEditRecoveryTests {
    /// A store with `ana` saved four times, never compacted; returns its root and journal path.
    static func store(compactAfter: Int? = nil) async throws -> (URL, URL) {
        let dir = TemporaryDirectory("hand-edit")
        let store = try FileStateStore(directory: dir.url, options: fastOptions())
        var context = sampleContext("ana", messages: 2)
        for step in 1...4 {
            context.conversationHistory.append(ChatMessage(role: .user, content: "step \(step) word", timestamp: Date(timeIntervalSince1970: 1_800_000_000 + Double(step))))
            try await store.saveContext(context)
            if step == compactAfter { try await store.compact(userID: "ana") }
        }
        try await store.close()
        return (dir.url, dir.url.appendingPathComponent("users/ana/journal.jsonl"))
    }

    static func load(_ root: URL, readOnly: Bool = false) async throws -> CoachContext? {
        try await FileStateStore(directory: root, options: fastOptions(readOnly: readOnly)).loadContext(userID: "ana")
    }

    static func replace(_ old: String, with new: String, inLastLineOf url: URL) throws {
        var text = try String(contentsOf: url, encoding: .utf8)
        let lastStart = text.dropLast().lastIndex(of: "\n").map { text.index(after: $0) } ?? text.startIndex
        let range = try #require(text.range(of: old, range: lastStart..<text.endIndex))
        text.replaceSubrange(range, with: new)
        try Data(text.utf8).write(to: url)
    }

    // MARK: Finding 1: an edited last record

    @Test("the reader calls a whole last record with a failing checksum altered, not torn")
    func alteredLastRecordAtFormatLevel() throws {
        let line = try JournalRecord(sequence: 1, events: [.stateChanged(.reflection)]).encodedLine()
        let second = try JournalRecord(sequence: 2, events: [.stateChanged(.reflection)]).encodedLine()
        let text = String(decoding: second, as: UTF8.self).replacingOccurrences(of: "reflection", with: "Reflection")
        let edited = Array(text.utf8)  // still a whole record, but not the one the checksum covers
        let lines = JournalReader.scan(line + edited)
        #expect(lines[1].alteredRecord?.sequence == 2)
        #expect {
            _ = try JournalReplay(lines: lines, snapshotSequence: 0)
        } throws: { error in
            guard let corruption = error as? JournalReplay.Corruption else { return false }
            return corruption.line == 2 && corruption.reason.contains("changed after it was written") && corruption.reason.contains("coach-store seal")
        }
    }

    @Test("one word changed in the last record: the load throws corruption naming seal, and nothing moves to .torn", arguments: [false, true])
    func editedLastRecord(readOnly: Bool) async throws {
        let (root, journal) = try await Self.store()
        try Self.replace("step 4 word", with: "step 4 WORD", inLastLineOf: journal)
        let before = try treeContents(root)
        do {
            _ = try await Self.load(root, readOnly: readOnly)
            Issue.record("an edited record loaded")
        } catch StateStoreError.corruptJournal(let user, _, let line, let reason) {
            #expect(user == "ana" && line == 4)
            #expect(reason.contains("changed after it was written") && reason.contains("coach-store seal"))
        }
        #expect(try treeContents(root) == before, "nothing may be cut or moved")
        #expect(!FileManager.default.fileExists(atPath: journal.path + ".torn"))
    }

    @Test("damage that ends in whole lines of text is corruption, not a torn tail")
    func textAfterDamageIsCorruption() async throws {
        let (root, journal) = try await Self.store()
        try Self.replace(#""role":"user""#, with: #""role":"user"#, inLastLineOf: journal)  // JSON broken by hand
        await #expect(throws: StateStoreError.self) { try await Self.load(root) }
        #expect(!FileManager.default.fileExists(atPath: journal.path + ".torn"))
    }

    // MARK: Finding 2: CRLF line endings

    static func crlf(_ url: URL) throws {
        let bytes = Array(try Data(contentsOf: url))
        try Data(bytes.flatMap { $0 == UInt8(ascii: "\n") ? [UInt8(ascii: "\r"), $0] : [$0] }).write(to: url)
    }

    @Test("sed 's/$/\\r/' on a journal and a snapshot: the same context loads, a save appends, and it reloads", arguments: [nil, 2] as [Int?])
    func crlfFiles(compactAfter: Int?) async throws {
        let (root, journal) = try await Self.store(compactAfter: compactAfter)
        let expected = try #require(try await Self.load(root, readOnly: true))
        try Self.crlf(journal)
        let snapshot = root.appendingPathComponent("users/ana/snapshot.json")
        if compactAfter != nil { try Self.crlf(snapshot) }
        let before = try treeContents(root)
        #expect(try await Self.load(root, readOnly: true) == expected)
        #expect(try treeContents(root) == before)

        let store = try FileStateStore(directory: root, options: fastOptions())
        #expect(try await store.loadContext(userID: "ana") == expected)
        var next = expected
        next.conversationHistory.append(ChatMessage(role: .assistant, content: "after CRLF", timestamp: Date(timeIntervalSince1970: 1_800_000_100)))
        try await store.saveContext(next)
        try await store.close()
        #expect(try await Self.load(root, readOnly: true) == next)
        #expect(!FileManager.default.fileExists(atPath: journal.path + ".torn"))
    }

    @Test("a CRLF snapshot verifies at the format level")
    func crlfSnapshot() throws {
        let file = SnapshotFile(context: sampleContext("u", messages: 3), sequence: 7, revision: "r1")
        let bytes = try file.encoded()
        let converted = bytes.flatMap { $0 == UInt8(ascii: "\n") ? [UInt8(ascii: "\r"), $0] : [$0] }
        #expect(try SnapshotFile.decode(converted) == file)
    }

    // MARK: Finding 3: an editor's final newline

    @Test("an empty journal holding a lone newline loads as no user and nothing is written")
    func loneNewline() async throws {
        let (root, journal) = try await Self.store()
        try Data("\n".utf8).write(to: journal)
        let before = try treeContents(root)
        let store = try FileStateStore(directory: root, options: fastOptions())
        #expect(try await store.loadContext(userID: "ana") == nil)
        try await store.close()
        #expect(try treeContents(root) == before)
        #expect(!FileManager.default.fileExists(atPath: journal.path + ".torn"))
    }

    @Test("a final empty line after the records is no damage, and the next save writes over it", arguments: ["\n", "\r\n"])
    func finalEmptyLine(_ ending: String) async throws {
        let (root, journal) = try await Self.store()
        let expected = try #require(try await Self.load(root, readOnly: true))
        let handle = try FileHandle(forWritingTo: journal)
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(ending.utf8))
        try handle.close()
        let before = try treeContents(root)
        let store = try FileStateStore(directory: root, options: fastOptions())
        #expect(try await store.loadContext(userID: "ana") == expected)
        #expect(try treeContents(root) == before, "a load changes nothing")
        var next = expected
        next.currentState = .reflection
        try await store.saveContext(next)
        try await store.close()
        #expect(try await Self.load(root, readOnly: true) == next)
    }

    @Test("verify finds no problem in a final empty line, a lone newline or CRLF files, and names seal for an edited record")
    func verifyAgrees() async throws {
        let (root, journal) = try await Self.store(compactAfter: 2)
        let original = try Data(contentsOf: journal)
        for variant in [original + Data("\n".utf8), Data("\n".utf8)] {
            try variant.write(to: journal)
            let report = try StoreInspector(directory: root).verify(userID: "ana")
            #expect(report.isClean, "\(report.problems.map(\.reason))")
        }
        try original.write(to: journal)
        try Self.crlf(journal)
        try Self.crlf(root.appendingPathComponent("users/ana/snapshot.json"))
        #expect(try StoreInspector(directory: root).verify(userID: "ana").isClean)
        try Self.replace("step 4 word", with: "step 4 WORD", inLastLineOf: journal)
        let report = try StoreInspector(directory: root).verify(userID: "ana")
        #expect(report.problems.count == 1 && report.problems.first?.reason.contains("coach-store seal") == true)
    }

    @Test("verify says a torn tail was never acknowledged only for an interrupted append")
    func verifyTornTailWording() async throws {
        let (root, journal) = try await Self.store()
        let original = try Data(contentsOf: journal)
        try (original + Data(#"{"seq":5,"events":[{"ty"#.utf8)).write(to: journal)
        let cut = try StoreInspector(directory: root).verify(userID: "ana").problems
        #expect(cut.count == 1 && cut[0].reason.contains("under .durable it was never acknowledged"))
        try (original + Data(count: 4096)).write(to: journal)
        let zeros = try StoreInspector(directory: root).verify(userID: "ana").problems
        #expect(zeros.count == 1 && zeros[0].reason.contains("cannot be proved") && !zeros[0].reason.contains("never acknowledged"))
    }

    // MARK: What recovery still cuts

    @Test("a record cut short, or followed by zeros, is still a torn tail, with its kind")
    func tornTailsStillCut() throws {
        let first = try JournalRecord(sequence: 1, events: [.stateChanged(.reflection)]).encodedLine()
        let second = try JournalRecord(sequence: 2, events: [.summaryChanged("s")]).encodedLine()
        let cut = try JournalReplay(lines: JournalReader.scan(first + second.prefix(20)), snapshotSequence: 0)
        #expect(cut.soundLength == first.count && cut.tornTailKind == .incompleteLine && cut.records.count == 1)
        var holed = second
        for i in 10..<30 { holed[i] = 0 }
        let zeros = try JournalReplay(lines: JournalReader.scan(first + holed), snapshotSequence: 0)
        #expect(zeros.soundLength == first.count && zeros.tornTailKind == .unwrittenSpace)
        let padded = try JournalReplay(lines: JournalReader.scan(first + [UInt8](repeating: 0, count: 4096)), snapshotSequence: 0)
        #expect(padded.tornTail == first.count..<(first.count + 4096) && padded.tornTailKind == .unwrittenSpace)
        let whole = try JournalReplay(lines: JournalReader.scan(first + second.dropLast()), snapshotSequence: 0)
        #expect(whole.tornTailKind == .incompleteLine && whole.records.count == 1, "a record without its newline was never complete")
        let clean = try JournalReplay(lines: JournalReader.scan(first + second), snapshotSequence: 0)
        #expect(clean.tornTail == nil && clean.tornTailKind == nil && !clean.endsInEmptyLine)
        let newline = try JournalReplay(lines: JournalReader.scan(first + second + Array("\r\n".utf8)), snapshotSequence: 0)
        #expect(newline.tornTail == nil && newline.endsInEmptyLine && newline.soundLength == first.count + second.count)
    }

    @Test("a damaged line followed by a newline and more text is corruption")
    func splitLastRecordIsCorruption() throws {
        let first = try JournalRecord(sequence: 1, events: [.stateChanged(.reflection)]).encodedLine()
        var second = try JournalRecord(sequence: 2, events: [.summaryChanged("some summary")]).encodedLine()
        second[25] = UInt8(ascii: "\n")
        #expect(throws: JournalReplay.Corruption.self) { try JournalReplay(lines: JournalReader.scan(first + second), snapshotSequence: 0) }
    }
}
