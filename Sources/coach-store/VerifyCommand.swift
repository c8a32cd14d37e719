import CoachPersistence
import CommandLineParsing
import Foundation

/// `verify`: finds damage, file by file and line by line.
struct VerifyCommand: CoachStoreCommand {
    static let spec = CommandSpec(
        name: "verify", summary: "check every snapshot and record; print each problem with file and line",
        arguments: [Store.directory, ArgumentSpec(name: "USER", optional: true, help: "check only this user")],
        options: [.json("print the report as JSON (keys: see below)")],
        details: """
            Checks store.json, every snapshot (checksum, format, owner) and every journal line (checksum,
            decoding, sequence order), going on past the first problem and past a user folder that cannot
            be read. Problems print as FILE:LINE: REASON. Exit status 1 if there is any problem.
            Read-only: safe while an app has the store open.
            --json prints an object with the keys clean, users, snapshots, lines and problems; each problem
            has kind, userID (or null), file (relative to DIR), line (or null), reason, repairable.
            """)

    let directory: String
    let userID: String?
    let json: Bool

    init(parsing arguments: ParsedArguments) {
        directory = arguments.required("DIR")
        userID = arguments.argument("USER")
        json = arguments.flag("json")
    }

    func run() async throws -> ExitStatus {
        let inspector = try Store.inspector(directory)
        let report: StoreVerification
        do {
            report = try inspector.verify(userID: userID)
        } catch StateStoreError.noSuchUser(let userID, _) {
            throw Store.noSuchUser(inspector, userID, directory: directory)
        }
        if json {
            Output.json(Self.json(report))
        } else {
            printReport(report)
        }
        return report.isClean ? .ok : .problems
    }

    private func printReport(_ report: StoreVerification) {
        let checked = "\(Output.count(report.users, "user")), \(Output.count(report.snapshots, "snapshot")) and \(Output.count(report.lines, "journal line")) checked"
        guard !report.isClean else {
            Output.line("ok: \(checked); no problems.")
            return
        }
        for problem in report.problems {
            Output.line(Output.path(directory, problem.relativePath) + (problem.line.map { ":\($0)" } ?? "") + ": " + problem.reason)
        }
        let users = Set(report.problems.map { $0.userID ?? $0.relativePath })
        Output.line()
        Output.line("\(Output.count(report.problems.count, "problem")) in \(Output.count(max(users.count, 1), "user")) (\(checked)).")
        // A checksum that fails may be a person's edit (seal accepts it) or damage (repair cuts it).
        let sealable: Set<StoreVerification.Problem.Kind> = [.corruptJournal, .tornTail, .corruptSnapshot]
        var suggested = Set<String>()
        for problem in report.problems where sealable.contains(problem.kind) {
            guard let userID = problem.userID, suggested.insert(userID).inserted else { continue }
            let words = "\(Output.shellWord(directory)) \(Output.shellWord(userID))"
            Output.line("For '\(Output.id(userID))': if the files were edited by hand on purpose, accept the edit with")
            Output.line("  coach-store seal \(words)")
            if report.problems.contains(where: { $0.userID == userID && $0.isRepairable }) {
                Output.line("otherwise cut the journal back to its last good record, keeping a backup of the rest, with")
                Output.line("  coach-store repair \(words)")
            }
        }
    }

    /// The report as `verify --json` prints it; the keys are documented in ``spec``.
    static func json(_ report: StoreVerification) -> JSONValue {
        [
            "clean": .bool(report.isClean), "users": .number(Double(report.users)),
            "snapshots": .number(Double(report.snapshots)), "lines": .number(Double(report.lines)),
            "problems": .array(report.problems.map { problem in
                [
                    "kind": .string(problem.kind.rawValue), "userID": problem.userID.map(JSONValue.string) ?? .null,
                    "file": .string(problem.relativePath), "line": problem.line.map { .number(Double($0)) } ?? .null,
                    "reason": .string(problem.reason), "repairable": .bool(problem.isRepairable),
                ]
            }),
        ]
    }
}
