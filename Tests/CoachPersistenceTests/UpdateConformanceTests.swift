import Foundation
import Testing
@testable import CoachPersistence
import CoachTestSupport

/// A store that implements only the revision primitives and inherits `updateContext` from the
/// protocol extension: load, apply, save if the revision still holds, retry.
actor RevisionOnlyStore: StateStore {
    let base = InMemoryStateStore()
    func loadContext(userID: String) async throws -> CoachContext? { try await base.loadContext(userID: userID) }
    func saveContext(_ context: CoachContext) async throws { try await base.saveContext(context) }
    func deleteContext(userID: String) async throws { try await base.deleteContext(userID: userID) }
    func userIDs() async throws -> [String] { try await base.userIDs() }
    func loadStoredContext(userID: String) async throws -> StoredContext? { try await base.loadStoredContext(userID: userID) }
    func saveContext(_ context: CoachContext, ifRevision: ContextRevision?) async throws -> ContextRevision {
        // Give other tasks a chance to interleave between an update's load and its save.
        await Task.yield()
        return try await base.saveContext(context, ifRevision: ifRevision)
    }
    nonisolated func contextUpdates(userID: String) -> ContextUpdates { base.contextUpdates(userID: userID) }
    func close() async throws { try await base.close() }
}

extension StoreFactory {
    /// Every store, plus one that relies on the protocol's generic `updateContext`.
    static let withGenericUpdate: [StoreFactory] = all + [StoreFactory(name: "revision primitives only") { RevisionOnlyStore() }]
}

