import Foundation
import Testing
@testable import CoachPersistence
import CoachTestSupport

/// The on-disk format as written: layout, determinism, the journal's O(change) records, and
/// that the documented grammar reads back what the code writes.
@Suite("File store format")
struct FileStoreFormatTests {
    /// A fixed sequence of saves touching every kind of event.
    static func workload(_ store: FileStateStore) async throws {
        var context = sampleContext("ana", messages: 3)
        try await store.saveContext(context)
        context.conversationHistory.append(ChatMessage(role: .user, content: "ok", timestamp: Date(timeIntervalSince1970: 1_800_000_000)))
        try await store.saveContext(context)
        context.currentState = .habitBuilding
        context.consolidatedSummary = "Ana wants calm evenings."
        context.metadata["plan"] = nil
        context.metadata["streak"] = 3
        try await store.saveContext(context)
        context.conversationHistory[0].content = "edited"
        context.identities = [Identity(id: "i", statement: "I rest", createdAt: Date(timeIntervalSince1970: 1_800_000_100))]
        context.userProfile.locale = "pt-PT"
        try await store.saveContext(context)
        try await store.saveContext(sampleContext("Bob/../x", messages: 1))
        try await store.compact(userID: "Bob/../x")
    }

    @Test("the same saves into two empty directories give byte-identical trees")
    func deterministic() async throws {
        let a = TemporaryDirectory("det-a"), b = TemporaryDirectory("det-b")
        for dir in [a, b] {
            let store = try FileStateStore(directory: dir.url)
            try await Self.workload(store)
            try await store.close()
        }
        let treeA = try treeContents(a.url)
        #expect(treeA == (try treeContents(b.url)))
        #expect(Set(treeA.keys) == [
            "store.json", "users/ana/journal.jsonl",
            "users/^bob%2f..%2fx/snapshot.json", "users/^bob%2f..%2fx/journal.jsonl",
        ])
    }

    @Test("each save appends one record holding only what changed")
    func recordsHoldOnlyChanges() async throws {
        let dir = TemporaryDirectory("delta")
        let store = try FileStateStore(directory: dir.url, options: fastOptions())
        try await Self.workload(store)
        let bytes = Array(try Data(contentsOf: dir.url.appendingPathComponent("users/ana/journal.jsonl")))
        let records = JournalReader.scan(bytes).map { $0.record! }
        #expect(records.map(\.sequence) == [1, 2, 3, 4])
        #expect(records.map { $0.events.map(\.typeName) } == [
            ["contextReplaced"],
            ["messagesAppended"],
            ["stateChanged", "summaryChanged", "metadataRemoved", "metadataSet"],
            ["historyReplaced", "profileChanged", "identitiesChanged"],
        ])
        guard case .messagesAppended(let appended) = records[1].events[0] else { Issue.record("not an append"); return }
        #expect(appended.map(\.content) == ["ok"])
        #expect(records[2].events.contains(.metadataRemoved(["plan"])))
        #expect(records[2].events.contains(.metadataSet(["streak": 3])))
    }

    @Test("an unchanged save writes nothing")
    func unchangedSaveIsFree() async throws {
        let dir = TemporaryDirectory("same")
        let store = try FileStateStore(directory: dir.url, options: fastOptions())
        try await store.saveContext(sampleContext("u", messages: 5))
        let journal = dir.url.appendingPathComponent("users/u/journal.jsonl")
        let before = try Data(contentsOf: journal)
        try await store.saveContext(sampleContext("u", messages: 5))
        #expect(try Data(contentsOf: journal) == before)
    }

    @Test("a journal line is plain JSON ending in a fixed 18-byte checksum suffix over the bytes before it")
    func journalGrammar() async throws {
        let dir = TemporaryDirectory("grammar")
        let store = try FileStateStore(directory: dir.url, options: fastOptions())
        try await Self.workload(store)
        let text = try String(contentsOf: dir.url.appendingPathComponent("users/ana/journal.jsonl"), encoding: .utf8)
        #expect(text.hasSuffix("\n"))
        for line in text.split(separator: "\n") {
            let bytes = Array(line.utf8)
            let suffix = Array(bytes.suffix(18))
            #expect(String(decoding: suffix.prefix(8), as: UTF8.self) == #","crc":""#)
            #expect(String(decoding: suffix.suffix(2), as: UTF8.self) == #""}"#)
            let crc = UInt32(String(decoding: suffix[8..<16], as: UTF8.self), radix: 16)
            #expect(crc == CRC32C.checksum(bytes.dropLast(18)))
            let object = try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any]
            #expect(Set(object?.keys.map { $0 } ?? []) == ["seq", "events", "crc"])
            #expect(line.hasPrefix(#"{"seq":"#))
        }
        #expect(text.contains("café ☕️"), "non-ASCII text stays readable")
    }

    @Test("a snapshot is pretty-printed, sorted, and its checksum line covers the rest of the file")
    func snapshotGrammar() async throws {
        let dir = TemporaryDirectory("snapshot")
        let store = try FileStateStore(directory: dir.url, options: fastOptions())
        try await store.saveContext(sampleContext("u", messages: 2))
        try await store.compact(userID: "u")
        let bytes = Array(try Data(contentsOf: dir.url.appendingPathComponent("users/u/snapshot.json")))
        let text = String(decoding: bytes, as: UTF8.self)
        #expect(text.hasPrefix("{\n  \"checksum\" : \""))
        let lines = text.split(separator: "\n")
        #expect(lines[2] == "  \"context\" : {")
        let revision = try #require(try await store.loadStoredContext(userID: "u")).revision
        #expect(lines.suffix(4).map(String.init) == ["  \"format\" : 1,", "  \"revision\" : \"\(revision)\",", "  \"sequence\" : 1", "}"])
        let rest = Array(bytes[0..<2]) + Array(bytes[29..<(bytes.count - 1)])
        #expect(String(decoding: bytes[18..<26], as: UTF8.self) == String(decoding: CRC32C.hex(CRC32C.checksum(rest)), as: UTF8.self))
        let decoded = try SnapshotFile.decode(bytes)
        #expect(decoded == SnapshotFile(context: sampleContext("u", messages: 2), sequence: 1, revision: revision.description))
        let journal = try Data(contentsOf: dir.url.appendingPathComponent("users/u/journal.jsonl"))
        #expect(journal.isEmpty, "after compaction the journal holds only records newer than the snapshot")
    }

    @Test("store.json names the format and version")
    func manifest() async throws {
        let dir = TemporaryDirectory("manifest")
        _ = try FileStateStore(directory: dir.url)
        let text = try String(contentsOf: dir.url.appendingPathComponent("store.json"), encoding: .utf8)
        #expect(text == "{\n  \"format\" : \"coach-persistence\",\n  \"version\" : 2\n}\n")
    }

    @Test("a store reopened from disk loads exactly what was saved")
    func reopen() async throws {
        let dir = TemporaryDirectory("reopen")
        let store = try FileStateStore(directory: dir.url)
        try await Self.workload(store)
        let expected = try await store.loadContext(userID: "ana")
        try await store.close()
        let reopened = try FileStateStore(directory: dir.url, options: .init(readOnly: true))
        #expect(try await reopened.loadContext(userID: "ana") == expected)
        #expect(try await reopened.userIDs() == ["Bob/../x", "ana"])
    }

    @Test("ids too long to spell out get hashed folder names and still list and load")
    func longIDs() async throws {
        let dir = TemporaryDirectory("long")
        let store = try FileStateStore(directory: dir.url, options: fastOptions())
        let ids = [String(repeating: "a", count: 5000), String(repeating: "a", count: 5000) + "b", String(repeating: "🦄", count: 300)]
        for id in ids { try await store.saveContext(sampleContext(id, messages: 1)) }
        let names = try FileManager.default.contentsOfDirectory(atPath: dir.path("users"))
        #expect(names.allSatisfy { $0.utf8.count <= 255 })
        #expect(Set(names.map { $0.lowercased() }).count == 3)
        try await store.close()
        let reopened = try FileStateStore(directory: dir.url, options: .init(readOnly: true))
        #expect(try await reopened.userIDs() == ids.sorted { $0.unicodeScalars.lexicographicallyPrecedes($1.unicodeScalars) })
        for id in ids { #expect(try await reopened.loadContext(userID: id) == sampleContext(id, messages: 1)) }
    }

    @Test("nothing is ever written outside the store's root")
    func staysInsideRoot() async throws {
        let parent = TemporaryDirectory("outside")
        let root = parent.url.appendingPathComponent("store")
        let store = try FileStateStore(directory: root, options: fastOptions())
        for id in ["..", "../..", "../escape", "/tmp/escape", ".", "users", "store.json"] {
            try await store.saveContext(sampleContext(id, messages: 1))
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: parent.url.path) == ["store"])
        #expect(Set(try FileManager.default.contentsOfDirectory(atPath: root.path)) == ["store.json", "users"])
    }

    @Test("edits that only change strings to canonically equivalent forms are saved, metadata keys included")
    func canonicalTwinsAreSaved() async throws {
        let dir = TemporaryDirectory("twins")
        let store = try FileStateStore(directory: dir.url, options: fastOptions())
        var context = CoachContext(userID: "u", metadata: ["caf\u{E9}": "x"])
        context.userProfile.preferredName = "Ren\u{E9}e"
        try await store.saveContext(context)
        context.metadata = ["cafe\u{301}": "x"]
        context.userProfile.preferredName = "Rene\u{301}e"
        try await store.saveContext(context)
        try await store.close()
        let loaded = try #require(try await FileStateStore(directory: dir.url, options: .init(readOnly: true)).loadContext(userID: "u"))
        #expect(loaded.metadata.keys.map { Array($0.utf8) } == [Array("cafe\u{301}".utf8)])
        #expect(loaded.userProfile.preferredName.map { Array($0.utf8) } == Array("Rene\u{301}e".utf8))
    }

    /// Where `python3` is, if the machine has one.
    static let python: String? = ["/usr/bin/python3", "/usr/local/bin/python3"].first { FileManager.default.isExecutableFile(atPath: $0) }

    @Test("the format page's Python checker accepts a new store holding every event, historyTruncated included", .enabled(if: python != nil))
    func pythonChecker() async throws {
        let page = fixturesDirectory.deletingLastPathComponent()
            .appendingPathComponent("Sources/CoachPersistence/CoachPersistence.docc/OnDiskFormat.md")
        let text = try String(contentsOf: page, encoding: .utf8)
        let start = try #require(text.range(of: "```python\n"))
        let end = try #require(text.range(of: "```", range: start.upperBound..<text.endIndex))
        let dir = TemporaryDirectory("python")
        let script = dir.url.appendingPathComponent("check.py")
        try Data(text[start.upperBound..<end.lowerBound].utf8).write(to: script)
        let root = dir.url.appendingPathComponent("store")
        let store = try FileStateStore(directory: root, options: fastOptions())
        try await Self.workload(store)
        var context = try #require(try await store.loadContext(userID: "ana"))
        context.conversationHistory[context.conversationHistory.count - 1].content = "regenerated"
        try await store.saveContext(context)
        context.conversationHistory.removeLast()
        try await store.saveContext(context)
        try await store.close()
        let journal = try String(contentsOf: root.appendingPathComponent("users/ana/journal.jsonl"), encoding: .utf8)
        #expect(journal.contains(#""historyTruncated""#))

        func check() throws -> Int32 {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: Self.python!)
            process.arguments = [script.path, root.path]
            process.standardError = FileHandle.nullDevice
            try process.run()
            process.waitUntilExit()
            return process.terminationStatus
        }
        #expect(try check() == 0)
        // The checker is no rubber stamp: one changed byte in a record fails it.
        let url = root.appendingPathComponent("users/ana/journal.jsonl")
        try Data(journal.replacingOccurrences(of: "regenerated", with: "Regenerated").utf8).write(to: url)
        #expect(try check() != 0)
    }
}
