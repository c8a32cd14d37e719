import CoachPersistence
import CommandLineParsing
import Foundation

/// `stats`: counts over the whole store.
struct StatsCommand: CoachStoreCommand {
    static let spec = CommandSpec(
        name: "stats", summary: "count users per state, messages per role, journal and snapshot bytes",
        arguments: [Store.directory],
        options: [.json("print the counts as JSON (keys: see below)")],
        details: """
            Exit status 1 if a user cannot be read: it is counted among the users and named, but its
            messages are not counted. --json prints an object with the keys users, unreadableUsers (ids),
            usersPerState, messages, messagesPerRole, averageMessagesPerUser, journalBytes, journalRecords,
            pendingRecords, snapshotBytes and snapshots.
            """)

    let directory: String
    let json: Bool

    init(parsing arguments: ParsedArguments) {
        directory = arguments.required("DIR")
        json = arguments.flag("json")
    }

    func run() async throws -> ExitStatus {
        let s = try Store.inspector(directory).statistics()
        if json {
            Output.json(Self.json(s))
        } else {
            printTable(s)
        }
        if !s.unreadableUsers.isEmpty {
            let names = s.unreadableUsers.prefix(5).map { "'\(Output.id($0))'" }.joined(separator: ", ")
            Output.error("coach-store stats: \(Output.count(s.unreadableUsers.count, "user")) cannot be read and \(s.unreadableUsers.count == 1 ? "is" : "are") not counted (\(names)); run 'coach-store verify \(Output.shellWord(directory))'.")
            return .problems
        }
        return .ok
    }

    private func printTable(_ s: StoreStatistics) {
        var rows: [(String, String)] = [("Users", String(s.users))]
        let known = CoachingState.standardFlow.map(\.rawValue)
        let states = s.usersPerState.keys.sorted { a, b in
            let (i, j) = (known.firstIndex(of: a) ?? known.count, known.firstIndex(of: b) ?? known.count)
            return i != j ? i < j : a < b
        }
        for state in states { rows.append(("  " + state, String(s.usersPerState[state]!))) }
        if !s.unreadableUsers.isEmpty {
            rows.append(("  unreadable", "\(s.unreadableUsers.count) (run coach-store verify \(Output.shellWord(directory)))"))
        }
        rows.append(("Messages", String(s.messages)))
        for role in s.messagesPerRole.keys.sorted(by: { s.messagesPerRole[$0]! > s.messagesPerRole[$1]! || (s.messagesPerRole[$0]! == s.messagesPerRole[$1]! && $0 < $1) }) {
            rows.append(("  " + role, String(s.messagesPerRole[role]!)))
        }
        rows.append(("  per user", String(format: "%.1f on average", s.averageMessagesPerUser)))
        rows.append(("Journals", "\(Output.bytes(s.journalBytes)) in \(Output.count(s.journalRecords, "record")), \(s.pendingRecords) not compacted yet"))
        rows.append(("Snapshots", "\(Output.bytes(s.snapshotBytes)) in \(Output.count(s.snapshots, "file"))"))
        let width = rows.map(\.0.count).max()! + 2
        for (label, value) in rows { Output.line(label.padded(to: width) + value) }
    }

    /// The counts as `stats --json` prints them; the keys are documented in ``spec``.
    static func json(_ s: StoreStatistics) -> JSONValue {
        func counts(_ map: [String: Int]) -> JSONValue { .object(map.mapValues { .number(Double($0)) }) }
        return [
            "users": .number(Double(s.users)), "unreadableUsers": .array(s.unreadableUsers.map(JSONValue.string)),
            "usersPerState": counts(s.usersPerState), "messages": .number(Double(s.messages)),
            "messagesPerRole": counts(s.messagesPerRole), "averageMessagesPerUser": .number(s.averageMessagesPerUser),
            "journalBytes": .number(Double(s.journalBytes)), "journalRecords": .number(Double(s.journalRecords)),
            "pendingRecords": .number(Double(s.pendingRecords)), "snapshotBytes": .number(Double(s.snapshotBytes)),
            "snapshots": .number(Double(s.snapshots)),
        ]
    }
}
