import Foundation
import Testing
@testable import CoachPersistence
import CoachTestSupport

/// What reaches the disk, and when: syncs per durability mode, the writer lock, read-only opens.
@Suite("File store durability and locking")
struct FileStoreDurabilityTests {
    @Test("a durable save is fdatasynced, and new folders fsynced, before it returns")
    func durableSaveSyncs() async throws {
        let dir = TemporaryDirectory("durable")
        let fs = RecordingFileSystem(root: dir.url)
        let store = try FileStateStore(directory: dir.url, options: .init(), fileSystem: fs)
        let root = dir.url.standardizedFileURL.path
        fs.clear()
        var context = sampleContext("u", messages: 1)
        try await store.saveContext(context)
        let journal = "\(root)/users/u/journal.jsonl"
        let first = fs.log
        let write = try #require(first.firstIndex(of: "write \(journal)"))
        let sync = try #require(first.firstIndex(of: "fdatasync \(journal)"))
        #expect(write < sync)
        #expect(first.contains("dirsync \(root)/users/u"), "the new journal's folder entry must be synced")
        #expect(first.contains("dirsync \(root)/users"), "the new user folder's entry must be synced")

        fs.clear()
        context.conversationHistory.append(ChatMessage(role: .assistant, content: "next"))
        try await store.saveContext(context)
        #expect(fs.log == ["write \(journal)", "fdatasync \(journal)"], "a later save is one write and one fdatasync")
    }

    @Test("unsynced and batched saves do not sync on the save path; batched ones are synced by the flush")
    func looserModes() async throws {
        for durability in [FileStateStore.Durability.unsynced, .batched(interval: .seconds(3600))] {
            let dir = TemporaryDirectory("modes")
            let fs = RecordingFileSystem(root: dir.url)
            let store = try FileStateStore(directory: dir.url, options: .init(durability: durability), fileSystem: fs)
            fs.clear()
            try await store.saveContext(sampleContext("u", messages: 1))
            #expect(!fs.log.contains { $0.hasPrefix("fdatasync") || $0.hasPrefix("dirsync") })
            try await store.close()
            let synced = fs.log.contains { $0.hasPrefix("fdatasync") }
            #expect(synced == (durability != .unsynced), "close() syncs batched saves, and only those")
        }
    }

    @Test("batched saves are synced by the background flush within the interval")
    func batchedFlush() async throws {
        let dir = TemporaryDirectory("batched")
        let fs = RecordingFileSystem(root: dir.url)
        let store = try FileStateStore(directory: dir.url, options: .init(durability: .batched(interval: .milliseconds(20))), fileSystem: fs)
        try await store.saveContext(sampleContext("u", messages: 1))
        var waited = 0
        while !fs.log.contains(where: { $0.hasPrefix("fdatasync") }) && waited < 500 {
            try await Task.sleep(for: .milliseconds(10))
            waited += 1
        }
        #expect(fs.log.contains { $0.hasPrefix("fdatasync") })
        #expect(fs.log.contains { $0.hasPrefix("dirsync") && $0.hasSuffix("/users/u") })
    }

