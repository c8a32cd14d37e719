import CoachPersistence
import CoachTestSupport
import Foundation
import Testing

/// `--json` for ls, verify and stats; exit 1 when a user cannot be read; `delete`; `export` of
/// the healthy users (issue 12, findings 4 and 5; issue 15, finding 5).
@Suite("coach-store: JSON output, unreadable users, delete")
struct ListingJSONTests {
    private func object(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    @Test("ls --json: one object per user with stable keys; times are ISO 8601 with Z")
    func lsJSON() async throws {
        let dir = TemporaryDirectory("cli-ls-json")
        defer { dir.remove() }
        _ = try await writeSampleStore(dir.url)
        let json = try object(try CLI.expect(0, ["ls", dir.url.path, "--json"]).stdout)
        let users = try #require(json["users"] as? [[String: Any]])
        #expect(users.map { $0["userID"] as? String } == ["alice", "bob", "carol"])
        let keys: Set = [
            "userID", "folder", "state", "messages", "lastActivity", "sequence", "snapshotSequence", "journalRecords",
            "pendingRecords", "journalBytes", "snapshotBytes", "problem",
        ]
        for user in users { #expect(Set(user.keys) == keys) }
        let carol = users[2]
        #expect(carol["state"] as? String == "habitBuilding" && carol["messages"] as? Int == 10)
        #expect(carol["journalRecords"] as? Int == 2 && carol["snapshotSequence"] as? Int == 3)
        #expect(carol["problem"] is NSNull && users[0]["snapshotBytes"] is NSNull)
        let last = try #require(carol["lastActivity"] as? String)
        #expect(last.hasPrefix("2026-09-2") && last.hasSuffix("Z") && last.count == 24, "\(last)")
    }

    @Test("ls and stats exit 1 and name the unreadable user, and still list and count the others")
    func unreadableUser() async throws {
        let dir = TemporaryDirectory("cli-unreadable")
        defer { dir.remove() }
        _ = try await writeSampleStore(dir.url)
        try alter(dir.url.appendingPathComponent("users/alice/journal.jsonl"), line: 2, replacing: "turn 2", with: "turn 9")
        let ls = try CLI.expect(1, ["ls", dir.url.path])
        #expect(ls.stdout.contains("UNREADABLE") && ls.stdout.contains("bob") && ls.stdout.contains("carol"))
        #expect(ls.stderr.contains("'alice'") && ls.stderr.contains("verify"))
        let lsJSON = try object(try CLI.expect(1, ["ls", dir.url.path, "--json"]).stdout)
        let users = try #require(lsJSON["users"] as? [[String: Any]])
        #expect(users.count == 3 && users[0]["problem"] is String && users[0]["messages"] is NSNull)

        let stats = try CLI.expect(1, ["stats", dir.url.path])
        #expect(stats.stdout.contains("unreadable") && stats.stderr.contains("'alice'"))
        let statsJSON = try object(try CLI.expect(1, ["stats", dir.url.path, "--json"]).stdout)
        #expect(statsJSON["unreadableUsers"] as? [String] == ["alice"])
        #expect(statsJSON["users"] as? Int == 3 && statsJSON["messages"] as? Int == 14)
    }

    @Test("stats --json: stable keys, counts per state and role")
    func statsJSON() async throws {
        let dir = TemporaryDirectory("cli-stats-json")
        defer { dir.remove() }
        _ = try await writeSampleStore(dir.url)
        let json = try object(try CLI.expect(0, ["stats", dir.url.path, "--json"]).stdout)
        #expect(Set(json.keys) == [
            "users", "unreadableUsers", "usersPerState", "messages", "messagesPerRole", "averageMessagesPerUser",
            "journalBytes", "journalRecords", "pendingRecords", "snapshotBytes", "snapshots",
        ])
        #expect(json["users"] as? Int == 3 && json["messages"] as? Int == 24 && json["snapshots"] as? Int == 1)
        #expect((json["messagesPerRole"] as? [String: Int]) == ["user": 12, "assistant": 12])
        #expect((json["usersPerState"] as? [String: Int])?["habitBuilding"] == 1)
    }

