import CoachPersistence
import CommandLineParsing
import Foundation

/// `repair`: cuts a damaged journal back to its last good record.
struct RepairCommand: CoachStoreCommand {
    static let spec = CommandSpec(
        name: "repair", summary: "cut a damaged journal back to its last good record, keeping a backup",
        arguments: [Store.directory, Store.user],
        details: """
            Finds the first damaged, undecodable or out-of-sequence line of USER's journal, copies it and
            everything after it to journal.jsonl.repair-backup (or .repair-backup.2, …) beside the journal,
            then truncates the journal to the records before it and syncs both. Every save before the damage
            is kept; records after it are only in the backup. A sound journal is left alone.
            Takes the store's write lock: stop the app first. Exit status 1 if the damage cannot be
            repaired this way (a damaged snapshot, for example); nothing is changed then.
            """)

    let directory: String
    let userID: String

    init(parsing arguments: ParsedArguments) {
        directory = arguments.required("DIR")
        userID = arguments.required("USER")
    }

    func run() async throws -> ExitStatus {
        let inspector = try Store.inspector(directory)
        let report: RepairReport
        do {
            report = try StoreRepair.repair(userID: userID, in: URL(fileURLWithPath: directory))
        } catch StateStoreError.noSuchUser {
            throw Store.noSuchUser(inspector, userID, directory: directory)
        }
        let journal = inspector.relativePath(report.journal)
        guard report.changed, let line = report.damagedLine, let backup = report.backup else {
            Output.line("\(journal) is sound (\(Output.count(report.keptRecords, "record")), sequence \(report.lastKeptSequence)); nothing to repair.")
            return .ok
        }
        Output.line("Repaired \(journal): the damage starts at line \(line): \(report.reason ?? "damaged").")
        Output.line("  kept    \(Output.count(report.keptRecords, "record")) (\(Output.bytes(report.keptBytes))); '\(Output.id(userID))' is at sequence \(report.lastKeptSequence)")
        var cut = "  cut     \(Output.count(report.cutLines, "line")) (\(Output.bytes(report.cutBytes)))"
        if !report.cutSequences.isEmpty {
            let sequences = report.cutSequences.map(String.init).joined(separator: ", ")
            cut += ", among them sound \(report.cutSequences.count == 1 ? "record" : "records") \(sequences) saved after the damage"
        }
        Output.line(cut)
        Output.line("  backup  \(inspector.relativePath(backup))")
        return .ok
    }
}
