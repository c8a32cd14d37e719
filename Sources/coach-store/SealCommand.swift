import CoachPersistence
import CommandLineParsing
import Foundation

/// `seal`: accepts edits made by hand in a store's files.
struct SealCommand: CoachStoreCommand {
    static let spec = CommandSpec(
        name: "seal", summary: "accept hand edits of snapshot.json or journal.jsonl: recompute their checksums",
        arguments: [Store.directory, ArgumentSpec(name: "USER", optional: true, help: "seal only this user")],
        options: [OptionSpec(name: "dry-run", short: "n", help: "list what would change, write nothing")],
        details: """
            After you fixed a typo in a journal line or in snapshot.json, the checksum no longer matches and
            the store treats the file as damaged. seal recomputes the checksum of every snapshot and record
            that decodes and fits the sequence order, writes it in the store's own form (LF line endings),
            and lists each change (file, line). The originals are kept beside them as
            journal.jsonl.seal-backup and snapshot.json.seal-backup (or .seal-backup.2, …). If anything does
            not decode, it says what and where and writes nothing. Files are replaced atomically while the
            store's write lock is held: stop the app first. Afterwards verify is clean and the edit loads.
            """)

    let directory: String
    let userID: String?
    let dryRun: Bool

    init(parsing arguments: ParsedArguments) {
        directory = arguments.required("DIR")
        userID = arguments.argument("USER")
        dryRun = arguments.flag("dry-run")
    }

    func run() async throws -> ExitStatus {
        let inspector = try Store.inspector(directory)
        let report: SealReport
        do {
            report = try StoreSeal.seal(userID: userID, in: inspector.directory, dryRun: dryRun)
        } catch StateStoreError.noSuchUser(let userID, _) {
            throw Store.noSuchUser(inspector, userID, directory: directory)
        }
        let scope = Output.count(report.users, "user")
        guard !report.isClean else {
            Output.line("Nothing to seal: every checksum of \(scope) holds.")
            return .ok
        }
        for change in report.changes {
            Output.line(Output.path(directory, change.file) + (change.line.map { ":\($0)" } ?? "") + ": " + change.action)
        }
        Output.line()
        if report.dryRun {
            Output.line("Would seal \(Output.count(report.changes.count, "change")) in \(scope); nothing written (--dry-run).")
        } else {
            Output.line("Sealed \(Output.count(report.changes.count, "change")) in \(scope). Originals kept in:")
            for backup in report.backups { Output.line("  " + Output.path(directory, backup)) }
        }
        return .ok
    }
}
