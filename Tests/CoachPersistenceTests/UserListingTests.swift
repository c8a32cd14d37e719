import CoachTestSupport
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
@testable import CoachPersistence

/// `userIDs()` lists exactly the users that load: a user whose only record is torn loads as nil
/// and is not listed.
@Suite("User listing")
struct UserListingTests {
    @Test("a user whose only record is torn is neither listed nor loaded, in either mode", arguments: [false, true])
    func tornFirstRecord(readOnly: Bool) async throws {
        let dir = TemporaryDirectory("listing-torn")
        let writer = try FileStateStore(directory: dir.url, options: fastOptions())
        try await writer.saveContext(sampleContext("kept", messages: 1))
        try await writer.saveContext(sampleContext("torn", messages: 1))
        try await writer.close()
        let journal = dir.url.appendingPathComponent("users/torn/journal.jsonl")
        let bytes = try Data(contentsOf: journal)
        try bytes.prefix(bytes.count / 2).write(to: journal)  // a crash in the middle of the first save
        let store = try FileStateStore(directory: dir.url, options: fastOptions(readOnly: readOnly))
        #expect(try await store.userIDs() == ["kept"])
        #expect(try await store.loadContext(userID: "torn") == nil)
        #expect(try await store.userIDs() == ["kept"])
        try await store.close()
    }

    @Test("a user whose first compaction moves its records into a snapshot while the listing looks is still listed")
    func compactionDuringListing() async throws {
        // The snapshot a compaction of "u" writes, taken from a twin store.
        let twin = TemporaryDirectory("listing-twin")
        let twinStore = try FileStateStore(directory: twin.url, options: fastOptions())
        try await twinStore.saveContext(sampleContext("u", messages: 2))
        try await twinStore.compact(userID: "u")
        try await twinStore.close()
        let snapshot = try Data(contentsOf: twin.url.appendingPathComponent("users/u/snapshot.json"))

        let dir = TemporaryDirectory("listing-compaction")
        let writer = try FileStateStore(directory: dir.url, options: fastOptions())
        try await writer.saveContext(sampleContext("u", messages: 2))
        try await writer.close()
        let folder = dir.url.appendingPathComponent("users/u")
        let recorder = RecordingFileSystem(root: dir.url)
        let moved = Locked(false)
        // Right after the listing finds no snapshot, the compaction renames its snapshot into
        // place and swaps in the empty journal, in the order the store's compaction does it.
        recorder.afterKind = { path in
            guard path.hasSuffix("/users/u/snapshot.json"), !moved.withLock({ $0 }) else { return }
            moved.withLock { $0 = true }
            try? snapshot.write(to: folder.appendingPathComponent("snapshot.json.tmp"))
            try? FileManager.default.moveItem(at: folder.appendingPathComponent("snapshot.json.tmp"), to: folder.appendingPathComponent("snapshot.json"))
            try? Data().write(to: folder.appendingPathComponent("journal.jsonl"))
        }
        let store = try FileStateStore(directory: dir.url, options: fastOptions(readOnly: true), fileSystem: recorder)
        #expect(try await store.userIDs() == ["u"])
        #expect(moved.withLock { $0 }, "the listing never looked for the snapshot")
        #expect(try await store.loadContext(userID: "u")?.conversationHistory.count == 2)
        try await store.close()
    }

    @Test("a journal holding only an editor's empty line is not a user")
    func blankJournal() async throws {
        let dir = TemporaryDirectory("listing-blank")
        let writer = try FileStateStore(directory: dir.url, options: fastOptions())
        try await writer.saveContext(sampleContext("blank", messages: 1))
        try await writer.close()
        try Data("\n".utf8).write(to: dir.url.appendingPathComponent("users/blank/journal.jsonl"))
        let store = try FileStateStore(directory: dir.url, options: fastOptions(readOnly: true))
        #expect(try await store.loadContext(userID: "blank") == nil)
        #expect(try await store.userIDs() == [])
    }

    @Test("a user whose files cannot be read is listed, and its load says why")
    func unreadableUserIsListed() async throws {
        let dir = TemporaryDirectory("listing-unreadable")
        let writer = try FileStateStore(directory: dir.url, options: fastOptions())
        try await writer.saveContext(sampleContext("ana", messages: 1))
        try await writer.saveContext(sampleContext("bob", messages: 1))
        try await writer.close()
        let journal = dir.path("users/bob/journal.jsonl")
        try FileManager.default.removeItem(atPath: journal)
        #expect(mkfifo(journal, 0o644) == 0)
        for readOnly in [true, false] {
            let store = try FileStateStore(directory: dir.url, options: fastOptions(readOnly: readOnly))
            #expect(try await store.userIDs() == ["ana", "bob"], "a user the store cannot read vanished from the list")
            await #expect(throws: StateStoreError.self) { try await store.loadContext(userID: "bob") }
            try await store.close()
        }
    }

    @Test("a user whose journal ends in a long torn tail is still listed (its last bytes hold no newline)")
    func longTornTail() async throws {
        let dir = TemporaryDirectory("listing-long-torn")
        let writer = try FileStateStore(directory: dir.url, options: fastOptions())
        try await writer.saveContext(sampleContext("ana", messages: 3))
        try await writer.close()
        let journal = dir.url.appendingPathComponent("users/ana/journal.jsonl")
        let handle = try FileHandle(forWritingTo: journal)
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(#"{"seq":2,"events":[{"type":"messagesAppended","value":[{"content":""#.utf8) + Data(repeating: UInt8(ascii: "x"), count: 1_000))
        try handle.close()
        let store = try FileStateStore(directory: dir.url, options: fastOptions(readOnly: true))
        #expect(try await store.userIDs() == ["ana"])
        #expect(try await store.loadContext(userID: "ana") == sampleContext("ana", messages: 3))
    }

    @Test("the last bytes of a file are read without the rest, on the real file system")
    func lastBytes() throws {
        let dir = TemporaryDirectory("last-bytes")
        let fs = PosixFileSystem(root: dir.url.standardizedFileURL.path)
        let path = dir.path("f")
        try Data((0..<200).map { UInt8($0) }).write(to: URL(fileURLWithPath: path))
        #expect(try fs.readFile(path, lastBytes: 3) == [197, 198, 199])
        #expect(try fs.readFile(path, lastBytes: 500) == (0..<200).map { UInt8($0) })
        #expect(try fs.readFile(dir.path("missing"), lastBytes: 3) == nil)
    }
}
