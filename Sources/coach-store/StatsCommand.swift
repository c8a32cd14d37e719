import CoachPersistence
import Foundation

/// `stats`: counts over the whole store.
enum StatsCommand {
    static let command = Command(
        spec: CommandSpec(
            name: "stats", summary: "count users per state, messages per role, journal and snapshot bytes",
            arguments: [Store.directory]),
        run: { args in
            let directory = args.argument("DIR")!
            let s = try Store.inspector(directory).statistics()
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
            for (label, value) in rows { Output.line(label.padding(width) + value) }
            return .ok
        })
}
