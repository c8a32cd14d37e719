import CoachPersistence
import CommandLineParsing
import Foundation

/// `ls`: every user at a glance.
struct LsCommand: CoachStoreCommand {
    static let spec = CommandSpec(
        name: "ls", summary: "list the users: state, messages, last activity, journal and snapshot",
        arguments: [Store.directory],
        options: [.json("print the list as JSON (keys: see below)")],
        details: """
            Times are UTC (2026-11-20T18:42Z). RECORDS counts the journal's records; PENDING those no
            snapshot covers yet, which the next compaction folds into snapshot.json. Exit status 1 if a
            user cannot be read (it is listed as UNREADABLE, the others as usual).
            --json prints {"users": [...]}, one object per user with the keys userID, folder, state,
            messages, lastActivity (ISO 8601 UTC), sequence, snapshotSequence, journalRecords,
            pendingRecords, journalBytes, snapshotBytes and problem (null when the user loads).
            """)

    let directory: String
    let json: Bool

    init(parsing arguments: ParsedArguments) {
        directory = arguments.required("DIR")
        json = arguments.flag("json")
    }

    func run() async throws -> ExitStatus {
        let summaries = try Store.inspector(directory).summaries()
        let unreadable = summaries.filter { $0.problem != nil }
        if json {
            Output.json(["users": .array(summaries.map(Self.json))])
        } else {
            printTable(summaries)
        }
        if !unreadable.isEmpty {
            let names = unreadable.prefix(5).map { "'\(Output.id($0.userID))'" }.joined(separator: ", ")
            Output.error(
                "coach-store ls: \(Output.count(unreadable.count, "user")) cannot be read (\(names)); run 'coach-store verify \(Output.shellWord(directory))' for the details.")
            return .problems
        }
        return .ok
    }

    private func printTable(_ summaries: [UserSummary]) {
        guard !summaries.isEmpty else {
            Output.line("No users in \(directory) yet.")
            return
        }
        var table = Table([
            ("USER", .left), ("STATE", .left), ("MESSAGES", .right), ("LAST ACTIVITY", .left),
            ("RECORDS", .right), ("PENDING", .right), ("JOURNAL", .right), ("SNAPSHOT", .right),
        ])
        for s in summaries {
            table.add([
                Output.short(Output.id(s.userID), 40), s.problem == nil ? s.state?.rawValue ?? "-" : "UNREADABLE",
                s.problem == nil ? String(s.messageCount) : "?", s.lastActivity.map { Output.date($0) } ?? "-",
                String(s.journalRecords), String(s.pendingRecords), Output.bytes(s.journalBytes),
                s.snapshotBytes.map(Output.bytes) ?? "-",
            ])
        }
        table.print()
    }

    /// One user as `ls --json` prints it; the keys are documented in ``spec``.
    static func json(_ s: UserSummary) -> JSONValue {
        let readable = s.problem == nil
        return [
            "userID": .string(s.userID), "folder": .string(s.folder),
            "state": readable ? s.state.map { .string($0.rawValue) } ?? .null : .null,
            "messages": readable ? .number(Double(s.messageCount)) : .null,
            "lastActivity": s.lastActivity.map { .string(Output.instant($0)) } ?? .null,
            "sequence": .number(Double(s.sequence)), "snapshotSequence": .number(Double(s.snapshotSequence)),
            "journalRecords": .number(Double(s.journalRecords)), "pendingRecords": .number(Double(s.pendingRecords)),
            "journalBytes": .number(Double(s.journalBytes)), "snapshotBytes": s.snapshotBytes.map { .number(Double($0)) } ?? .null,
            "problem": s.problem.map(JSONValue.string) ?? .null,
        ]
    }
}
