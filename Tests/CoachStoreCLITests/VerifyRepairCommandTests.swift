import CoachPersistence
import CoachTestSupport
import Foundation
import Testing

/// `verify` and `repair` on sound, corrupt and torn stores, and the read-only promise of every
/// inspection command, run as the built executable.
@Suite("coach-store: verify, repair, read-only inspection")
struct VerifyRepairCommandTests {
    @Test("verify passes a sound store, for all users and for one")
    func verifySound() async throws {
        let dir = TemporaryDirectory("cli-verify-ok")
        defer { dir.remove() }
        _ = try await writeSampleStore(dir.url)
        let all = try CLI.expect(0, ["verify", dir.url.path])
        #expect(all.stdout == "ok: 3 users, 1 snapshot and 9 journal lines checked; no problems.\n")
        let one = try CLI.expect(0, ["verify", dir.url.path, "carol"])
        #expect(one.stdout.hasPrefix("ok: 1 user, 1 snapshot and 2 journal lines checked"))
    }

    @Test("verify exits 1 on an altered record and names its file and line")
    func verifyAltered() async throws {
        let dir = TemporaryDirectory("cli-verify-bad")
        defer { dir.remove() }
        _ = try await writeSampleStore(dir.url)
        try alter(dir.url.appendingPathComponent("users/alice/journal.jsonl"), line: 3, replacing: "turn 3", with: "turn 9")
        let result = try CLI.expect(1, ["verify", dir.url.path])
        let first = try #require(result.stdout.split(separator: "\n").first)
        #expect(first.hasPrefix(dir.url.path + "/users/alice/journal.jsonl:3: checksum mismatch"), "\(result)")
        #expect(first.contains("line 4 after it is a sound record"))
        #expect(result.stdout.contains("1 problem in 1 user"))
        #expect(result.stdout.contains("coach-store repair \(dir.url.path) alice"))
        // Only alice: the other users are fine.
        try CLI.expect(0, ["verify", dir.url.path, "bob"])
        try CLI.expect(1, ["verify", dir.url.path, "alice"])
    }

    @Test("verify reports every problem, not just the first, and goes on to other users")
    func verifyReportsAll() async throws {
        let dir = TemporaryDirectory("cli-verify-many")
        defer { dir.remove() }
        _ = try await writeSampleStore(dir.url)
        try alter(dir.url.appendingPathComponent("users/alice/journal.jsonl"), line: 2, replacing: "turn 2", with: "turn 7")
        try alter(dir.url.appendingPathComponent("users/alice/journal.jsonl"), line: 4, replacing: "turn 4", with: "turn 8")
        let snapshot = dir.url.appendingPathComponent("users/carol/snapshot.json")
        var bytes = try String(decoding: Data(contentsOf: snapshot), as: UTF8.self)
        bytes = bytes.replacingOccurrences(of: "turn 1 from carol", with: "turn 1 from Carol")
        try Data(bytes.utf8).write(to: snapshot)
        let out = try CLI.expect(1, ["verify", dir.url.path]).stdout
        #expect(out.contains("/users/alice/journal.jsonl:2: checksum mismatch"))
        #expect(out.contains("/users/alice/journal.jsonl:4: checksum mismatch"))
        #expect(out.contains("/users/carol/snapshot.json: checksum mismatch"))
        #expect(out.contains("3 problems in 2 users"))
    }

    @Test("repair cuts back to the last good record with a backup; verify then passes; nothing before the damage is lost")
    func repair() async throws {
        let dir = TemporaryDirectory("cli-repair")
        defer { dir.remove() }
        let written = try await writeSampleStore(dir.url)
        let journal = dir.url.appendingPathComponent("users/alice/journal.jsonl")
        let original = try journalLines(journal)
        try alter(journal, line: 3, replacing: "turn 3", with: "turn 9")
        let damaged = try Data(contentsOf: journal)
        let others = try treeContents(dir.url).filter { !$0.key.hasPrefix("users/alice/") }

        let result = try CLI.expect(0, ["repair", dir.url.path, "alice"])
        #expect(result.stdout.contains("Repaired users/alice/journal.jsonl"))
        #expect(result.stdout.contains("line 3"))
        #expect(result.stdout.contains("kept    2 records"))
        #expect(result.stdout.contains("cut     3 lines"))
        #expect(result.stdout.contains("sound records 4, 5"))
        #expect(result.stdout.contains("backup  users/alice/journal.jsonl.repair-backup"))

        try CLI.expect(0, ["verify", dir.url.path])
        // Every record before the damage is still there, byte for byte; the rest is in the backup.
        #expect(try Data(contentsOf: journal) == original[0] + original[1])
        let backup = try Data(contentsOf: dir.url.appendingPathComponent("users/alice/journal.jsonl.repair-backup"))
        #expect(try Data(contentsOf: journal) + backup == damaged)
        // Other users untouched.
        #expect(try treeContents(dir.url).filter { !$0.key.hasPrefix("users/alice/") } == others)
        // The store loads alice as of her second save, and can save again.
        let store = try await openWriter(dir.url)
        #expect(try await store.loadContext(userID: "alice") == written["alice"]!.versions[1])
        try await store.saveContext(written["alice"]!.versions[4])
        try await store.close()
        try CLI.expect(0, ["verify", dir.url.path])
    }