/// The promises of `updateContext`, revisions and conditional saves, on every store and mode.
@Suite("StateStore conformance: updates and revisions")
struct UpdateConformanceTests {
    @Test("50 tasks × 20 updates on one user keep all 1,000 messages, each task's in its order", arguments: StoreFactory.withGenericUpdate)
    func concurrentUpdatesLoseNothing(_ factory: StoreFactory) async throws {
        let store = try factory.make()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for task in 0..<50 {
                group.addTask {
                    for step in 0..<20 {
                        try await store.updateContext(userID: "u") { context in
                            context.conversationHistory.append(ChatMessage(role: .user, content: "\(task)-\(step)"))
                        }
                    }
                }
            }
            try await group.waitForAll()
        }
        let history = try #require(try await store.loadContext(userID: "u")).conversationHistory
        #expect(history.count == 1000)
        var next = [Int](repeating: 0, count: 50)
        for message in history {
            let parts = message.content.split(separator: "-").compactMap { Int($0) }
            #expect(parts[1] == next[parts[0]], "task \(parts[0])'s messages out of order")
            next[parts[0]] += 1
        }
        #expect(next == [Int](repeating: 20, count: 50))
        try await store.close()
    }

    @Test("an update returns the body's result, and a body that throws saves nothing and rethrows", arguments: StoreFactory.withGenericUpdate)
    func updateResultAndThrowingBody(_ factory: StoreFactory) async throws {
        struct Refused: Error, Equatable {}
        let store = try factory.make()
        let count = try await store.updateContext(userID: "u") { context -> Int in
            context.conversationHistory.append(ChatMessage(role: .user, content: "hello"))
            return context.conversationHistory.count
        }
        #expect(count == 1)
        let before = try #require(try await store.loadStoredContext(userID: "u"))
        await #expect(throws: Refused.self) {
            try await store.updateContext(userID: "u") { context in
                context.conversationHistory.removeAll()
                throw Refused()
            }
        }
        #expect(try await store.loadStoredContext(userID: "u") == before)
        let unchanged = try await store.updateContext(userID: "u") { $0.conversationHistory.count }
        #expect(unchanged == 1)
        #expect(try await store.loadStoredContext(userID: "u")?.revision == before.revision, "an unchanged update wrote a revision")
        await #expect(throws: StateStoreError.self) {
            try await store.updateContext(userID: "u") { $0 = CoachContext(userID: "someone else") }
        }
        #expect(try await store.loadContext(userID: "someone else") == nil)
    }

    @Test("a stale ifRevision, or create-only on an existing user, is a conflict and writes nothing", arguments: StoreFactory.all)
    func conditionalSaves(_ factory: StoreFactory) async throws {
        let store = try factory.make()
        let first = try await store.saveContext(sampleContext("u", messages: 1), ifRevision: nil)
        #expect(try await store.loadStoredContext(userID: "u")?.revision == first)
        let second = try await store.saveContext(sampleContext("u", messages: 2), ifRevision: first)
        #expect(second != first)
        let stored = try await store.loadStoredContext(userID: "u")
        await #expect(throws: StateStoreError.conflict(userID: "u", expected: first, actual: second)) {
            try await store.saveContext(sampleContext("u", messages: 9), ifRevision: first)
        }
        await #expect(throws: StateStoreError.conflict(userID: "u", expected: nil, actual: second)) {
            try await store.saveContext(sampleContext("u", messages: 9), ifRevision: nil)
        }
        #expect(try await store.loadStoredContext(userID: "u") == stored)
        await #expect(throws: StateStoreError.conflict(userID: "new", expected: first, actual: nil)) {
            try await store.saveContext(sampleContext("new", messages: 1), ifRevision: first)
        }
        #expect(try await store.loadContext(userID: "new") == nil)
    }

    @Test("a revision taken before a delete does not match the user re-created with other content", arguments: StoreFactory.all)
    func revisionAcrossDelete(_ factory: StoreFactory) async throws {
        let store = try factory.make()
        let old = try await store.saveContext(sampleContext("u", messages: 1), ifRevision: nil)
        try await store.deleteContext(userID: "u")
        try await store.saveContext(sampleContext("u", messages: 4))
        let now = try #require(try await store.loadStoredContext(userID: "u")).revision
        #expect(now != old)
        await #expect(throws: StateStoreError.self) {
            try await store.saveContext(sampleContext("u", messages: 5), ifRevision: old)
        }
    }

    @Test("revision text round-trips and rejects malformed strings")
    func revisionText() {
        let revision = ContextRevision(sequence: 42, hash: 0x9f3c_2a1b_0c4d_5e6f)
        #expect(revision.description == "42-9f3c2a1b0c4d5e6f")
        #expect(ContextRevision(revision.description) == revision)
        #expect(ContextRevision("1-00000000000000ff") == ContextRevision(sequence: 1, hash: 255))
        for bad in ["", "42", "42-", "-9f3c2a1b0c4d5e6f", "x-9f3c2a1b0c4d5e6f", "42-9f3c2a1b0c4d5e6", "42-9f3c2a1b0c4d5e6fa", "+4-9f3c2a1b0c4d5e6f", "4-9f3c2a1b0c4d5e6g"] {
            #expect(ContextRevision(bad) == nil, "accepted \(bad)")
        }
    }
}

/// Revisions of the file store: deterministic, and stable across compaction and reopening.
@Suite("File store revisions")
struct FileStoreRevisionTests {
    private func saves(_ store: FileStateStore) async throws -> [ContextRevision] {
        var revisions: [ContextRevision] = []
        var context = sampleContext("u", messages: 3)
        for step in 0..<6 {
            context.conversationHistory.append(ChatMessage(role: .assistant, content: "step \(step)", timestamp: Date(timeIntervalSince1970: 1_800_000_000 + Double(step))))
            revisions.append(try await store.saveContext(context, ifRevision: revisions.last))
        }
        return revisions
    }

    @Test("the same saves give the same revisions and byte-identical files")
    func deterministic() async throws {
        let (a, b) = (TemporaryDirectory("rev-a"), TemporaryDirectory("rev-b"))
        let storeA = try FileStateStore(directory: a.url, options: fastOptions())
        let storeB = try FileStateStore(directory: b.url, options: fastOptions())
        let revisionsA = try await saves(storeA)
        #expect(try await saves(storeB) == revisionsA)
        #expect(Set(revisionsA).count == revisionsA.count)
        try await storeA.compact(userID: "u")
        try await storeB.compact(userID: "u")
        try await storeA.close()
        try await storeB.close()
        #expect(try treeContents(a.url) == treeContents(b.url))
    }