    @Test("a second writer in the same process is refused; read-only opens still work")
    func lockInProcess() async throws {
        let dir = TemporaryDirectory("lock")
        let first = try FileStateStore(directory: dir.url)
        try await first.saveContext(sampleContext("u", messages: 2))
        #expect(throws: StateStoreError.locked(directory: dir.url.standardizedFileURL.path)) {
            try FileStateStore(directory: dir.url)
        }
        let reader = try FileStateStore(directory: dir.url, options: .init(readOnly: true))
        #expect(try await reader.loadContext(userID: "u") == sampleContext("u", messages: 2))
        try await first.close()
        let second = try FileStateStore(directory: dir.url)
        #expect(try await second.loadContext(userID: "u") == sampleContext("u", messages: 2))
    }

    @Test("a writer in another process holding the lock is refused, with the directory named")
    func lockAcrossProcesses() async throws {
        let dir = TemporaryDirectory("lock-process")
        try await FileStateStore(directory: dir.url).close()
        let holder = Process()
        holder.executableURL = URL(fileURLWithPath: "/usr/bin/flock")
        holder.arguments = ["--exclusive", dir.path("store.lock"), "--command", "echo locked; sleep 30"]
        let pipe = Pipe()
        holder.standardOutput = pipe
        try holder.run()
        defer { holder.terminate() }
        _ = pipe.fileHandleForReading.availableData
        do {
            _ = try FileStateStore(directory: dir.url)
            Issue.record("opened a store another process holds")
        } catch let error as StateStoreError {
            #expect(error == .locked(directory: dir.url.standardizedFileURL.path))
            #expect(error.description.contains(dir.url.standardizedFileURL.path))
        }
    }

    @Test("a read-only store refuses every change and writes nothing, not even a lock file")
    func readOnlyRefuses() async throws {
        let dir = TemporaryDirectory("readonly")
        let writer = try FileStateStore(directory: dir.url, options: fastOptions())
        try await writer.saveContext(sampleContext("u", messages: 3))
        try await writer.close()
        #expect(!FileManager.default.fileExists(atPath: dir.path("store.lock")))
        let before = try treeContents(dir.url)
        let store = try FileStateStore(directory: dir.url, options: .init(readOnly: true))
        let root = dir.url.standardizedFileURL.path
        await #expect(throws: StateStoreError.readOnly(directory: root)) { try await store.saveContext(CoachContext(userID: "x")) }
        await #expect(throws: StateStoreError.readOnly(directory: root)) { try await store.deleteContext(userID: "u") }
        await #expect(throws: StateStoreError.readOnly(directory: root)) { try await store.compact(userID: "u") }
        #expect(try await store.loadContext(userID: "u") == sampleContext("u", messages: 3))
        #expect(try treeContents(dir.url) == before)
    }

    @Test("a read-only open of a missing directory or a non-store is a clear error")
    func notAStore() async throws {
        let dir = TemporaryDirectory("notastore")
        #expect(throws: StateStoreError.self) {
            try FileStateStore(directory: dir.url.appendingPathComponent("missing"), options: .init(readOnly: true))
        }
        try Data("hello".utf8).write(to: dir.url.appendingPathComponent("notes.txt"))
        do {
            _ = try FileStateStore(directory: dir.url)
            Issue.record("opened a folder of other files as a store")
        } catch StateStoreError.notAStore(_, let reason) {
            #expect(reason.contains("notes.txt"))
        }
    }

    @Test("operations after close() throw closed, and close() waits for pending saves")
    func closeSemantics() async throws {
        let dir = TemporaryDirectory("close")
        let store = try FileStateStore(directory: dir.url, options: fastOptions())
        async let saves: Void = withThrowingTaskGroup(of: Void.self) { group in
            for i in 0..<50 { group.addTask { try? await store.saveContext(sampleContext("u\(i)", messages: 1)) } }
        }
        _ = await saves
        try await store.close()
        await #expect(throws: StateStoreError.closed(directory: dir.url.standardizedFileURL.path)) {
            try await store.loadContext(userID: "u1")
        }
        let reopened = try FileStateStore(directory: dir.url, options: .init(readOnly: true))
        #expect(try await reopened.userIDs().count == 50)
    }

    @Test("a store dropped without close() releases its lock and keeps every acknowledged save")
    func dropWithoutClose() async throws {
        let dir = TemporaryDirectory("drop")
        do {
            let store = try FileStateStore(directory: dir.url)
            try await store.saveContext(sampleContext("u", messages: 4))
        }
        let again = try FileStateStore(directory: dir.url)
        #expect(try await again.loadContext(userID: "u") == sampleContext("u", messages: 4))
    }

    @Test("a read-only store sees what the live writer saved since, including across compactions")
    func readOnlyFollowsWriter() async throws {
        let dir = TemporaryDirectory("follow")
        let writer = try FileStateStore(directory: dir.url, options: .init(durability: .unsynced, compactionThresholdRecords: 3))
        let reader = try FileStateStore(directory: dir.url, options: .init(readOnly: true))
        var context = CoachContext(userID: "u")
        for i in 0..<20 {
            context.conversationHistory.append(ChatMessage(role: .user, content: "m\(i)"))
            try await writer.saveContext(context)
            #expect(try await reader.loadContext(userID: "u") == context)
        }
    }
}
