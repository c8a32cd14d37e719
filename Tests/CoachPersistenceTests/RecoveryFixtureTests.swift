import Foundation
import Testing
@testable import CoachPersistence
import CoachTestSupport

/// The checked-in stores of `Fixtures/recovery`: each opened read-only in place (changing no
/// byte) and writable on a copy, against the contexts it must recover to.
@Suite("Recovery fixtures")
struct RecoveryFixtureTests {
    /// What a fixture must load as.
    enum Expectation: Sendable {
        /// These contexts (a file in `Fixtures/recovery/expected`), and nothing else.
        case contexts(String)
        /// Loading `user` throws a `corruptJournal` at `line`.
        case corruptJournal(user: String, line: Int)
        /// Opening the store throws `unsupportedFormat`.
        case unsupportedStore
        /// Loading `user` throws `unsupportedFormat`.
        case unsupportedSnapshot(user: String)
    }

    static let cases: [(String, Expectation)] = [
        ("torn-tail", .contexts("ana-3")),
        ("torn-tail-zeros", .contexts("ana-3")),
        ("corrupt-middle", .corruptJournal(user: "ana", line: 2)),
        ("sequence-gap", .corruptJournal(user: "ana", line: 3)),
        ("journal-without-snapshot", .contexts("ana-4")),
        ("snapshot-missing", .corruptJournal(user: "ana", line: 1)),
        ("snapshot-without-journal", .contexts("ana-3")),
        ("future-store-format", .unsupportedStore),
        ("future-snapshot-format", .unsupportedSnapshot(user: "ana")),
        ("hostile-user-ids", .contexts("hostile")),
        ("compaction-1-snapshot-tmp-partial", .contexts("ana-4")),
        ("compaction-2-snapshot-renamed", .contexts("ana-4")),
        ("compaction-3-journal-tmp-written", .contexts("ana-4")),
        ("compaction-3b-journal-tmp-partial", .contexts("ana-4")),
        ("compaction-4-swapped", .contexts("ana-4")),
        ("delete-interrupted", .contexts("ana-3")),
        ("history-edits", .contexts("history-edits")),
        ("crlf-line-endings", .contexts("ana-4")),
        ("final-empty-line", .contexts("ana-4")),
        ("edited-last-record", .corruptJournal(user: "ana", line: 4)),
    ]

    static func expected(_ name: String) throws -> [CoachContext] {
        let url = fixturesDirectory.appendingPathComponent("recovery/expected/\(name).json")
        return try JSONDecoder().decode([CoachContext].self, from: Data(contentsOf: url))
    }

    static func fixture(_ name: String) -> URL { fixturesDirectory.appendingPathComponent("recovery/\(name)") }

    @Test("read-only open in place recovers and changes no byte", arguments: cases.map(\.0))
    func readOnlyInPlace(_ name: String) async throws {
        let url = Self.fixture(name)
        let before = try treeContents(url)
        try await check(url, Self.cases.first { $0.0 == name }!.1, readOnly: true)
        #expect(try treeContents(url) == before, "a read-only open changed \(name)")
        #expect(!FileManager.default.fileExists(atPath: url.appendingPathComponent("store.lock").path))
    }

    @Test("writable open of a copy recovers and stays writable", arguments: cases.map(\.0))
    func writableCopy(_ name: String) async throws {
        let url = try copyFixture("recovery/\(name)")
        let expectation = Self.cases.first { $0.0 == name }!.1
        try await check(url, expectation, readOnly: false)
        guard case .contexts(let file) = expectation else { return }
        let store = try FileStateStore(directory: url)
        var context = try Self.expected(file)[0]
        context.conversationHistory.append(ChatMessage(role: .user, content: "after recovery", timestamp: Date(timeIntervalSince1970: 1_800_000_000)))
        try await store.saveContext(context)
        try await store.close()
        let reopened = try FileStateStore(directory: url, options: .init(readOnly: true))
        #expect(try await reopened.loadContext(userID: context.userID) == context)
    }

    private func check(_ url: URL, _ expectation: Expectation, readOnly: Bool) async throws {
        let options = FileStateStore.Options(readOnly: readOnly, durability: .unsynced)
        switch expectation {
        case .unsupportedStore:
            #expect(throws: StateStoreError.unsupportedFormat(file: url.appendingPathComponent("store.json").path, found: 3, supported: StoreManifest.currentVersion)) {
                try FileStateStore(directory: url, options: options)
            }
        case .unsupportedSnapshot(let user):
            let store = try FileStateStore(directory: url, options: options)
            await #expect(throws: StateStoreError.self) { try await store.loadContext(userID: user) }
            do {
                _ = try await store.loadContext(userID: user)
            } catch StateStoreError.unsupportedFormat(let file, let found, _) {
                #expect(file.hasSuffix("users/\(user)/snapshot.json") && found == 2)
            }
        case .corruptJournal(let user, let line):
            let store = try FileStateStore(directory: url, options: options)
            do {
                _ = try await store.loadContext(userID: user)
                Issue.record("a corrupt journal loaded")
            } catch StateStoreError.corruptJournal(let u, let file, let l, let reason) {
                #expect(u == user && l == line && file.hasSuffix("users/\(user)/journal.jsonl") && !reason.isEmpty)
            }
        case .contexts(let name):
            let store = try FileStateStore(directory: url, options: options)
            let expected = try Self.expected(name)
            #expect(try await store.userIDs() == expected.map(\.userID))
            for context in expected {
                #expect(try await store.loadContext(userID: context.userID) == context)
            }
        }
    }

    @Test("a torn tail is cut in writable mode and kept in journal.jsonl.torn")
    func tornTailRepair() async throws {
        let url = try copyFixture("recovery/torn-tail")
        let journal = url.appendingPathComponent("users/ana/journal.jsonl")
        let original = try Data(contentsOf: journal)
        let sound = original[..<(original.lastIndex(of: UInt8(ascii: "\n"))! + 1)]
        let store = try FileStateStore(directory: url)
        _ = try await store.loadContext(userID: "ana")
        #expect(try Data(contentsOf: journal) == sound)
        let torn = try Data(contentsOf: url.appendingPathComponent("users/ana/journal.jsonl.torn"))
        #expect(sound + torn == original)
    }

    @Test("corruption in one user leaves the others working")
    func corruptionIsolated() async throws {
        let url = try copyFixture("recovery/corrupt-middle")
        let store = try FileStateStore(directory: url, options: fastOptions())
        try await store.saveContext(sampleContext("bea", messages: 3))
        await #expect(throws: StateStoreError.self) { try await store.loadContext(userID: "ana") }
        await #expect(throws: StateStoreError.self) { try await store.saveContext(CoachContext(userID: "ana")) }
        #expect(try await store.loadContext(userID: "bea") == sampleContext("bea", messages: 3))
        let journal = try Data(contentsOf: url.appendingPathComponent("users/ana/journal.jsonl"))
        let pristine = try Data(contentsOf: Self.fixture("corrupt-middle").appendingPathComponent("users/ana/journal.jsonl"))
        #expect(journal == pristine, "a failed load must leave the corrupt journal as it was")
    }
}
