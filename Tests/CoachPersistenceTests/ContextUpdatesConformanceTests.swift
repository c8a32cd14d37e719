import Foundation
import Testing
@testable import CoachPersistence
import CoachTestSupport

/// `contextUpdates(userID:)` on every store: the current value first, each saved revision in
/// order, the latest for a slow consumer, `nil` after a delete, and the end on close.
@Suite("StateStore conformance: watching a context")
struct ContextUpdatesConformanceTests {
    /// Waits (bounded) until `condition` holds for the values collected so far.
    private func collect(
        _ updates: ContextUpdates, until condition: @escaping @Sendable ([StoredContext?]) -> Bool
    ) async -> [StoredContext?] {
        await withTaskGroup(of: [StoredContext?].self) { group in
            group.addTask {
                var seen: [StoredContext?] = []
                for await value in updates {
                    seen.append(value)
                    if condition(seen) { break }
                }
                return seen
            }
            group.addTask {
                try? await Task.sleep(for: .seconds(30))
                return []
            }
            let first = await group.next()!
            group.cancelAll()
            return first
        }
    }

    @Test("the stored value first, then each save in order, and nil after a delete", arguments: StoreFactory.all)
    func valuesInOrder(_ factory: StoreFactory) async throws {
        let store = try factory.make()
        try await store.saveContext(sampleContext("u", messages: 1))
        let updates = store.contextUpdates(userID: "u")
        var iterator = updates.makeAsyncIterator()
        let first = try #require(await iterator.next())
        #expect(first?.context == sampleContext("u", messages: 1))
        for count in 2...4 {
            try await store.saveContext(sampleContext("u", messages: count))
            let value = try #require(await iterator.next())
            #expect(value?.context == sampleContext("u", messages: count))
            #expect(value?.revision == (try await store.loadStoredContext(userID: "u"))?.revision)
        }
        try await store.deleteContext(userID: "u")
        let afterDelete = try #require(await iterator.next())
        #expect(afterDelete == nil)
        try await store.close()
    }

    @Test("a user with no context starts with nil, and a slow consumer sees the latest value, not a backlog", arguments: StoreFactory.all)
    func latestWins(_ factory: StoreFactory) async throws {
        let store = try factory.make()
        let updates = store.contextUpdates(userID: "u")
        var iterator = updates.makeAsyncIterator()
        let first = try #require(await iterator.next())
        #expect(first == nil)
        for count in 1...50 { try await store.saveContext(sampleContext("u", messages: count)) }
        // The consumer did not read while 50 saves happened: it gets the newest, then nothing more.
        let next = try #require(await iterator.next())
        #expect(next?.context == sampleContext("u", messages: 50))
        try await store.close()
        let end = await iterator.next()
        #expect(end == nil, "the sequence did not end when the store closed")
    }

    @Test("sequences end when the store closes, and one made after close ends at once", arguments: StoreFactory.all)
    func endsOnClose(_ factory: StoreFactory) async throws {
        let store = try factory.make()
        try await store.saveContext(sampleContext("u", messages: 1))
        var iterator = store.contextUpdates(userID: "u").makeAsyncIterator()
        let first = await iterator.next()
        #expect(first??.context == sampleContext("u", messages: 1))
        let end = Task { [iterator] in
            var iterator = iterator
            return await iterator.next()
        }
        try await store.close()
        let afterClose = await end.value
        #expect(afterClose == nil, "the sequence did not end when the store closed")
        var late = store.contextUpdates(userID: "u").makeAsyncIterator()
        let lateValue = await late.next()
        #expect(lateValue == nil)
    }

    @Test("updates reach a watcher of the file store from updateContext too")
    func updatesFromUpdateContext() async throws {
        let store = try FileStateStore(directory: TemporaryDirectory("watch").url, options: fastOptions())
        let updates = store.contextUpdates(userID: "u")
        let seen = Task { await collect(updates) { $0.last??.context.conversationHistory.count == 5 } }
        for step in 0..<5 {
            try await store.updateContext(userID: "u") { $0.conversationHistory.append(ChatMessage(role: .user, content: "\(step)")) }
        }
        let values = await seen.value
        #expect(values.last??.context.conversationHistory.map(\.content) == ["0", "1", "2", "3", "4"])
        let counts = values.compactMap { $0?.context.conversationHistory.count }
        #expect(counts == counts.sorted(), "values arrived out of order: \(counts)")
        try await store.close()
    }
}