    @Test("a revision survives compaction, reopening, and a read-only open")
    func stable() async throws {
        let dir = TemporaryDirectory("rev-stable")
        var store = try FileStateStore(directory: dir.url, options: fastOptions())
        let last = try #require(try await saves(store).last)
        try await store.compact(userID: "u")
        #expect(try await store.loadStoredContext(userID: "u")?.revision == last)
        try await store.close()
        store = try FileStateStore(directory: dir.url, options: fastOptions())
        #expect(try await store.loadStoredContext(userID: "u")?.revision == last)
        let reader = try FileStateStore(directory: dir.url, options: fastOptions(readOnly: true))
        #expect(try await reader.loadStoredContext(userID: "u")?.revision == last)
        var context = try #require(try await store.loadContext(userID: "u"))
        context.consolidatedSummary = "after reopening"
        let next = try await store.saveContext(context, ifRevision: last)
        try await store.close()
        store = try FileStateStore(directory: dir.url, options: fastOptions())
        #expect(try await store.loadStoredContext(userID: "u")?.revision == next)
        try await store.close()
    }

    @Test("a hand edit of a snapshot, once sealed, has a revision of its own")
    func sealedEditGetsNewRevision() async throws {
        let dir = TemporaryDirectory("rev-seal")
        var store = try FileStateStore(directory: dir.url, options: fastOptions())
        try await store.saveContext(sampleContext("u", messages: 2))
        try await store.compact(userID: "u")
        let before = try #require(try await store.loadStoredContext(userID: "u"))
        try await store.close()
        let path = dir.url.appendingPathComponent("users/u/snapshot.json")
        let text = try String(contentsOf: path, encoding: .utf8)
        try text.replacingOccurrences(of: "message 1", with: "message one").write(to: path, atomically: true, encoding: .utf8)
        _ = try StoreSeal.seal(userID: "u", in: dir.url)
        store = try FileStateStore(directory: dir.url, options: fastOptions())
        let after = try #require(try await store.loadStoredContext(userID: "u"))
        #expect(after.context != before.context)
        #expect(after.revision != before.revision, "an edited context kept its old revision")
        await #expect(throws: StateStoreError.self) {
            try await store.saveContext(before.context, ifRevision: before.revision)
        }
        try await store.close()
    }

    @Test("concurrent updates of one user share fdatasyncs, and each returns only after the sync that covers it")
    func groupCommit() async throws {
        let dir = TemporaryDirectory("group-commit")
        let recorder = RecordingFileSystem(root: dir.url)
        let store = try FileStateStore(directory: dir.url, options: .init(automaticCompaction: false), fileSystem: recorder)
        try await store.saveContext(CoachContext(userID: "u"))
        recorder.clear()
        let journalLog: @Sendable () -> [String] = { recorder.log.filter { $0.hasSuffix("/users/u/journal.jsonl") } }
        let inFlight = try await Self.keepOperationInFlight(store)
        try await withThrowingTaskGroup(of: Void.self) { group in
            try await Self.holdWorker(of: "u", in: store, untilQueued: 31, group: &group)
            for task in 0..<31 {
                group.addTask {
                    try await store.updateContext(userID: "u") { context in
                        context.conversationHistory.append(ChatMessage(role: .user, content: "\(task)"))
                    }
                    #expect(journalLog().last?.hasPrefix("fdatasync") == true, "an update returned before its write was synced")
                }
            }
            try await group.waitForAll()
        }
        try await inFlight.end()
        let log = journalLog()
        #expect(try await store.loadContext(userID: "u")?.conversationHistory.count == 32)
        #expect(log.filter { $0.hasPrefix("write") }.count == 2, "\(log)")
        #expect(log.filter { $0.hasPrefix("fdatasync") }.count == 2, "32 updates took \(log.count / 2) syncs: 31 queued updates did not share one")
        try await store.close()
    }

    @Test("a delete queued between updates splits the round: what came before is written first, what came after starts the user anew")
    func deleteBetweenQueuedUpdates() async throws {
        let dir = TemporaryDirectory("delete-barrier")
        let recorder = RecordingFileSystem(root: dir.url)
        let store = try FileStateStore(directory: dir.url, options: .init(automaticCompaction: false), fileSystem: recorder)
        try await store.saveContext(CoachContext(userID: "u"))
        recorder.clear()
        let inFlight = try await Self.keepOperationInFlight(store)
        let append: @Sendable (String) async throws -> Void = { text in
            try await store.updateContext(userID: "u") { $0.conversationHistory.append(ChatMessage(role: .user, content: text)) }
        }
        func queued() -> Int { store.registry.cached("u")?.queuedRequests ?? 0 }
        try await withThrowingTaskGroup(of: Void.self) { group in
            try await Self.holdWorker(of: "u", in: store, untilQueued: 3, group: &group)
            group.addTask { try await append("before") }
            while queued() < 1 { try await Task.sleep(for: .milliseconds(1)) }
            group.addTask { try await store.deleteContext(userID: "u") }
            while queued() < 2 { try await Task.sleep(for: .milliseconds(1)) }
            group.addTask { try await append("after") }
            try await group.waitForAll()
        }
        try await inFlight.end()
        #expect(try await store.loadContext(userID: "u")?.conversationHistory.map(\.content) == ["after"])
        // The round after the first update holds [before, delete, after]: "before" is written and
        // synced before the folder is moved away, "after" only into the new folder.
        let log = recorder.log
        let removal = try #require(log.firstIndex { $0.hasPrefix("rename") && $0.contains("/users/u ") })
        let writes = log.indices.filter { log[$0].hasPrefix("write") && log[$0].hasSuffix("/users/u/journal.jsonl") }
        #expect(writes.filter { $0 < removal }.count == 2, "\(log)")
        #expect(writes.filter { $0 > removal }.count == 1, "\(log)")
        #expect(log[..<removal].last { $0.hasSuffix("/users/u/journal.jsonl") }?.hasPrefix("fdatasync") == true, "\(log)")
        try await store.close()
        let reopened = try FileStateStore(directory: dir.url)
        #expect(try await reopened.loadContext(userID: "u")?.conversationHistory.map(\.content) == ["after"])
        try await reopened.close()
    }

    /// A compaction waiting behind a blocked compaction thread, which keeps an operation in
    /// flight: operations then run on the user's Dispatch queue, never inline on one of the few
    /// cooperative threads that a blocked update body holds.
    struct OperationInFlight {
        let gate: DispatchSemaphore
        let compaction: Task<Void, any Error>

        /// Lets the compaction run and waits for it.
        func end() async throws {
            gate.signal()
            try await compaction.value
        }
    }

    static func keepOperationInFlight(_ store: FileStateStore) async throws -> OperationInFlight {
        let gate = DispatchSemaphore(value: 0)
        store.compactionThread.async { gate.wait() }
        let compaction = Task { try await store.compact(userID: "u") }
        while store.lifecycle.inFlight == 0 { try await Task.sleep(for: .milliseconds(1)) }
        return OperationInFlight(gate: gate, compaction: compaction)
    }

    /// Adds to `group` an update of `userID` that holds the user's worker until `count` more
    /// requests are queued behind it, then appends "first"; returns once it holds the worker.
    static func holdWorker(
        of userID: String, in store: FileStateStore, untilQueued count: Int, group: inout ThrowingTaskGroup<Void, any Error>
    ) async throws {
        let started = Locked(false)
        group.addTask {
            try await store.updateContext(userID: userID) { context in
                started.withLock { $0 = true }
                let deadline = Date().addingTimeInterval(60)
                while (store.registry.cached(userID)?.queuedRequests ?? 0) < count && Date() < deadline {
                    Thread.sleep(forTimeInterval: 0.001)
                }
                context.conversationHistory.append(ChatMessage(role: .user, content: "first"))
            }
        }
        while !started.withLock({ $0 }) { try await Task.sleep(for: .milliseconds(1)) }
    }
}
