import CoachPersistence
import CommandLineParsing
import Foundation

/// The arguments most commands share, and opening the store they name.
enum Store {
    static let directory = ArgumentSpec(name: "DIR", help: "the store's directory")
    static let optionalUser = ArgumentSpec(name: "USER", optional: true, help: "only this user")
    static let user = ArgumentSpec(name: "USER", help: "the user's id, as the app saved it")

    /// The store at `path`, opened read-only.
    static func inspector(_ path: String) throws -> StoreInspector {
        try StoreInspector(directory: URL(fileURLWithPath: path))
    }

    /// The store at `url` opened for writing. A lock held only for a moment (a store closing, a
    /// process being spawned that inherited the descriptor) is waited for, up to a second;
    /// a running app's lock is reported.
    static func writable(_ url: URL, options: FileStateStore.Options = .init()) async throws -> FileStateStore {
        let deadline = ContinuousClock.now.advanced(by: .seconds(1))
        while true {
            do {
                return try FileStateStore(directory: url, options: options)
            } catch StateStoreError.locked where ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(20))
            }
        }
    }

    /// The user's summary, or a failure naming the store's users when there is no such user.
    static func summary(_ inspector: StoreInspector, _ userID: String, directory: String) throws -> UserSummary {
        if let summary = try inspector.summary(userID: userID) { return summary }
        throw noSuchUser(inspector, userID, directory: directory)
    }

    static func noSuchUser(_ inspector: StoreInspector, _ userID: String, directory: String) -> CommandFailure {
        let ids = (try? inspector.userIDs()) ?? []
        let known = ids.isEmpty ? "it has no users yet" : "its users are " + ids.prefix(5).map { "'\(Output.id($0))'" }.joined(separator: ", ") + (ids.count > 5 ? " and \(ids.count - 5) more" : "")
        return CommandFailure("The store at \(directory) has no user '\(Output.id(userID))' (\(known))")
    }
}
