import Foundation
import Testing

@testable import CoachPersistence
import CoachTestSupport

/// Sizes far beyond a chat's: a 10 MB message and a history of 100,000 messages.
@Suite("large input")
struct LargeInputTests {
    @Test("a 10 MB message round-trips through the journal and a snapshot")
    func tenMegabyteMessage() async throws {
        let directory = TemporaryDirectory("large")
        defer { directory.remove() }
        let piece = "quote \" backslash \\ newline \n tab \t nul \u{0} line-separator \u{2028} é ☕️ 🧘‍♀️ "
        var context = sampleContext("big", messages: 2)
        context.conversationHistory.append(
            ChatMessage(role: .user, content: String(repeating: piece, count: 10_000_000 / piece.utf8.count + 1)))

        let store = try FileStateStore(directory: directory.url, options: FileStateStore.Options(automaticCompaction: false))
        try await store.saveContext(context)
        try await store.close()
        let reopened = try FileStateStore(directory: directory.url)
        #expect(try await reopened.loadContext(userID: "big") == context)
        try await reopened.compact(userID: "big")
        try await reopened.close()

        let compacted = try FileStateStore(directory: directory.url)
        #expect(try await compacted.loadContext(userID: "big") == context)
        try await compacted.close()
        let snapshot = directory.url.appendingPathComponent("users/big/snapshot.json").path
        #expect(try #require(FileManager.default.attributesOfItem(atPath: snapshot)[.size] as? Int) > 10_000_000)
    }

    @Test("a history of 100,000 messages saves once, then appends one record")
    func hundredThousandMessages() async throws {
        let directory = TemporaryDirectory("large")
        defer { directory.remove() }
        let options = FileStateStore.Options(durability: .unsynced, automaticCompaction: false)
        var context = sampleContext("long", messages: 100_000)
        let journal = directory.url.appendingPathComponent("users/long/journal.jsonl").path
        let store = try FileStateStore(directory: directory.url, options: options)
        try await store.saveContext(context)
        let before = try FileManager.default.attributesOfItem(atPath: journal)[.size] as? Int ?? 0
        context.conversationHistory.append(ChatMessage(role: .user, content: "one more"))
        try await store.saveContext(context)
        let after = try FileManager.default.attributesOfItem(atPath: journal)[.size] as? Int ?? 0
        #expect(after - before < 1000, "the second save appends only the new message")
        try await store.close()

        let reopened = try FileStateStore(directory: directory.url, options: options)
        #expect(try await reopened.loadContext(userID: "long") == context)
        try await reopened.compact(userID: "long")
        try await reopened.close()
        let compacted = try FileStateStore(directory: directory.url, options: options)
        #expect(try await compacted.loadContext(userID: "long")?.conversationHistory.count == 100_001)
        #expect(try await compacted.loadContext(userID: "long") == context)
        try await compacted.close()
    }
}
