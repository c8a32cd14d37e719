import CoachPersistence
import CoachTestSupport
import Foundation
import Testing

/// `seal`: hand edits of journal lines and snapshots are accepted, with a backup (issue 12,
/// findings 1 and 4).
@Suite("coach-store seal: accepting hand edits")
struct SealCommandTests {
    @Test("an edited last journal record: seal recomputes its checksum, keeps a backup, and the edit loads")
    func editedLastRecord() async throws {
        let dir = TemporaryDirectory("cli-seal-last")
        defer { dir.remove() }
        _ = try await writeSampleStore(dir.url)
        let journal = dir.url.appendingPathComponent("users/alice/journal.jsonl")
        let original = try Data(contentsOf: journal)
        try alter(journal, line: 5, replacing: "turn 5 answer", with: "turn 5 REPLY!")
        let edited = try journalLines(journal)
        try CLI.expect(1, ["verify", dir.url.path])

        let out = try CLI.expect(0, ["seal", dir.url.path]).stdout
        #expect(out.contains("users/alice/journal.jsonl:5: checksum recomputed"), "\(out)")
        #expect(out.contains("users/alice/journal.jsonl.seal-backup"))
        #expect(!out.contains("bob") && !out.contains("carol"), "only what changed is listed")
        #expect(try Data(contentsOf: journal.appendingPathExtension("seal-backup")) == (try concatenated(edited)))
        let sealed = try journalLines(journal)
        #expect(Array(sealed.prefix(4)) == Array(edited.prefix(4)), "the sound lines are kept byte for byte")
        #expect(sealed.count == 5 && sealed[4] != edited[4])
        #expect(try Data(contentsOf: journal) != original)

        try CLI.expect(0, ["verify", dir.url.path])
        let alice = try #require(try StoreInspector(directory: dir.url).context(userID: "alice"))
        #expect(alice.conversationHistory.count == 10)
        #expect(alice.conversationHistory.last?.content.hasPrefix("turn 5 REPLY!") == true)
        // A writable open keeps the record: nothing is cut as a torn tail.
        let store = try await openWriter(dir.url)
        #expect(try await store.loadContext(userID: "alice")?.conversationHistory.count == 10)
        try await store.close()
        #expect(!FileManager.default.fileExists(atPath: journal.path + ".torn"))
    }

    @Test("a typo fixed in the middle of a journal: seal keeps every later record (repair would cut them)")
    func editedMiddleRecord() async throws {
        let dir = TemporaryDirectory("cli-seal-middle")
        defer { dir.remove() }
        _ = try await writeSampleStore(dir.url)
        try alter(dir.url.appendingPathComponent("users/alice/journal.jsonl"), line: 2, replacing: "turn 2 from", with: "turn 2 FROM")
        let out = try CLI.expect(0, ["seal", dir.url.path, "alice"]).stdout
        #expect(out.contains("users/alice/journal.jsonl:2: checksum recomputed"))
        try CLI.expect(0, ["verify", dir.url.path, "alice"])
        let alice = try #require(try StoreInspector(directory: dir.url).context(userID: "alice"))
        #expect(alice.conversationHistory.count == 10)
        #expect(alice.conversationHistory.contains { $0.content.hasPrefix("turn 2 FROM alice") })
    }

    @Test("a hand-edited snapshot.json: seal rewrites it with its checksum and keeps the original")
    func editedSnapshot() async throws {
        let dir = TemporaryDirectory("cli-seal-snapshot")
        defer { dir.remove() }
        _ = try await writeSampleStore(dir.url)
        let snapshot = dir.url.appendingPathComponent("users/carol/snapshot.json")
        let text = try String(decoding: Data(contentsOf: snapshot), as: UTF8.self)
        let edited = Data(text.replacingOccurrences(of: "turn 1 from carol", with: "turn 1 from Carol").utf8)
        try edited.write(to: snapshot)
        let verify = try CLI.expect(1, ["verify", dir.url.path])
        #expect(verify.stdout.contains("coach-store seal \(dir.url.path) carol"), "verify suggests the fix: \(verify.stdout)")

        let out = try CLI.expect(0, ["seal", dir.url.path]).stdout
        #expect(out.contains("users/carol/snapshot.json: checksum recomputed"), "\(out)")
        #expect(try Data(contentsOf: snapshot.appendingPathExtension("seal-backup")) == edited)
        try CLI.expect(0, ["verify", dir.url.path])
        let carol = try #require(try StoreInspector(directory: dir.url).context(userID: "carol"))
        #expect(carol.conversationHistory.first?.content.hasPrefix("turn 1 from Carol") == true)
        #expect(carol.conversationHistory.count == 10)
        // Only the checksum line and the revision (a hand edit is a new version of the context)
        // differ from the person's edit.
        let sealedLines = try String(decoding: Data(contentsOf: snapshot), as: UTF8.self).split(separator: "\n")
        let editedLines = text.replacingOccurrences(of: "turn 1 from carol", with: "turn 1 from Carol").split(separator: "\n")
        let changed = zip(sealedLines, editedLines).filter { $0 != $1 }.map { $0.0.split(separator: ":").first.map(String.init) ?? "" }
        #expect(changed == [#"  "checksum" "#, #"  "revision" "#], "\(changed)")
    }

