import CoachPersistence
import CommandLineParsing
import Foundation

/// `export`: contexts as JSON on standard output.
struct ExportCommand: CoachStoreCommand {
    static let spec = CommandSpec(
        name: "export", summary: "write contexts as JSON on stdout: one user's, or every user's",
        arguments: [Store.directory, ArgumentSpec(name: "USER", optional: true, help: "export only this user")],
        details: """
            With USER, the output is that context's JSON object; without, a JSON array of every context,
            sorted by user id. Pretty-printed with sorted keys; 'coach-store import' reads either back.
            Read-only: safe while an app has the store open. A user that cannot be read is left out and
            named on standard error, and the exit status is 1; every other user is exported.
            """)

    let directory: String
    let userID: String?

    init(parsing arguments: ParsedArguments) {
        directory = arguments.required("DIR")
        userID = arguments.argument("USER")
    }

    func run() async throws -> ExitStatus {
        let inspector = try Store.inspector(directory)
        if let userID {
            guard let context = try inspector.context(userID: userID) else {
                throw Store.noSuchUser(inspector, userID, directory: directory)
            }
            Output.raw(try ContextArchive.encode(context))
            return .ok
        }
        var contexts: [CoachContext] = []
        var failures: [(String, any Error)] = []
        for id in try inspector.userIDs() {
            do {
                if let context = try inspector.context(userID: id) { contexts.append(context) }
            } catch {
                failures.append((id, error))
            }
        }
        Output.raw(try ContextArchive.encode(contexts))
        for (id, error) in failures {
            Output.error("coach-store export: left out '\(Output.id(id))', which cannot be read: \(CoachStoreTool.sentence(error))")
        }
        if !failures.isEmpty {
            Output.error(
                "coach-store export: exported \(Output.count(contexts.count, "user")), \(failures.count) left out; run 'coach-store verify \(Output.shellWord(directory))' for the details.")
        }
        return failures.isEmpty ? .ok : .problems
    }
}
