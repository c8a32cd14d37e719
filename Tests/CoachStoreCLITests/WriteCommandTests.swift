import CoachPersistence
import CoachTestSupport
import Foundation
import Testing

/// `demo`, `compact`, `export` and `import`, and the command line itself, run as the built executable.
@Suite("coach-store: demo, compact, export, import, usage")
struct WriteCommandTests {
    @Test("demo writes a realistic store into a new folder, and says what to try")
    func demoIntoFolder() async throws {
        let dir = TemporaryDirectory("cli-demo")
        defer { dir.remove() }
        let target = dir.path("store")
        let out = try CLI.expect(0, ["demo", target]).stdout
        #expect(out.hasPrefix("Wrote a demo store with 4 coaching conversations to \(target)"))
        #expect(out.contains("Try:") && out.contains("ls \(target)") && out.contains("verify \(target)"))
        #expect(out.split(separator: "\n").count < 20, "demo output should stay short")

        let inspector = try StoreInspector(directory: URL(fileURLWithPath: target))
        let summaries = try inspector.summaries()
        #expect(summaries.map(\.userID) == ["jonas", "leo", "maya", "priya"])
        #expect(Set(summaries.compactMap(\.state)).count == 4, "users in different coaching states")
        #expect(summaries.contains { $0.snapshotBytes == nil && $0.journalRecords > 1 }, "a journal never compacted")
        #expect(summaries.contains { $0.snapshotBytes != nil && $0.pendingRecords > 0 }, "a snapshot with newer saves")
        #expect(summaries.contains { $0.snapshotBytes != nil && $0.pendingRecords == 0 }, "a fully compacted user")
        #expect(summaries.allSatisfy { $0.messageCount >= 2 && $0.problem == nil })
        try CLI.expect(0, ["verify", target])

        // Not into a folder that holds something.
        let again = try CLI.expect(1, ["demo", target])
        #expect(again.stderr.contains("is not empty"))
    }

    @Test("demo without a folder uses a fresh temporary one and says where")
    func demoTemporary() async throws {
        let out = try CLI.expect(0, ["demo"]).stdout
        let firstLine = try #require(out.split(separator: "\n").first)
        let path = try #require(firstLine.components(separatedBy: " to ").last)
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(path.contains("coach-store-demo-"))
        #expect(try StoreInspector(directory: URL(fileURLWithPath: path)).userIDs().count == 4)
    }

    @Test("compact of one user folds its journal into the snapshot; the context is unchanged")
    func compactOne() async throws {
        let dir = TemporaryDirectory("cli-compact-one")
        defer { dir.remove() }
        let written = try await writeSampleStore(dir.url)
        let out = try CLI.expect(0, ["compact", dir.url.path, "alice"]).stdout
        #expect(out.contains("alice") && out.contains("5 records") && out.contains("Compacted 1 of 1 user."))
        let inspector = try StoreInspector(directory: dir.url)
        let alice = try #require(try inspector.summary(userID: "alice"))
        #expect(alice.journalBytes == 0 && alice.snapshotSequence == 5 && alice.snapshotBytes != nil)
        #expect(try inspector.summary(userID: "bob")?.snapshotBytes == nil, "only alice was compacted")
        #expect(try inspector.context(userID: "alice") == written["alice"]!.versions.last)
        try CLI.expect(1, ["compact", dir.url.path, "dave"])
    }

    @Test("compact of all users, without a terminal: no progress line, a table and a total")
    func compactAll() async throws {
        let dir = TemporaryDirectory("cli-compact-all")
        defer { dir.remove() }
        let written = try await writeSampleStore(dir.url)
        let result = try CLI.expect(0, ["compact", dir.url.path])
        #expect(!result.stdout.contains("\r"), "progress lines are for terminals only")
        #expect(result.stdout.contains("Compacted 3 of 3 users."))
        let inspector = try StoreInspector(directory: dir.url)
        for summary in try inspector.summaries() {
            #expect(summary.journalBytes == 0 && summary.pendingRecords == 0)
            #expect(try inspector.context(userID: summary.userID) == written[summary.userID]!.versions.last)
        }
        try CLI.expect(0, ["verify", dir.url.path])
        // Nothing left to do the second time.
        #expect(try CLI.expect(0, ["compact", dir.url.path]).stdout.contains("Compacted 0 of 3 users."))
    }

    @Test("compact reports a corrupt user, compacts the others, and exits 1")
    func compactWithCorruptUser() async throws {
        let dir = TemporaryDirectory("cli-compact-corrupt")
        defer { dir.remove() }
        _ = try await writeSampleStore(dir.url)
        try alter(dir.url.appendingPathComponent("users/alice/journal.jsonl"), line: 2, replacing: "turn 2", with: "turn 3")
        let result = try CLI.expect(1, ["compact", dir.url.path])
        #expect(result.stderr.contains("alice") && result.stderr.contains("corrupt"))
        #expect(try StoreInspector(directory: dir.url).summary(userID: "bob")?.pendingRecords == 0)
    }

