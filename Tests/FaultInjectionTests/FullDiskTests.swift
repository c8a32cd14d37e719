import CoachTestSupport
import Foundation
import Testing
@testable import CoachPersistence

/// A full disk and failed writes, on real files: the store stays loadable, leaves nothing half
/// made, and never writes over bytes it did not write.
@Suite("Full disk and foreign writes")
struct FullDiskTests {
    private func open(_ dir: TemporaryDirectory, _ faulty: FaultyFileSystem, _ options: FileStateStore.Options = fastOptions()) throws -> FileStateStore {
        try FileStateStore(directory: dir.url, options: options, fileSystem: faulty)
    }

    @Test("a torn tail does not make a user unreadable when journal.jsonl.torn cannot be written")
    func tornTailOnFullDisk() async throws {
        let dir = TemporaryDirectory("full-torn")
        var store = try FileStateStore(directory: dir.url, options: fastOptions())
        try await store.saveContext(sampleContext("ana", messages: 3))
        try await store.close()
        let journal = dir.url.appendingPathComponent("users/ana/journal.jsonl")
        let sound = try Data(contentsOf: journal)
        let handle = try FileHandle(forWritingTo: journal)
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(#"{"seq":2,"events":[{"type":"messagesApp"#.utf8))
        try handle.close()

        let faulty = FaultyFileSystem(base: PosixFileSystem(root: dir.url.standardizedFileURL.path))
        faulty.arm(.init(operation: .write, occurrence: 1, errno: ENOSPC, persists: true))
        store = try open(dir, faulty)
        #expect(try await store.loadContext(userID: "ana") == sampleContext("ana", messages: 3))
        #expect(try Data(contentsOf: journal) == sound, "the torn tail was not cut")
        try await store.close()
        var discarded = false
        for await event in store.events {
            if case .tornTailDiscarded(let user, _, _, _, _) = event, user == "ana" { discarded = true }
        }
        #expect(discarded, "the event stream did not say the tail was cut without a copy")
    }

    @Test("a new user's failed first save removes the folder and journal it created")
    func failedFirstSaveLeavesNothing() async throws {
        let dir = TemporaryDirectory("full-first")
        let faulty = FaultyFileSystem(base: PosixFileSystem(root: dir.url.standardizedFileURL.path))
        let store = try open(dir, faulty)
        for user in 0..<5 {
            faulty.arm(.init(operation: .write, occurrence: 1, errno: ENOSPC))
            await #expect(throws: StateStoreError.self) { try await store.saveContext(sampleContext("new-\(user)", messages: 2)) }
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path("users")) == [])
        #expect(try await store.userIDs() == [])
        faulty.clear()
        try await store.saveContext(sampleContext("new-0", messages: 2))
        #expect(try await store.loadContext(userID: "new-0") == sampleContext("new-0", messages: 2))
        try await store.close()
    }

    @Test("batched: a failed save does not stop the flush from syncing the saves acknowledged before it")
    func flushAfterFailedSave() async throws {
        let dir = TemporaryDirectory("full-flush")
        let faulty = FaultyFileSystem(base: PosixFileSystem(root: dir.url.standardizedFileURL.path))
        let store = try open(dir, faulty, .init(durability: .batched(interval: .seconds(3600))))
        try await store.saveContext(sampleContext("u", messages: 1))
        try await store.saveContext(sampleContext("u", messages: 2))  // acknowledged, not yet synced
        faulty.arm(.init(operation: .write, occurrence: 1, errno: EIO))
        await #expect(throws: StateStoreError.self) { try await store.saveContext(sampleContext("u", messages: 3)) }
        let syncsBefore = faulty.callCounts[.sync] ?? 0
        try await store.close()
        #expect((faulty.callCounts[.sync] ?? 0) > syncsBefore, "close() did not sync the journal with acknowledged saves")
    }

    @Test("a journal that grew behind the store's back is never written over")
    func foreignAppendIsNotOverwritten() async throws {
        let dir = TemporaryDirectory("foreign")
        var options = fastOptions()
        options.maxOpenFiles = 1
        let store = try FileStateStore(directory: dir.url, options: options)
        try await store.saveContext(sampleContext("a", messages: 1))
        try await store.saveContext(sampleContext("b", messages: 1))  // closes a's journal to make room
        let journal = dir.url.appendingPathComponent("users/a/journal.jsonl")
        let handle = try FileHandle(forWritingTo: journal)
        try handle.seekToEnd()
        try handle.write(contentsOf: Data("written by someone else\n".utf8))
        try handle.close()
        let foreign = try Data(contentsOf: journal)
        await #expect(throws: StateStoreError.self) { try await store.saveContext(sampleContext("a", messages: 2)) }
        #expect(try Data(contentsOf: journal) == foreign, "the store wrote over bytes it did not write")
        try await store.close()
    }
}
