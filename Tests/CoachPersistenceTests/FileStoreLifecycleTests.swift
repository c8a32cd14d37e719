import Foundation
import Testing
@testable import CoachPersistence
import CoachTestSupport

/// Closing, and the races between operations, listing, deleting and closing (issue findings
/// reproduced through the public API).
@Suite("File store lifecycle and races")
struct FileStoreLifecycleTests {
    @Test("every close() returns only once the directory is released; reopening right after works")
    func secondCloseWaits() async throws {
        let dir = TemporaryDirectory("close-twice")
        for _ in 0..<5 {
            let store = try FileStateStore(directory: dir.url, options: .init(durability: .batched(interval: .seconds(30))))
            for user in 0..<20 { try await store.saveContext(sampleContext("u\(user)", messages: 30)) }
            async let first: Void = store.close()
            async let second: Void = store.close()
            try await second
            let reopened = try FileStateStore(directory: dir.url, options: fastOptions())
            try await first
            #expect(try await reopened.userIDs().count == 20)
            try await reopened.close()
        }
    }

    @Test("operations racing close() either finish before the directory is released or throw closed")
    func closeRacingOperations() async throws {
        let dir = TemporaryDirectory("close-race")
        let store = try FileStateStore(directory: dir.url, options: .init(durability: .unsynced))
        let acknowledged = try await withThrowingTaskGroup(of: [String].self) { group in
            for task in 0..<8 {
                group.addTask {
                    var done: [String] = []
                    for step in 0..<200 {
                        do {
                            try await store.updateContext(userID: "u\(task % 3)") {
                                $0.conversationHistory.append(ChatMessage(role: .user, content: "\(task)-\(step)"))
                            }
                            done.append("\(task)-\(step)")
                        } catch StateStoreError.closed {
                            break
                        }
                    }
                    return done
                }
            }
            try await Task.sleep(for: .milliseconds(20))
            try await store.close()
            var all: [String] = []
            for try await done in group { all += done }
            return all
        }
        let before = try treeContents(dir.url)
        try await Task.sleep(for: .milliseconds(100))
        #expect(try treeContents(dir.url) == before, "the store wrote after close() returned")
        let reopened = try FileStateStore(directory: dir.url, options: fastOptions(readOnly: true))
        var stored = Set<String>()
        for user in 0..<3 {
            for message in try await reopened.loadContext(userID: "u\(user)")?.conversationHistory ?? [] { stored.insert(message.content) }
        }
        #expect(stored == Set(acknowledged), "acknowledged and stored updates differ")
    }

    @Test("deletes while userIDs() runs never fail, and a delete that happened never throws")
    func deleteWhileListing() async throws {
        let dir = TemporaryDirectory("delete-listing")
        let store = try FileStateStore(directory: dir.url, options: fastOptions())
        let failures = try await withThrowingTaskGroup(of: Int.self) { group in
            for task in 0..<4 {
                group.addTask {
                    var failures = 0
                    for step in 0..<150 {
                        let user = "u\(task)-\(step % 3)"
                        try await store.saveContext(sampleContext(user, messages: 1))
                        do { try await store.deleteContext(userID: user) } catch { failures += 1 }
                        if try await store.loadContext(userID: user) != nil { failures += 1 }
                    }
                    return failures
                }
            }
            for _ in 0..<2 {
                group.addTask {
                    var failures = 0
                    for _ in 0..<150 {
                        do { _ = try await store.userIDs() } catch { failures += 1 }
                    }
                    return failures
                }
            }
            return try await group.reduce(0, +)
        }
        #expect(failures == 0)
        #expect(try await store.userIDs() == [])
        try await store.close()
    }

    @Test("batched: a new user saved and deleted before the flush reports no failure")
    func batchedSaveThenDelete() async throws {
        let dir = TemporaryDirectory("batched-delete")
        let store = try FileStateStore(directory: dir.url, options: .init(durability: .batched(interval: .milliseconds(50))))
        for user in 0..<20 {
            try await store.saveContext(sampleContext("new-\(user)", messages: 2))
            try await store.deleteContext(userID: "new-\(user)")
        }
        try await Task.sleep(for: .milliseconds(150))
        try await store.close()
        var failures = 0
        for await event in store.events {
            if case .flushFailed = event { failures += 1 }
        }
        #expect(failures == 0)
    }

    @Test("open journal descriptors stay within maxOpenFiles however many users are touched")
    func descriptorBound() async throws {
        let dir = TemporaryDirectory("descriptors")
        var options = FileStateStore.Options(durability: .unsynced, compactionThresholdRecords: 2)
        options.maxOpenFiles = 8
        let store = try FileStateStore(directory: dir.url, options: options)
        for round in 0..<3 {
            for user in 0..<200 { try await store.saveContext(sampleContext("u\(user)", messages: round + 1)) }
            #expect(store.pool.openCount <= 8)
        }
        #expect(try await store.userIDs().count == 200)
        try await store.close()
    }
}