    @Test("export then import into an empty folder gives contexts equal to the originals")
    func exportImportRoundTrip() async throws {
        let source = TemporaryDirectory("cli-export")
        let target = TemporaryDirectory("cli-import")
        defer { source.remove(); target.remove() }
        let written = try await writeSampleStore(source.url)
        let export = try CLI.expect(0, ["export", source.url.path])
        let file = source.url.appendingPathComponent("export.json")
        try Data(export.stdout.utf8).write(to: file)
        #expect(export.stdout.hasPrefix("[\n"))

        let into = target.url.appendingPathComponent("restored")  // does not exist yet
        let imported = try CLI.expect(0, ["import", into.path, file.path])
        #expect(imported.stdout.contains("Imported 3 contexts") && imported.stdout.contains("3 new, 0 replaced"))
        let original = try FileStateStore(directory: source.url, options: fastOptions(readOnly: true))
        let restored = try FileStateStore(directory: into, options: fastOptions(readOnly: true))
        #expect(try await restored.userIDs() == ["alice", "bob", "carol"])
        for id in ["alice", "bob", "carol"] {
            let context = try await restored.loadContext(userID: id)
            let originalContext = try await original.loadContext(userID: id)
            #expect(context == written[id]!.versions.last)
            #expect(context == originalContext)
        }
        #expect(try CLI.expect(0, ["export", into.path]).stdout == export.stdout)

        // One user, through standard input, replaces that user.
        let one = try CLI.expect(0, ["export", source.url.path, "bob"]).stdout
        #expect(one.hasPrefix("{\n"))
        let changed = one.replacingOccurrences(of: "turn 2 answer", with: "turn 2 reply")
        #expect(try CLI.expect(0, ["import", into.path, "-"], stdin: Data(changed.utf8)).stdout.contains("0 new, 1 replaced, 0 unchanged"))
    }

    @Test("import refuses what is not an export, with the reason, and writes nothing")
    func importErrors() async throws {
        let dir = TemporaryDirectory("cli-import-bad")
        defer { dir.remove() }
        let store = dir.url.appendingPathComponent("store")
        for (input, reason) in [
            ("", "it is empty"), ("nope", "not a JSON object or array"), ("{\"x\":1}", "userID is missing"),
            ("[{\"userID\":\"a\"},{\"userID\":3}]", "[1].userID"), ("{", "not valid JSON"),
        ] {
            let result = try CLI.expect(1, ["import", store.path, "-"], stdin: Data(input.utf8))
            #expect(result.stderr.contains("standard input is not a coach-store export") && result.stderr.contains(reason), "\(input): \(result.stderr)")
            #expect(result.stderr.split(separator: "\n").count == 1)
        }
        #expect(!FileManager.default.fileExists(atPath: store.path))
        #expect(try CLI.expect(1, ["import", store.path, dir.path("missing.json")]).stderr.contains("no file"))
    }

    @Test("usage errors exit 2 with one sentence on stderr; --help exits 0 on every command")
    func usage() throws {
        let cases: [([String], String)] = [
            ([], "missing a command"),
            (["frobnicate"], "unknown command 'frobnicate'"),
            (["--frob"], "unknown option '--frob'"),
            (["ls"], "missing DIR"),
            (["ls", "a", "b"], "unexpected argument 'b'"),
            (["show", "dir"], "missing USER"),
            (["show", "dir", "u", "--json=yes"], "--json takes no value"),
            (["show", "dir", "u", "--color"], "unknown option '--color'"),
            (["history", "dir", "u", "--tail"], "--tail needs a value"),
            (["history", "dir", "u", "--tail", "-3"], "--tail needs a whole number"),
            (["import", "dir"], "missing FILE"),
            (["verify", "dir", "u", "v"], "unexpected argument 'v'"),
            (["ls", ""], "DIR must not be empty"),
            (["help", "frobnicate"], "unknown command 'frobnicate'"),
        ]
        for (arguments, message) in cases {
            let result = try CLI.expect(2, arguments)
            #expect(result.stderr.contains(message), "\(arguments): \(result.stderr)")
            #expect(result.stderr.split(separator: "\n").count == 1, "\(arguments): \(result.stderr)")
            #expect(result.stdout.isEmpty)
        }
        let top = try CLI.expect(0, ["--help"]).stdout
        for command in ["demo", "ls", "show", "history", "log", "verify", "repair", "compact", "export", "import", "stats"] {
            #expect(top.contains("\n  \(command) "), "\(command) missing from --help")
            let help = try CLI.expect(0, [command, "--help"]).stdout
            #expect(help.hasPrefix("Usage: coach-store \(command)"))
            #expect(help.contains("-h, --help"))
            #expect(try CLI.expect(0, [command, "-h"]).stdout == help)
            #expect(try CLI.expect(0, ["help", command]).stdout == help)
        }
        #expect(try CLI.expect(0, ["history", "--help"]).stdout.contains("-n, --tail N"))
    }
}
