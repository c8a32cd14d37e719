import Foundation
import Testing
@testable import CoachPersistence
import CoachTestSupport

/// Compaction: explicit and automatic, with saves going on, and its events.
@Suite("Compaction")
struct CompactionTests {
    @Test("compact folds the journal into the snapshot and keeps newer records only")
    func explicitCompaction() async throws {
        let dir = TemporaryDirectory("compact")
        let store = try FileStateStore(directory: dir.url, options: .init(durability: .unsynced, automaticCompaction: false))
        var context = sampleContext("u", messages: 1)
        for i in 0..<10 {
            context.conversationHistory.append(ChatMessage(role: .user, content: "m\(i)"))
            try await store.saveContext(context)
        }
        try await store.compact(userID: "u")
        context.currentState = .reflection
        try await store.saveContext(context)
        let journal = Array(try Data(contentsOf: dir.url.appendingPathComponent("users/u/journal.jsonl")))
        #expect(JournalReader.scan(journal).map { $0.record?.sequence } == [11])
        let snapshot = try SnapshotFile.decode(Array(try Data(contentsOf: dir.url.appendingPathComponent("users/u/snapshot.json"))))
        #expect(snapshot.sequence == 10)
        try await store.close()
        let reopened = try FileStateStore(directory: dir.url, options: .init(readOnly: true))
        #expect(try await reopened.loadContext(userID: "u") == context)
    }

    @Test("compaction writes a large snapshot at the store's write rate, and at once without one")
    func pacedSnapshot() async throws {
        let dir = TemporaryDirectory("paced")
        defer { dir.remove() }
        for rate in [2 << 20, nil] as [Int?] {
            let fs = RecordingFileSystem(root: dir.url)
            let options = FileStateStore.Options(durability: .unsynced, automaticCompaction: false, compactionWriteRate: rate)
            let store = try FileStateStore(directory: dir.url, options: options, fileSystem: fs)
            var context = CoachContext(userID: "u")
            context.conversationHistory = (0..<1_500).map { ChatMessage(role: .user, content: String(repeating: "\($0 % 10)", count: 400)) }
            try await store.saveContext(context)
            fs.clear()
            try await store.compact(userID: "u")
            let snapshotBytes = try Data(contentsOf: dir.url.appendingPathComponent("users/u/snapshot.json")).count
            #expect(snapshotBytes > 2 * FileSystemLimits.writebackChunk)
            let paused = fs.log.filter { $0.hasPrefix("pause ") }.map { UInt64($0.split(separator: " ").last!)! }
            if let rate {
                // The recording clock moves only by the pauses, so they add up to the pace's whole time.
                #expect(paused.reduce(0, +) == UInt64(snapshotBytes) * 1_000_000_000 / UInt64(rate))
            } else {
                #expect(paused.isEmpty)
            }
            try await store.close()
        }
        #expect(FileStateStore.Options().compactionWriteRate == nil)
    }

    @Test("a journal past its record threshold is compacted in the background, with events")
    func automaticCompaction() async throws {
        let dir = TemporaryDirectory("auto")
        let store = try FileStateStore(directory: dir.url, options: .init(durability: .unsynced, compactionThresholdRecords: 5))
        var events = store.events.makeAsyncIterator()
        var context = CoachContext(userID: "u")
        for i in 0..<5 {
            context.conversationHistory.append(ChatMessage(role: .user, content: "m\(i)"))
            try await store.saveContext(context)
        }
        #expect(await events.next() == .compactionStarted(userID: "u", journalBytes: try journalSize(dir, "u", at: 5, store)))
        guard case .compactionFinished(let user, let sequence, _, _, let after) = await events.next() else {
            Issue.record("no compactionFinished event")
            return
        }
        #expect(user == "u" && sequence == 5 && after == 0)
        #expect(try await store.loadContext(userID: "u") == context)
    }

    private func journalSize(_ dir: TemporaryDirectory, _ user: String, at records: Int, _ store: FileStateStore) throws -> Int {
        // The started event reports the journal as it was when captured: all five records.
        var total = 0
        var context = CoachContext(userID: user)
        for i in 0..<records {
            let previous = i == 0 ? nil : context
            context.conversationHistory.append(ChatMessage(role: .user, content: "m\(i)"))
            let events = ContextDiff.events(from: previous, to: context)
            total += try JournalRecord(sequence: UInt64(i + 1), events: events).encodedLine().count
        }
        _ = dir
        _ = store
        return total
    }

    @Test("hundreds of concurrent saves interleaved with repeated compactions lose nothing")
    func savesDuringCompaction() async throws {
        let dir = TemporaryDirectory("interleaved")
        let store = try FileStateStore(
            directory: dir.url, options: .init(durability: .unsynced, compactionThresholdBytes: 2_000, compactionThresholdRecords: 7))
        let users = (0..<4).map { "user-\($0)" }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for user in users {
                group.addTask {
                    var context = CoachContext(userID: user)
                    for i in 0..<100 {
                        context.conversationHistory.append(ChatMessage(role: .user, content: "\(user) message \(i)"))
                        context.metadata["count"] = .number(Double(i))
                        try await store.saveContext(context)
                    }
                }
                group.addTask {
                    for _ in 0..<15 { try await store.compact(userID: user) }
                }
            }
            try await group.waitForAll()
        }
        let failures = try await store.compactAll()
        #expect(failures.isEmpty)
        try await store.close()
        let reopened = try FileStateStore(directory: dir.url, options: .init(readOnly: true))
        for user in users {
            let context = try #require(try await reopened.loadContext(userID: user))
            #expect(context.conversationHistory.map(\.content) == (0..<100).map { "\(user) message \($0)" })
            #expect(context.metadata["count"] == 99)
            let journal = try Data(contentsOf: dir.url.appendingPathComponent("users/\(user)/journal.jsonl"))
            #expect(journal.isEmpty, "compactAll leaves every journal empty")
        }
    }

    @Test("compactAll reports progress for every user and skips broken ones without stopping")
    func compactAllProgress() async throws {
        let url = try copyFixture("recovery/corrupt-middle")
        let store = try FileStateStore(directory: url, options: fastOptions())
        for id in ["b", "c"] { try await store.saveContext(sampleContext(id, messages: 2)) }
        let seen = Mutex<[String]>([])
        let failures = try await store.compactAll { progress in
            seen.withLock { $0.append("\(progress.completed)/\(progress.total) \(progress.userID)") }
        }
        #expect(seen.withLock { $0 } == ["1/3 ana", "2/3 b", "3/3 c"])
        #expect(failures.count == 1)
        #expect(FileManager.default.fileExists(atPath: url.appendingPathComponent("users/b/snapshot.json").path))
    }

    @Test("a delete during compaction wins: the user stays deleted")
    func deleteDuringCompaction() async throws {
        let dir = TemporaryDirectory("delete-compact")
        let store = try FileStateStore(directory: dir.url, options: .init(durability: .unsynced, automaticCompaction: false))
        for round in 0..<20 {
            try await store.saveContext(sampleContext("u", messages: 200 + round))
            async let compaction: Void = store.compact(userID: "u")
            try await store.deleteContext(userID: "u")
            try await compaction
            #expect(try await store.loadContext(userID: "u") == nil)
            #expect(try await store.userIDs() == [])
        }
    }
}

import Synchronization
