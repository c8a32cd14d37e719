import CoachPersistence
import Foundation

/// `verify` finds damage; `repair` cuts a damaged journal back to its last good record.
enum CheckCommands {
    // MARK: verify

    static let verify = Command(
        spec: CommandSpec(
            name: "verify", summary: "check every snapshot and record; print each problem with file and line",
            arguments: [Store.directory, ArgumentSpec(name: "USER", optional: true, help: "check only this user")],
            details: """
                Checks store.json, every snapshot (checksum, format, owner) and every journal line (checksum,
                decoding, sequence order), going on past the first problem. Problems print as FILE:LINE: REASON.
                Exit status 1 if there is any problem. Read-only: safe while an app has the store open.
                """),
        run: { args in
            let directory = args.argument("DIR")!
            let inspector = try Store.inspector(directory)
            let report: StoreVerification
            do {
                report = try inspector.verify(userID: args.argument("USER"))
            } catch StateStoreError.noSuchUser(let userID, _) {
                throw Store.noSuchUser(inspector, userID, directory: directory)
            }
            let checked = "\(Output.count(report.users, "user")), \(Output.count(report.snapshots, "snapshot")) and \(Output.count(report.lines, "journal line")) checked"
            guard !report.isClean else {
                Output.line("ok: \(checked); no problems.")
                return .ok
            }
            for problem in report.problems {
                Output.line(Output.path(directory, problem.relativePath) + (problem.line.map { ":\($0)" } ?? "") + ": " + problem.reason)
            }
            let users = Set(report.problems.compactMap(\.userID))
            Output.line()
            Output.line("\(Output.count(report.problems.count, "problem")) in \(Output.count(max(users.count, 1), "user")) (\(checked)).")
            let repairable = report.problems.filter(\.isRepairable).compactMap(\.userID)
            var suggested = Set<String>()
            for userID in repairable where suggested.insert(userID).inserted {
                Output.line("To cut the journal of '\(Output.id(userID))' back to its last good record, keeping a backup of the rest:")
                Output.line("  coach-store repair \(Output.shellWord(directory)) \(Output.shellWord(userID))")
            }
            return .problems
        })

    // MARK: repair

    static let repair = Command(
        spec: CommandSpec(
            name: "repair", summary: "cut a damaged journal back to its last good record, keeping a backup",
            arguments: [Store.directory, Store.user],
            details: """
                Finds the first damaged, undecodable or out-of-sequence line of USER's journal, copies it and
                everything after it to journal.jsonl.repair-backup (or .repair-backup.2, …) beside the journal,
                then truncates the journal to the records before it and syncs both. Every save before the damage
                is kept; records after it are only in the backup. A sound journal is left alone.
                Takes the store's write lock: stop the app first. Exit status 1 if the damage cannot be
                repaired this way (a damaged snapshot, for example); nothing is changed then.
                """),
        run: { args in
            let directory = args.argument("DIR")!, userID = args.argument("USER")!
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
        })
}