    @Test("repair of a sound journal changes nothing; a second backup gets a new name")
    func repairSoundAndRepeated() async throws {
        let dir = TemporaryDirectory("cli-repair-twice")
        defer { dir.remove() }
        _ = try await writeSampleStore(dir.url)
        let before = try treeContents(dir.url)
        #expect(try CLI.expect(0, ["repair", dir.url.path, "bob"]).stdout.contains("nothing to repair"))
        #expect(try treeContents(dir.url) == before)

        let journal = dir.url.appendingPathComponent("users/alice/journal.jsonl")
        try alter(journal, line: 5, replacing: "turn 5", with: "turn 0")
        try CLI.expect(0, ["repair", dir.url.path, "alice"])
        try alter(journal, line: 4, replacing: "turn 4", with: "turn 0")
        try CLI.expect(0, ["repair", dir.url.path, "alice"])
        #expect(FileManager.default.fileExists(atPath: journal.path + ".repair-backup"))
        #expect(FileManager.default.fileExists(atPath: journal.path + ".repair-backup.2"))
        #expect(try journalLines(journal).count == 3)
        try CLI.expect(0, ["verify", dir.url.path])
    }

    @Test("a torn tail: verify reports it, inspection leaves it, repair cuts it")
    func tornTail() async throws {
        let dir = TemporaryDirectory("cli-torn")
        defer { dir.remove() }
        let written = try await writeSampleStore(dir.url)
        let journal = dir.url.appendingPathComponent("users/bob/journal.jsonl")
        let handle = try FileHandle(forWritingTo: journal)
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(#"{"seq":3,"events":[{"type":"messagesApp"#.utf8))
        try handle.close()
        let before = try treeContents(dir.url)

        let verify = try CLI.expect(1, ["verify", dir.url.path])
        #expect(verify.stdout.contains("/users/bob/journal.jsonl:3: torn tail"))
        // Read-only commands skip the tail in memory and cut nothing.
        #expect(try CLI.expect(0, ["history", dir.url.path, "bob"]).stdout.contains("turn 2 answer"))
        try CLI.expect(0, ["ls", dir.url.path])
        #expect(try treeContents(dir.url) == before)

        try CLI.expect(0, ["repair", dir.url.path, "bob"])
        try CLI.expect(0, ["verify", dir.url.path])
        let store = try FileStateStore(directory: dir.url, options: fastOptions(readOnly: true))
        #expect(try await store.loadContext(userID: "bob") == written["bob"]!.versions[1])
    }

    @Test("repair refuses a damaged snapshot and changes nothing")
    func repairRefusesSnapshot() async throws {
        let dir = TemporaryDirectory("cli-repair-snapshot")
        defer { dir.remove() }
        _ = try await writeSampleStore(dir.url)
        let snapshot = dir.url.appendingPathComponent("users/carol/snapshot.json")
        let text = try String(decoding: Data(contentsOf: snapshot), as: UTF8.self)
        #expect(text.contains("turn 1 from carol"))
        try Data(text.replacingOccurrences(of: "turn 1 from carol", with: "turn 1 from Carol").utf8).write(to: snapshot)
        let before = try treeContents(dir.url)
        let result = try CLI.expect(1, ["repair", dir.url.path, "carol"])
        #expect(result.stderr.contains("cannot be repaired") && result.stderr.contains("users/carol/snapshot.json"))
        #expect(try treeContents(dir.url) == before)
    }

    @Test("inspection commands change no byte and work while a FileStateStore holds the write lock")
    func readOnlyUnderLiveWriter() async throws {
        let dir = TemporaryDirectory("cli-readonly")
        defer { dir.remove() }
        _ = try await writeSampleStore(dir.url)
        try alter(dir.url.appendingPathComponent("users/alice/journal.jsonl"), line: 4, replacing: "turn 4", with: "turn 6")
        let writer = try await openWriter(dir.url)
        let before = try treeContents(dir.url)
        let path = dir.url.path
        for arguments in [
            ["show", path, "carol"], ["show", path, "carol", "--json"], ["history", path, "bob"],
            ["log", path, "alice"], ["log", path, "carol"], ["export", path, "carol"],
        ] {
            try CLI.expect(0, arguments)
        }
        try CLI.expect(1, ["ls", path])  // alice cannot be read
        try CLI.expect(1, ["stats", path])
        try CLI.expect(1, ["verify", path])
        try CLI.expect(1, ["show", path, "alice"])
        try CLI.expect(1, ["export", path])  // alice cannot be read
        #expect(try treeContents(dir.url) == before)

        // Commands that write take the lock, so they refuse while the writer runs.
        for arguments in [["repair", path, "alice"], ["compact", path], ["compact", path, "bob"]] {
            let result = try CLI.expect(1, arguments)
            #expect(result.stderr.contains("open for writing by another process"), "\(result)")
        }
        #expect(try treeContents(dir.url) == before)
        try await writer.close()
        try CLI.expect(0, ["repair", path, "alice"])
    }
}
