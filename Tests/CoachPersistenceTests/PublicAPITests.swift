import CoachPersistence
import Foundation
import Testing

// This file imports the library without @testable: it compiles only against the public names
// that apps are written against, and round-trips contexts through them.

/// An app function written only against the protocol.
private func converse(_ store: any StateStore, user: String, says text: String) async throws -> CoachContext {
    var context = try await store.loadContext(userID: user) ?? CoachContext(userID: user)
    context.conversationHistory.append(ChatMessage(role: .user, content: text))
    context.conversationHistory.append(ChatMessage(role: .assistant, content: "Tell me more about “\(text)”."))
    context.currentState = .identityBrainstorming
    context.identities.append(Identity(id: "id-\(context.identities.count)", statement: "I am someone who \(text)"))
    context.userProfile.preferredName = "Sam"
    context.metadata["turns"] = .number(Double(context.conversationHistory.count / 2))
    context.consolidatedSummary = "Sam talked about \(text)."
    try await store.saveContext(context)
    return context
}

@Suite("Public API")
struct PublicAPITests {
    @Test("an app written against the public names round-trips contexts through every store")
    func appRoundTrip() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("coach-public-\(UUID().uuidString)")
        let stores: [any StateStore] = [
            InMemoryStateStore(),
            try FileStateStore(directory: directory),
            try StateStoreConfiguration(parsing: "memory:").makeStore(),
        ]
        for store in stores {
            _ = try await converse(store, user: "sam", says: "runs")
            let expected = try await converse(store, user: "sam", says: "cooks")
            #expect(try await store.loadContext(userID: "sam") == expected)
            #expect(try await store.userIDs() == ["sam"])
        }
        let file = stores[1] as! FileStateStore
        try await file.close()
        let reopened = try StateStoreConfiguration(parsing: "file://\(directory.path)?readOnly=true").makeStore()
        #expect(try await reopened.loadContext(userID: "sam")?.conversationHistory.count == 4)
    }

    @Test("the event stream reports a torn tail found while loading")
    func tornTailEvent() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("coach-public-\(UUID().uuidString)")
        var store = try FileStateStore(directory: directory)
        _ = try await converse(store, user: "sam", says: "runs")
        try await store.close()
        let journal = directory.appendingPathComponent("users/sam/journal.jsonl")
        let handle = try FileHandle(forWritingTo: journal)
        try handle.seekToEnd()
        let torn = Data(#"{"seq":2,"events":[{"ty"#.utf8)
        try handle.write(contentsOf: torn)
        try handle.close()
        store = try FileStateStore(directory: directory)
        var events = store.events.makeAsyncIterator()
        #expect(try await store.loadContext(userID: "sam")?.conversationHistory.count == 2)
        guard case .tornTailTruncated(let user, let line, _, let cut) = await events.next() else {
            Issue.record("no torn-tail event")
            return
        }
        #expect(user == "sam" && line == 2 && cut == torn.count)
    }
}
