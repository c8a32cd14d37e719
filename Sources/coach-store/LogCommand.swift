import CoachPersistence
import CommandLineParsing
import Foundation

/// `log`: a user's journal records as stored.
struct LogCommand: CoachStoreCommand {
    static let spec = CommandSpec(
        name: "log", summary: "list a user's journal records as stored, with checksum status",
        arguments: [Store.directory, Store.user],
        details: """
            One row per event; a record with several events takes several rows. SNAPSHOT marks records
            that snapshot.json already covers (replay skips them; compaction drops them). A damaged line
            shows its reason and first bytes instead of events.
            """)

    let directory: String
    let userID: String

    init(parsing arguments: ParsedArguments) {
        directory = arguments.required("DIR")
        userID = arguments.required("USER")
    }

    func run() async throws -> ExitStatus {
        let inspector = try Store.inspector(directory)
        let summary = try Store.summary(inspector, userID, directory: directory)
        let entries = try inspector.journal(userID: userID) ?? []
        let journalPath = summary.folder + "/journal.jsonl"
        var header = "\(journalPath): \(Output.count(entries.count, "line")), \(Output.bytes(summary.journalBytes))"
        if summary.snapshotBytes != nil { header += "; snapshot.json covers sequence \(summary.snapshotSequence)" }
        Output.line(header)
        guard !entries.isEmpty else {
            Output.line("The journal is empty: everything is in snapshot.json.")
            return .ok
        }
        Output.line()
        var table = Table([
            ("LINE", .right), ("SEQ", .right), ("CHECKSUM", .left), ("SNAPSHOT", .left), ("EVENT", .left), ("PAYLOAD", .left),
        ])
        var damaged = 0
        for entry in entries {
            let sequence = entry.sequence.map(String.init) ?? "?"
            switch entry.status {
            case .ok:
                for (i, event) in entry.events.enumerated() {
                    let first = i == 0
                    table.add([
                        first ? String(entry.line) : "", first ? sequence : "", first ? "ok" : "",
                        first && entry.coveredBySnapshot ? "covered" : "", event.type, Output.short(event.summary, 64),
                    ])
                }
                if entry.events.isEmpty { table.add([String(entry.line), sequence, "ok", "", "(no events)", ""]) }
            case .damaged(let reason):
                damaged += 1
                table.add([String(entry.line), sequence, "BAD", "", "(damaged)", Output.short(reason, 64)])
                table.add(["", "", "", "", "", Output.short(entry.excerpt ?? "", 64)])
            case .undecodable(let reason):
                damaged += 1
                table.add([String(entry.line), sequence, "ok", "", "(undecodable)", Output.short(reason, 64)])
            }
        }
        table.print()
        if damaged > 0 {
            Output.line()
            Output.line("\(Output.count(damaged, "line")) cannot be read; 'coach-store verify \(Output.shellWord(directory)) \(Output.shellWord(userID))' says what it means.")
        }
        return .ok
    }
}
