import CoachPersistence
import CommandLineParsing
import Foundation

/// `demo`: writes a small, realistic store to look at with the other commands.
struct DemoCommand: CoachStoreCommand {
    static let spec = CommandSpec(
        name: "demo", summary: "write a small example store, then show what to try",
        arguments: [ArgumentSpec(name: "DIR", optional: true, help: "a new or empty folder (default: a fresh temporary folder)")],
        details: """
            Saves four coaching conversations through FileStateStore, one save per exchange, as an app
            would: users at different coaching states, some compacted into snapshots, some only in
            their journals (automatic compaction is off, so you can see both).
            """)

    let directory: String?

    init(parsing arguments: ParsedArguments) {
        directory = arguments.argument("DIR")
    }

    func run() async throws -> ExitStatus {
        let directory = try Self.prepare(self.directory)
        let url = URL(fileURLWithPath: directory)
        let store = try await Store.writable(url, options: .init(automaticCompaction: false))
        do {
            for user in DemoConversations.users { try await Self.write(user, to: store) }
            try await store.close()
        } catch {
            try? await store.close()
            throw error
        }
        Self.report(directory)
        return .ok
    }

    /// The folder to write to: `path` if it is new or empty, else a fresh temporary folder.
    private static func prepare(_ path: String?) throws -> String {
        guard let path else {
            var template = Array((NSTemporaryDirectory() + "/coach-store-demo-XXXXXX").utf8CString)
            guard let made = mkdtemp(&template) else {
                throw CommandFailure("Could not create a temporary folder: \(String(cString: strerror(errno)))")
            }
            return URL(fileURLWithPath: String(cString: made)).standardizedFileURL.path
        }
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else { throw CommandFailure("\(path) is a file; demo needs a new or empty folder") }
            let contents = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
            guard contents.isEmpty else {
                throw CommandFailure("\(path) is not empty; demo writes a new store, so give it a new or empty folder")
            }
        }
        return path
    }

    /// Saves the user's conversation one exchange at a time, compacting where the script says.
    private static func write(_ user: DemoUser, to store: FileStateStore) async throws {
        var context = CoachContext(userID: user.id)
        user.start(&context)
        let first = Date(timeIntervalSinceNow: -user.firstTurnDaysAgo * 86_400)
        let last = Date(timeIntervalSinceNow: -user.lastTurnHoursAgo * 3_600)
        let step = user.turns.count > 1 ? last.timeIntervalSince(first) / Double(user.turns.count - 1) : 0
        for (index, turn) in user.turns.enumerated() {
            let time = first.addingTimeInterval(step * Double(index))
            context.conversationHistory.append(ChatMessage(role: .user, content: turn.user, timestamp: time))
            context.conversationHistory.append(
                ChatMessage(
                    role: .assistant, content: turn.coach, timestamp: time.addingTimeInterval(Double(20 + turn.coach.count / 4)),
                    metadata: ["model": "coach-1", "outputTokens": .number(Double(turn.coach.count / 4))]))
            turn.change(&context)
            try await store.saveContext(context)
            if index + 1 == user.compactAfter { try await store.compact(userID: user.id) }
        }
    }

    /// What was written, and what to try next.
    private static func report(_ directory: String) {
        let summaries = (try? StoreInspector(directory: URL(fileURLWithPath: directory)).summaries()) ?? []
        Output.line("Wrote a demo store with \(summaries.count) coaching conversations to \(directory)")
        Output.line()
        var table = Table([("", .left), ("", .left), ("", .right), ("", .left)])
        for s in summaries {
            let storage: String
            if s.snapshotBytes == nil {
                storage = "only in journal.jsonl (\(Output.count(s.journalRecords, "save")), never compacted)"
            } else if s.pendingRecords == 0 {
                storage = "compacted into snapshot.json"
            } else {
                storage = "snapshot.json + \(Output.count(s.pendingRecords, "newer save")) in journal.jsonl"
            }
            table.add([s.userID, s.state?.rawValue ?? "-", "\(s.messageCount) messages", storage])
        }
        for line in table.lines.dropFirst() { Output.line("  " + line) }
        let tool = CommandLine.arguments.first.map { $0.contains(".build/") } == true ? "swift run coach-store" : "coach-store"
        let dir = Output.shellWord(directory)
        Output.line()
        Output.line("Try:")
        Output.line("  \(tool) ls \(dir)")
        Output.line("  \(tool) history \(dir) maya --tail 4")
        Output.line("  \(tool) log \(dir) jonas")
        Output.line("  \(tool) verify \(dir)")
        Output.line("  \(tool) --help")
    }
}