    @Test("what does not decode is refused with file, line and reason, and nothing is written")
    func undecodableRefused() async throws {
        let dir = TemporaryDirectory("cli-seal-refused")
        defer { dir.remove() }
        _ = try await writeSampleStore(dir.url)
        try alter(dir.url.appendingPathComponent("users/bob/journal.jsonl"), line: 2, replacing: #""seq":2"#, with: #""seq":x"#)
        try alter(dir.url.appendingPathComponent("users/alice/journal.jsonl"), line: 1, replacing: "turn 1", with: "TURN 1")
        let before = try treeContents(dir.url)
        let result = try CLI.expect(1, ["seal", dir.url.path])
        #expect(result.stderr.contains("users/bob/journal.jsonl:2 cannot be sealed"), "\(result.stderr)")
        #expect(result.stderr.split(separator: "\n").count == 1)
        #expect(try treeContents(dir.url) == before, "all or nothing: alice's sealable edit is not written either")
    }

    @Test("a sequence gap made by hand is refused: sealing must leave a store that loads")
    func sequenceGapRefused() async throws {
        let dir = TemporaryDirectory("cli-seal-gap")
        defer { dir.remove() }
        _ = try await writeSampleStore(dir.url)
        try alter(dir.url.appendingPathComponent("users/alice/journal.jsonl"), line: 3, replacing: #""seq":3"#, with: #""seq":7"#)
        let before = try treeContents(dir.url)
        let result = try CLI.expect(1, ["seal", dir.url.path, "alice"])
        #expect(result.stderr.contains("users/alice/journal.jsonl:3"), "\(result.stderr)")
        #expect(try treeContents(dir.url) == before)
    }

    @Test("--dry-run lists the same changes and writes nothing; a sealed store has nothing to seal")
    func dryRun() async throws {
        let dir = TemporaryDirectory("cli-seal-dry")
        defer { dir.remove() }
        _ = try await writeSampleStore(dir.url)
        try alter(dir.url.appendingPathComponent("users/bob/journal.jsonl"), line: 1, replacing: "turn 1", with: "TURN 1")
        let before = try treeContents(dir.url)
        let dry = try CLI.expect(0, ["seal", dir.url.path, "--dry-run"]).stdout
        #expect(dry.contains("users/bob/journal.jsonl:1: checksum recomputed") && dry.contains("nothing written"))
        #expect(try treeContents(dir.url) == before)
        try CLI.expect(0, ["seal", dir.url.path])
        let sealed = try treeContents(dir.url)
        #expect(try CLI.expect(0, ["seal", dir.url.path]).stdout.contains("Nothing to seal"))
        #expect(try treeContents(dir.url) == sealed)
    }

    @Test("CRLF line endings (core.autocrlf, a Windows editor): after seal every record loads and verify is clean")
    func crlfJournal() async throws {
        let dir = TemporaryDirectory("cli-seal-crlf")
        defer { dir.remove() }
        let written = try await writeSampleStore(dir.url)
        let journal = dir.url.appendingPathComponent("users/alice/journal.jsonl")
        let text = try String(decoding: Data(contentsOf: journal), as: UTF8.self)
        try Data(text.replacingOccurrences(of: "\n", with: "\r\n").utf8).write(to: journal)
        try CLI.expect(0, ["seal", dir.url.path, "alice"])
        try CLI.expect(0, ["verify", dir.url.path])
        #expect(try StoreInspector(directory: dir.url).context(userID: "alice") == written["alice"]!.versions.last)
    }

    @Test("seal takes the write lock: it refuses while a FileStateStore is open")
    func sealNeedsLock() async throws {
        let dir = TemporaryDirectory("cli-seal-lock")
        defer { dir.remove() }
        _ = try await writeSampleStore(dir.url)
        try alter(dir.url.appendingPathComponent("users/bob/journal.jsonl"), line: 1, replacing: "turn 1", with: "TURN 1")
        let writer = try await openWriter(dir.url)
        let before = try treeContents(dir.url)
        #expect(try CLI.expect(1, ["seal", dir.url.path]).stderr.contains("open for writing by another process"))
        #expect(try treeContents(dir.url) == before)
        try await writer.close()
    }

    private func concatenated(_ lines: [Data]) throws -> Data { lines.reduce(Data(), +) }
}
