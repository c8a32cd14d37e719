import CoachPersistence
import CommandLineParsing
import Foundation

/// `delete`: removes one user's data, through ``FileStateStore``.
struct DeleteCommand: CoachStoreCommand {
    static let spec = CommandSpec(
        name: "delete", summary: "delete one user's context and folder",
        arguments: [Store.directory, Store.user],
        details: """
            Deletes USER as the app's deleteContext does: the user's folder is removed, so that a later
            load finds no user. There is no undo; export the user first to keep a copy.
            Takes the store's write lock: stop the app first.
            """)

    let directory: String
    let userID: String

    init(parsing arguments: ParsedArguments) {
        directory = arguments.required("DIR")
        userID = arguments.required("USER")
    }

    func run() async throws -> ExitStatus {
        // Read-only first: a mistyped path or user must fail, not create a store.
        let inspector = try Store.inspector(directory)
        _ = try Store.summary(inspector, userID, directory: directory)
        let store = try await Store.writable(inspector.directory)
        do {
            try await store.deleteContext(userID: userID)
            try await store.close()
        } catch {
            try? await store.close()
            throw error
        }
        Output.line("Deleted '\(Output.id(userID))' from \(directory).")
        return .ok
    }
}
