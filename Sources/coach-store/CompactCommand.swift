import CoachPersistence
import CommandLineParsing
import Foundation

/// `compact`: folds journals into snapshots now, through ``FileStateStore``.
struct CompactCommand: CoachStoreCommand {
    static let spec = CommandSpec(
        name: "compact", summary: "fold journals into snapshots now: one user, or all (progress on a terminal)",
        arguments: [Store.directory, ArgumentSpec(name: "USER", optional: true, help: "compact only this user")],
        details: """
            Writes a new snapshot.json for each user and leaves its journal empty, as the store's background
            compaction does. Takes the store's write lock: stop the app first. Exit status 1 if any user
            could not be compacted (run verify); the others are compacted all the same.
            """)

    let directory: String
    let userID: String?

    init(parsing arguments: ParsedArguments) {
        directory = arguments.required("DIR")
        userID = arguments.argument("USER")
    }

    func run() async throws -> ExitStatus {
        let url = URL(fileURLWithPath: directory)
        // Read-only first, so that a mistyped path fails instead of becoming a new store.
        let inspector = try Store.inspector(directory)
        if let userID { _ = try Store.summary(inspector, userID, directory: directory) }
        let before = Dictionary(try inspector.summaries().map { ($0.userID, $0) }, uniquingKeysWith: { a, _ in a })

        let store = try await Store.writable(url, options: .init(automaticCompaction: false))
        var failures: [StateStoreError] = []
        do {
            if let userID {
                try await store.compact(userID: userID)
            } else {
                let terminal = Output.isTerminal
                failures = try await store.compactAll { progress in
                    if terminal {
                        Output.progress("compacting \(progress.completed)/\(progress.total): \(Output.short(Output.id(progress.userID), 40))")
                    }
                }
                if terminal { Output.progress(nil) }
            }
            try await store.close()
        } catch {
            try? await store.close()
            throw error
        }

        let after = try StoreInspector(directory: url).summaries()
        var table = Table([("USER", .left), ("JOURNAL BEFORE", .right), ("", .left), ("AFTER", .right), ("SNAPSHOT", .right), ("SEQUENCE", .right)])
        var compacted = 0
        for summary in after where userID == nil || summary.userID == userID {
            guard let old = before[summary.userID], summary.problem == nil else { continue }
            let changed = old.journalBytes != summary.journalBytes || old.snapshotBytes != summary.snapshotBytes
            if changed { compacted += 1 }
            table.add([
                Output.short(Output.id(summary.userID), 40),
                "\(Output.count(old.journalRecords, "record")), \(Output.bytes(old.journalBytes))", "→",
                changed ? "\(Output.count(summary.journalRecords, "record")), \(Output.bytes(summary.journalBytes))" : "unchanged",
                summary.snapshotBytes.map(Output.bytes) ?? "-", String(summary.snapshotSequence),
            ])
        }
        if !table.rows.isEmpty { table.print() }
        for failure in failures { Output.error("coach-store compact: \(CoachStoreTool.sentence(failure))") }
        let total = userID == nil ? Output.count(after.count, "user") : "1 user"
        Output.line("Compacted \(compacted) of \(total)\(failures.isEmpty ? "" : "; \(failures.count) failed").")
        return failures.isEmpty ? .ok : .problems
    }
}
