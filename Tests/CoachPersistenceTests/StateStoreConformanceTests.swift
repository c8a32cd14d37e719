import Foundation
import Testing
@testable import CoachPersistence
import CoachTestSupport

/// A way to make a fresh, empty store of one kind; every conformance test runs against each.
struct StoreFactory: CustomTestStringConvertible, Sendable {
    let name: String
    let make: @Sendable () throws -> any StateStore
    var testDescription: String { name }

    static let all: [StoreFactory] = [
        StoreFactory(name: "InMemoryStateStore") { InMemoryStateStore() },
        StoreFactory(name: "FileStateStore durable") {
            try FileStateStore(directory: TemporaryDirectory("conformance").url)
        },
        StoreFactory(name: "FileStateStore batched") {
            try FileStateStore(
                directory: TemporaryDirectory("conformance").url,
                options: .init(durability: .batched(interval: .milliseconds(20))))
        },
        StoreFactory(name: "FileStateStore unsynced, tiny compaction threshold") {
            try FileStateStore(
                directory: TemporaryDirectory("conformance").url,
                options: .init(durability: .unsynced, compactionThresholdBytes: 300, compactionThresholdRecords: 3))
        },
    ]
}

/// The behaviours the ``StateStore`` protocol promises, checked on every store.
@Suite("StateStore conformance")
struct StateStoreConformanceTests {
    @Test("an unknown user loads as nil", arguments: StoreFactory.all)
    func unknownUserIsNil(_ factory: StoreFactory) async throws {
        let store = try factory.make()
        #expect(try await store.loadContext(userID: "nobody") == nil)
        #expect(try await store.userIDs() == [])
    }

    @Test("a saved context loads back equal", arguments: StoreFactory.all)
    func saveThenLoad(_ factory: StoreFactory) async throws {
        let store = try factory.make()
        let context = sampleContext("user-1", messages: 5)
        try await store.saveContext(context)
        #expect(try await store.loadContext(userID: "user-1") == context)
    }

    @Test("the last save wins, through every kind of change", arguments: StoreFactory.all)
    func lastWriterWins(_ factory: StoreFactory) async throws {
        let store = try factory.make()
        var context = sampleContext("u", messages: 2)
        try await store.saveContext(context)
        context.conversationHistory.append(ChatMessage(role: .user, content: "more"))
        context.currentState = .actionPlanning
        try await store.saveContext(context)
        context.conversationHistory[0].content = "edited"
        context.consolidatedSummary = "summary"
        context.metadata["plan"] = nil
        context.metadata["new"] = ["a": [1, 2.5, true, nil]]
        context.identities = [Identity(id: "runner", statement: "I run")]
        context.userProfile.values = ["health"]
        try await store.saveContext(context)
        context.consolidatedSummary = nil
        context.conversationHistory.removeLast()
        try await store.saveContext(context)
        #expect(try await store.loadContext(userID: "u") == context)
    }

    @Test("delete removes a user and deleting an unknown user is fine", arguments: StoreFactory.all)
    func delete(_ factory: StoreFactory) async throws {
        let store = try factory.make()
        try await store.saveContext(sampleContext("a", messages: 1))
        try await store.saveContext(sampleContext("b", messages: 1))
        try await store.deleteContext(userID: "a")
        try await store.deleteContext(userID: "never-existed")
        #expect(try await store.loadContext(userID: "a") == nil)
        #expect(try await store.userIDs() == ["b"])
        try await store.saveContext(sampleContext("a", messages: 3))
        #expect(try await store.loadContext(userID: "a") == sampleContext("a", messages: 3))
    }

    @Test("userIDs is sorted by Unicode scalars", arguments: StoreFactory.all)
    func sortedIDs(_ factory: StoreFactory) async throws {
        let store = try factory.make()
        let ids = ["zed", "Alice", "alice", "émile", "e\u{301}mile", "../etc", "a/b", "user-10", "user-9"]
        for id in ids { try await store.saveContext(CoachContext(userID: id)) }
        let expected = ids.sorted { $0.unicodeScalars.lexicographicallyPrecedes($1.unicodeScalars) }
        #expect(try await store.userIDs() == expected)
    }

    @Test("an empty user id is refused", arguments: StoreFactory.all)
    func emptyID(_ factory: StoreFactory) async throws {
        let store = try factory.make()
        await #expect(throws: StateStoreError.self) { try await store.saveContext(CoachContext(userID: "")) }
        await #expect(throws: StateStoreError.self) { try await store.loadContext(userID: "") }
        await #expect(throws: StateStoreError.self) { try await store.deleteContext(userID: "") }
    }

    @Test("canonically equivalent ids are different users", arguments: StoreFactory.all)
    func normalizationTwins(_ factory: StoreFactory) async throws {
        let store = try factory.make()
        let composed = "caf\u{E9}", decomposed = "cafe\u{301}"
        try await store.saveContext(sampleContext(composed, messages: 1))
        try await store.saveContext(sampleContext(decomposed, messages: 2))
        #expect(try await store.loadContext(userID: composed)?.conversationHistory.count == 1)
        #expect(try await store.loadContext(userID: decomposed)?.conversationHistory.count == 2)
        #expect(try await store.userIDs().count == 2)
    }

    @Test("concurrent saves to many users all land", arguments: StoreFactory.all)
    func concurrentSaves(_ factory: StoreFactory) async throws {
        let store = try factory.make()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for i in 0..<40 {
                group.addTask { try await store.saveContext(sampleContext("user-\(i % 8)-\(i)", messages: i % 5)) }
            }
            try await group.waitForAll()
        }
        #expect(try await store.userIDs().count == 40)
        #expect(try await store.loadContext(userID: "user-3-11") == sampleContext("user-3-11", messages: 1))
    }
}
