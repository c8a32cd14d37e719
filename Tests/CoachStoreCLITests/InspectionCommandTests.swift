import CoachPersistence
import CoachTestSupport
import Foundation
import Testing

/// `ls`, `show`, `history`, `log` and `stats` on a store an app wrote, run as the built executable.
@Suite("coach-store: inspection commands")
struct InspectionCommandTests {
    @Test("ls lists every user with state, messages, last activity, records and bytes")
    func ls() async throws {
        let dir = TemporaryDirectory("cli-ls")
        defer { dir.remove() }
        _ = try await writeSampleStore(dir.url)
        let result = try CLI.expect(0, ["ls", dir.url.path])
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count == 4)
        #expect(lines[0].hasPrefix("USER") && lines[0].contains("STATE") && lines[0].contains("LAST ACTIVITY"))
        #expect(lines[0].contains("RECORDS") && lines[0].contains("JOURNAL") && lines[0].contains("SNAPSHOT"))
        let alice = lines[1].split(separator: " ").map(String.init)
        #expect(alice[0] == "alice" && alice[1] == "valuesDiscovery" && alice[2] == "10")
        #expect(alice[3].hasPrefix("2026-09-21T") && alice[3].hasSuffix("Z"), "ISO 8601 with its zone: \(alice[3])")
        // carol: compacted after save 3, so 2 records in the journal and a snapshot.
        let carol = lines[3].split(separator: " ").map(String.init)
        #expect(carol[0] == "carol" && carol[1] == "habitBuilding" && carol[2] == "10")
        #expect(carol[4] == "2" && carol[5] == "2", "records and pending: \(lines[3])")
        #expect(!lines[3].hasSuffix("-"))
        #expect(lines[1].hasSuffix("-"), "alice has no snapshot: \(lines[1])")
        #expect(result.stderr.isEmpty)
    }

    @Test("ls on an empty store, and on a folder that is not a store")
    func lsEmptyAndMissing() async throws {
        let dir = TemporaryDirectory("cli-ls-empty")
        defer { dir.remove() }
        let store = try FileStateStore(directory: dir.url, options: fastOptions())
        try await store.close()
        #expect(try CLI.expect(0, ["ls", dir.url.path]).stdout.contains("No users"))
        let missing = try CLI.expect(1, ["ls", dir.path("nope")])
        #expect(missing.stderr.contains("is not a coach store"))
        #expect(missing.stderr.split(separator: "\n").count == 1)
        #expect(!FileManager.default.fileExists(atPath: dir.path("nope")), "a read-only command created the folder")
    }

    @Test("show prints the context readably, and --json prints exactly what export writes")
    func show() async throws {
        let dir = TemporaryDirectory("cli-show")
        defer { dir.remove() }
        let written = try await writeSampleStore(dir.url)
        let text = try CLI.expect(0, ["show", dir.url.path, "carol"]).stdout
        #expect(text.contains("User") && text.contains("carol"))
        #expect(text.contains("habitBuilding"))
        #expect(text.split(separator: "\n").contains { $0.hasPrefix("Messages ") && $0.hasSuffix(" 10") || $0.contains(" 10, last ") })
        #expect(text.contains("Europe/Paris"))
        #expect(text.contains("- run a 10k"))
        #expect(text.contains("plan = \"free\""))
        let words = text.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        #expect(words.contains("snapshot") && words.contains("at sequence 3") && words.contains("2 not compacted yet"))

        for flag in ["--json", "-j"] {
            let json = try CLI.expect(0, ["show", dir.url.path, "carol", flag]).stdout
            let decoded = try ContextArchive.decode(Data(json.utf8))
            #expect(decoded == [written["carol"]!.versions.last!])
            #expect(json == String(decoding: try ContextArchive.encode(written["carol"]!.versions.last!), as: UTF8.self))
        }
    }

    @Test("show and history of an unknown user fail with a sentence naming the users")
    func unknownUser() async throws {
        let dir = TemporaryDirectory("cli-unknown")
        defer { dir.remove() }
        _ = try await writeSampleStore(dir.url)
        for command in ["show", "history", "log", "export", "verify"] {
            let result = try CLI.expect(1, [command, dir.url.path, "dave"])
            #expect(result.stderr.contains("no user 'dave'"), "\(command): \(result.stderr)")
            #expect(result.stderr.contains("'alice'"))
            #expect(result.stdout.isEmpty)
        }
    }

    @Test("history prints one block per message; --tail keeps the last N")
    func history() async throws {
        let dir = TemporaryDirectory("cli-history")
        defer { dir.remove() }
        _ = try await writeSampleStore(dir.url)
        let all = try CLI.expect(0, ["history", dir.url.path, "bob"]).stdout
        let blocks = all.components(separatedBy: "\n\n")
        #expect(blocks.count == 4)
        #expect(blocks[0].hasPrefix("[2026-09-21T") && blocks[0].contains("Z] user\n  turn 1 from bob"))
        #expect(blocks[3].contains("] assistant\n  turn 2 answer"))

        for form in [["--tail", "3"], ["--tail=3"], ["-n", "3"]] {
            let tail = try CLI.expect(0, ["history", dir.url.path, "alice"] + form).stdout
            #expect(tail.hasPrefix("… 7 earlier messages"), "\(form): \(tail)")
            #expect(tail.components(separatedBy: "\n\n").count == 4)
            #expect(tail.contains("turn 4 answer") && tail.contains("turn 5 from alice") && !tail.contains("turn 4 from"))
        }
        try CLI.expect(2, ["history", dir.url.path, "alice", "--tail", "0"])
        try CLI.expect(2, ["history", dir.url.path, "alice", "--tail", "many"])
        try CLI.expect(2, ["history", dir.url.path, "alice", "--tail"])
    }

    @Test("log lists each record as stored: line, sequence, checksum, events, snapshot coverage")
    func log() async throws {
        let dir = TemporaryDirectory("cli-log")
        defer { dir.remove() }
        _ = try await writeSampleStore(dir.url)
        let alice = try CLI.expect(0, ["log", dir.url.path, "alice"]).stdout
        #expect(alice.hasPrefix("users/alice/journal.jsonl: 5 lines"))
        let rows = alice.split(separator: "\n").map { $0.split(separator: " ").map(String.init) }
        let line1 = try #require(rows.first { $0.first == "1" })
        #expect(line1[1] == "1" && line1[2] == "ok" && line1[3] == "contextReplaced")
        let line2 = try #require(rows.first { $0.first == "2" })
        #expect(line2[1] == "2" && line2[2] == "ok" && line2[3] == "messagesAppended")
        #expect(alice.contains("metadataSet") && alice.contains("plan = \"free\""))
        #expect(alice.contains("user: \"turn 3 from alice"))
        #expect(alice.contains("→ valuesDiscovery"))

        let carol = try CLI.expect(0, ["log", dir.url.path, "carol"]).stdout
        #expect(carol.contains("2 lines") && carol.contains("snapshot.json covers sequence 3"))
        let carolRows = carol.split(separator: "\n").map { $0.split(separator: " ").map(String.init) }
        #expect(carolRows.contains { $0.first == "1" && $0[1] == "4" })
        #expect(carolRows.contains { $0.first == "2" && $0[1] == "5" })
    }

    @Test("log marks a damaged line and shows its first bytes")
    func logDamaged() async throws {
        let dir = TemporaryDirectory("cli-log-damaged")
        defer { dir.remove() }
        _ = try await writeSampleStore(dir.url)
        try alter(dir.url.appendingPathComponent("users/alice/journal.jsonl"), line: 3, replacing: "turn 3", with: "TURN 3")
        let out = try CLI.expect(0, ["log", dir.url.path, "alice"]).stdout
        let row = try #require(out.split(separator: "\n").first { $0.hasPrefix("   3") })
        #expect(row.contains("BAD") && row.contains("checksum mismatch"))
        #expect(out.contains("{\"seq\":3,"))
        #expect(out.contains("1 line cannot be read"))
    }

    @Test("stats counts users per state, messages per role and bytes")
    func stats() async throws {
        let dir = TemporaryDirectory("cli-stats")
        defer { dir.remove() }
        _ = try await writeSampleStore(dir.url)
        let out = try CLI.expect(0, ["stats", dir.url.path]).stdout
        func value(_ label: String) -> String? {
            out.split(separator: "\n").first { $0.trimmingCharacters(in: .whitespaces).hasPrefix(label + " ") }
                .map { $0.trimmingCharacters(in: .whitespaces).dropFirst(label.count).trimmingCharacters(in: .whitespaces) }
        }
        #expect(value("Users") == "3")
        #expect(value("introduction") == "1" && value("valuesDiscovery") == "1" && value("habitBuilding") == "1")
        #expect(value("Messages") == "24")
        #expect(value("user") == "12" && value("assistant") == "12")
        #expect(value("per user") == "8.0 on average")
        #expect(value("Journals")?.contains("in 9 records, 9 not compacted yet") == true)  // 5 + 2 + 2
        #expect(value("Snapshots")?.contains("in 1 file") == true)
    }

    @Test("a hostile user id goes through unchanged")
    func hostileUserID() async throws {
        let dir = TemporaryDirectory("cli-hostile")
        defer { dir.remove() }
        let id = "../Ann é\u{301} ☕️ -- --json"
        let store = try FileStateStore(directory: dir.url, options: fastOptions())
        try await store.saveContext(sampleContext(id, messages: 3))
        try await store.close()
        let json = try CLI.expect(0, ["show", "--json", dir.url.path, "--", id]).stdout
        #expect(try ContextArchive.decode(Data(json.utf8)).first?.userID.utf8.elementsEqual(id.utf8) == true)
        #expect(try CLI.expect(0, ["history", dir.url.path, id]).stdout.contains("message 2"))
        #expect(try CLI.expect(0, ["ls", dir.url.path]).stdout.contains("../Ann"))
    }
}
