/// Where coaching contexts live: the one protocol apps program against.
///
/// The contract every conforming store keeps:
/// - **Updates of one user never interleave.** ``updateContext(userID:_:)`` runs its body on the
///   latest stored context and saves what the body leaves as one step: fifty request handlers
///   appending to one conversation at once keep every message. Use it wherever a change depends
///   on what is stored.
/// - **Optimistic concurrency** where a read and its write are apart (an edit form, an HTTP
///   `If-Match`): ``loadStoredContext(userID:)`` returns the context with its ``ContextRevision``,
///   and ``saveContext(_:ifRevision:)`` saves only if the stored revision is still that one.
/// - **``saveContext(_:)`` is last writer wins.** It replaces the whole stored context of its
///   user, whatever is stored: for importing, restoring, or a single writer per user. Saves of one
///   user take effect in the order they were made; saves of different users are independent.
/// - **A save that returns is durable** in stores that persist (for ``FileStateStore`` under its
///   default ``FileStateStore/Durability/durable``): it survives a crash of the process or the machine.
/// - **An unknown user loads as `nil`**, and deleting an unknown user is not an error.
/// - **An empty user id is refused** with ``StateStoreError/invalidUserID(_:reason:)``; any other
///   string, however hostile, is a valid id.
/// - Every failure is a ``StateStoreError`` (or the error an update's body threw) and leaves the
///   stored data as it was.
public protocol StateStore: Sendable {
    /// The stored context of `userID`, or `nil` if the store has none.
    func loadContext(userID: String) async throws -> CoachContext?

    /// Stores `context` as the whole context of `context.userID`, replacing what was there
    /// (last writer wins; see ``updateContext(userID:_:)`` for changes that depend on what is stored).
    func saveContext(_ context: CoachContext) async throws

    /// Removes everything stored for `userID`. Deleting an unknown user does nothing.
    func deleteContext(userID: String) async throws

    /// The ids of every user with a stored context, sorted by their Unicode scalars.
    func userIDs() async throws -> [String]

    /// The stored context of `userID` with its revision, or `nil` if the store has none.
    func loadStoredContext(userID: String) async throws -> StoredContext?

    /// Saves `context` only if the user's stored revision is `ifRevision` (`nil`: only if the
    /// user has no stored context), and returns the new revision. Otherwise throws
    /// ``StateStoreError/conflict(userID:expected:actual:)`` and writes nothing.
    @discardableResult
    func saveContext(_ context: CoachContext, ifRevision: ContextRevision?) async throws -> ContextRevision

    /// Runs `body` on the latest stored context of `userID` (or `CoachContext(userID:)` when there
    /// is none) and saves what it leaves as one step, before returning the body's result.
    ///
    /// Updates of one user never interleave: each body sees every update that returned before it
    /// started. A body that throws saves nothing, and its error is rethrown as it is. A body that
    /// leaves a stored context unchanged writes nothing (for a user with no stored context, what
    /// it leaves is saved, which creates the user). The body must not change the context's `userID`.
    func updateContext<T: Sendable>(
        userID: String, _ body: @Sendable (inout CoachContext) throws -> T
    ) async throws -> T

    /// The context of `userID` as it changes: the stored value first (`nil` if none), then the
    /// value after each save or delete (`nil` after a delete). A slow consumer sees the latest
    /// value, never a backlog. The sequence ends when the store closes.
    func contextUpdates(userID: String) -> ContextUpdates

    /// Finishes pending work, flushes what is buffered and releases what the store holds. Every
    /// later call throws ``StateStoreError/closed(directory:)``; closing twice is not an error.
    func close() async throws
}

extension StateStore {
    /// A correct ``updateContext(userID:_:)`` for a store that implements only the revision
    /// primitives: load, apply, save if the revision still holds, and start again on a conflict.
    /// The built-in stores implement it natively, without retries.
    public func updateContext<T: Sendable>(
        userID: String, _ body: @Sendable (inout CoachContext) throws -> T
    ) async throws -> T {
        try Self.validate(userID: userID)
        while true {
            let stored = try await loadStoredContext(userID: userID)
            var context = stored?.context ?? CoachContext(userID: userID)
            let result = try body(&context)
            try Self.validateUpdate(of: userID, leaving: context)
            if let stored, ContextDiff.events(from: stored.context, to: context).isEmpty { return result }
            do {
                try await saveContext(context, ifRevision: stored?.revision)
                return result
            } catch StateStoreError.conflict {
                await Task.yield()
                continue
            }
        }
    }
}

extension StateStore {
    /// Refuses ids the contract does not allow: today only the empty string.
    static func validate(userID: String) throws(StateStoreError) {
        if userID.isEmpty { throw .invalidUserID(userID, reason: "a user id must not be empty") }
    }

    /// Refuses an update whose body moved the context to another user.
    static func validateUpdate(of userID: String, leaving context: CoachContext) throws(StateStoreError) {
        guard ExactString(context.userID) == ExactString(userID) else {
            throw .invalidUserID(
                context.userID, reason: "an update of user '\(userID)' must not change the context's userID")
        }
    }
}

/// The order ``StateStore/userIDs()`` promises: by Unicode scalar values, independent of locale.
func sortedUserIDs<S: Sequence<String>>(_ ids: S) -> [String] {
    ids.sorted { $0.unicodeScalars.lexicographicallyPrecedes($1.unicodeScalars) }
}
