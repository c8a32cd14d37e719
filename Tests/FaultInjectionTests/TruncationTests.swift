import CoachTestSupport
import Foundation
import Testing
@testable import CoachPersistence

/// Every byte, part one: a journal cut at every offset, on real files. Each cut loads as a
/// prefix of the saves, changes no byte when opened read-only, and takes a new save when
/// opened for writing, the torn bytes kept in `journal.jsonl.torn`.
@Suite("Journal truncated at every byte")
struct TruncationTests {
    @Test("every cut loads a prefix of the saves and stays writable", arguments: [0, 2])
    func everyTruncation(compactedSaves: Int) async throws {
        let folder = TemporaryDirectory("truncation")
        defer { folder.remove() }
        let fixture = try await JournalFixture.make(
            fileSystem: PosixFileSystem(root: folder.url.path), root: folder.url.path, options: fastOptions(), compactedSaves: compactedSaves)
        for length in 0...fixture.journal.count {
            try Data(fixture.journal[..<length]).write(to: URL(fileURLWithPath: fixture.paths.journal))
            try? FileManager.default.removeItem(atPath: fixture.paths.tornTail)
            try await check(cutAt: length, fixture, folder.url)
        }
        print("[fault injection] truncation (\(compactedSaves) saves compacted): \(fixture.journal.count + 1) cuts")
    }

    private func check(cutAt length: Int, _ fixture: JournalFixture, _ folder: URL) async throws {
        let expected = fixture.context(keeping: length)
        let label = Comment(rawValue: "journal cut to \(length) of \(fixture.journal.count) bytes")
        let before = try treeContents(folder)
        let reader = try FileStateStore(directory: folder, options: fastOptions(readOnly: true))
        #expect(try await reader.loadContext(userID: JournalFixture.userID) == expected, label)
        #expect(try treeContents(folder) == before, label)

        let writer = try FileStateStore(directory: folder, options: fastOptions())
        #expect(try await writer.loadContext(userID: JournalFixture.userID) == expected, label)
        var next = expected ?? CoachContext(userID: JournalFixture.userID)
        next.conversationHistory.append(Workload.message(7, "after the cut"))
        try await writer.saveContext(next)
        try await writer.close()

        let reopened = try FileStateStore(directory: folder, options: fastOptions(readOnly: true))
        #expect(try await reopened.loadContext(userID: JournalFixture.userID) == next, label)
        let kept = fixture.soundLength(keeping: length)
        let journal = try Data(contentsOf: URL(fileURLWithPath: fixture.paths.journal))
        #expect(journal.prefix(kept) == Data(fixture.journal[..<kept]), label)
        let torn = FileManager.default.contents(atPath: fixture.paths.tornTail)
        #expect(torn == (kept < length ? Data(fixture.journal[kept..<length]) : nil), label)
    }
}