    @Test("verify --json: clean flag, counts, and problems with kind, user, file, line, reason")
    func verifyJSON() async throws {
        let dir = TemporaryDirectory("cli-verify-json")
        defer { dir.remove() }
        _ = try await writeSampleStore(dir.url)
        let clean = try object(try CLI.expect(0, ["verify", dir.url.path, "--json"]).stdout)
        #expect(clean["clean"] as? Bool == true && (clean["problems"] as? [Any])?.isEmpty == true)
        #expect(clean["users"] as? Int == 3 && clean["lines"] as? Int == 9 && clean["snapshots"] as? Int == 1)

        try alter(dir.url.appendingPathComponent("users/alice/journal.jsonl"), line: 2, replacing: "turn 2", with: "turn 9")
        let json = try object(try CLI.expect(1, ["verify", dir.url.path, "--json"]).stdout)
        #expect(json["clean"] as? Bool == false)
        let problem = try #require((json["problems"] as? [[String: Any]])?.first)
        #expect(Set(problem.keys) == ["kind", "userID", "file", "line", "reason", "repairable"])
        #expect(problem["kind"] as? String == "corruptJournal" && problem["userID"] as? String == "alice")
        #expect(problem["file"] as? String == "users/alice/journal.jsonl" && problem["line"] as? Int == 2)
    }

    @Test("verify reports a user folder it cannot read and goes on checking the others")
    func verifyGoesOn() async throws {
        let dir = TemporaryDirectory("cli-verify-unreadable")
        defer { dir.remove() }
        _ = try await writeSampleStore(dir.url)
        // bob's journal replaced by a folder: reading it fails (EISDIR), as an unreadable file would.
        let bobJournal = dir.url.appendingPathComponent("users/bob/journal.jsonl")
        try FileManager.default.removeItem(at: bobJournal)
        try FileManager.default.createDirectory(at: bobJournal, withIntermediateDirectories: false)
        // A user's folder replaced by a file, and a dangling link where a folder belongs.
        try Data("not a folder".utf8).write(to: dir.url.appendingPathComponent("users/dave"))
        try FileManager.default.createSymbolicLink(atPath: dir.path("users/erin"), withDestinationPath: dir.path("nowhere"))
        try alter(dir.url.appendingPathComponent("users/carol/journal.jsonl"), line: 1, replacing: "turn 4", with: "turn 7")

        let result = try CLI.expect(1, ["verify", dir.url.path])
        #expect(result.stdout.contains("users/bob") && result.stdout.contains("cannot be read"), "\(result.stdout)")
        #expect(result.stdout.contains("users/dave: is not a folder"))
        #expect(result.stdout.contains("users/erin: is not a folder"))
        #expect(result.stdout.contains("users/carol/journal.jsonl:1:"), "carol is checked after bob")
        let json = try object(try CLI.expect(1, ["verify", dir.url.path, "--json"]).stdout)
        let kinds = (json["problems"] as? [[String: Any]])?.compactMap { $0["kind"] as? String } ?? []
        #expect(kinds.filter { $0 == "unreadableFolder" }.count == 3 && kinds.contains("corruptJournal"))
    }

    @Test("export exports every healthy user, names the unreadable one on stderr, and exits 1")
    func exportHealthy() async throws {
        let dir = TemporaryDirectory("cli-export-partial")
        defer { dir.remove() }
        let written = try await writeSampleStore(dir.url)
        try alter(dir.url.appendingPathComponent("users/alice/journal.jsonl"), line: 2, replacing: "turn 2", with: "turn 9")
        let result = try CLI.expect(1, ["export", dir.url.path])
        #expect(try ContextArchive.decode(Data(result.stdout.utf8)) == [written["bob"]!.versions.last!, written["carol"]!.versions.last!])
        #expect(result.stderr.contains("left out 'alice'"))
    }

    @Test("delete removes one user; an unknown user or a held lock fail with a sentence")
    func delete() async throws {
        let dir = TemporaryDirectory("cli-delete")
        defer { dir.remove() }
        _ = try await writeSampleStore(dir.url)
        #expect(try CLI.expect(0, ["delete", dir.url.path, "bob"]).stdout.contains("Deleted 'bob'"))
        #expect(try StoreInspector(directory: dir.url).userIDs() == ["alice", "carol"])
        #expect(try CLI.expect(1, ["delete", dir.url.path, "bob"]).stderr.contains("no user 'bob'"))
        let writer = try await openWriter(dir.url)
        #expect(try CLI.expect(1, ["delete", dir.url.path, "alice"]).stderr.contains("open for writing"))
        try await writer.close()
        #expect(try StoreInspector(directory: dir.url).userIDs() == ["alice", "carol"])
        #expect(!FileManager.default.fileExists(atPath: dir.path("nope")))
        try CLI.expect(1, ["delete", dir.path("nope"), "alice"])
        #expect(!FileManager.default.fileExists(atPath: dir.path("nope")), "a mistyped path does not become a store")
    }
}
