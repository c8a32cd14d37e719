/// Where coaching contexts live: the one protocol apps program against.
///
/// The contract every conforming store keeps:
/// - **Last writer wins per user.** A save replaces the whole stored context of its user; saves
///   of one user take effect in the order they were made, saves of different users are independent.
/// - **A save that returns is durable** in stores that persist (for ``FileStateStore`` under its
///   default ``FileStateStore/Durability/durable``): it survives a crash of the process or the machine.
/// - **An unknown user loads as `nil`**, and deleting an unknown user is not an error.
/// - **An empty user id is refused** with ``StateStoreError/invalidUserID(_:reason:)``; any other
///   string, however hostile, is a valid id.
/// - Every failure is a ``StateStoreError`` and leaves the stored data as it was.
public protocol StateStore: Sendable {
    /// The stored context of `userID`, or `nil` if the store has none.
    func loadContext(userID: String) async throws -> CoachContext?

    /// Stores `context` as the whole context of `context.userID`, replacing what was there.
    func saveContext(_ context: CoachContext) async throws

    /// Removes everything stored for `userID`. Deleting an unknown user does nothing.
    func deleteContext(userID: String) async throws

    /// The ids of every user with a stored context, sorted by their Unicode scalars.
    func userIDs() async throws -> [String]
}

extension StateStore {
    /// Refuses ids the contract does not allow: today only the empty string.
    static func validate(userID: String) throws(StateStoreError) {
        if userID.isEmpty { throw .invalidUserID(userID, reason: "a user id must not be empty") }
    }
}

/// The order ``StateStore/userIDs()`` promises: by Unicode scalar values, independent of locale.
func sortedUserIDs<S: Sequence<String>>(_ ids: S) -> [String] {
    ids.sorted { $0.unicodeScalars.lexicographicallyPrecedes($1.unicodeScalars) }
}
