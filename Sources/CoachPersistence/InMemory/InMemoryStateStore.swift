/// A ``StateStore`` that keeps contexts in memory: for tests, previews and development.
///
/// It keeps the same contract as ``FileStateStore`` except durability: everything is gone when
/// the store is. Being an actor, it runs one operation at a time, so ``updateContext(userID:_:)``
/// is atomic without retries.
public actor InMemoryStateStore: StateStore {
    private var contexts: [ExactString: StoredContext] = [:]
    /// Saves made by this store, all users together: every revision hash is drawn from it, so a
    /// user re-created after a delete never gets a revision it had before.
    private var saves: UInt64 = 0
    private var closed = false
    private nonisolated let watchers = ContextWatchers()

    /// Creates an empty store.
    public init() {}

    public func loadContext(userID: String) async throws -> CoachContext? {
        try loadStored(userID)?.context
    }

    public func loadStoredContext(userID: String) async throws -> StoredContext? {
        try loadStored(userID)
    }

    public func saveContext(_ context: CoachContext) async throws {
        try checkOpen()
        try Self.validate(userID: context.userID)
        store(context)
    }

    @discardableResult
    public func saveContext(_ context: CoachContext, ifRevision: ContextRevision?) async throws -> ContextRevision {
        try checkOpen()
        try Self.validate(userID: context.userID)
        let current = contexts[ExactString(context.userID)]?.revision
        guard current == ifRevision else {
            throw StateStoreError.conflict(userID: context.userID, expected: ifRevision, actual: current)
        }
        return store(context)
    }

    public func updateContext<T: Sendable>(
        userID: String, _ body: @Sendable (inout CoachContext) throws -> T
    ) async throws -> T {
        let stored = try loadStored(userID)
        var context = stored?.context ?? CoachContext(userID: userID)
        let result = try body(&context)
        try Self.validateUpdate(of: userID, leaving: context)
        if let stored, ContextDiff.events(from: stored.context, to: context).isEmpty { return result }
        store(context)
        return result
    }

    public func deleteContext(userID: String) async throws {
        try checkOpen()
        try Self.validate(userID: userID)
        guard contexts.removeValue(forKey: ExactString(userID)) != nil else { return }
        watchers.publish(nil, userID: userID)
    }

    public func userIDs() async throws -> [String] {
        try checkOpen()
        return sortedUserIDs(contexts.keys.map(\.value))
    }

    public nonisolated func contextUpdates(userID: String) -> ContextUpdates {
        watchers.watch(userID: userID) { [weak self] in
            guard let self else { return nil }
            do {
                return .some(try await self.loadStoredContext(userID: userID))
            } catch {
                return nil  // closed: the stream ends
            }
        }
    }

    /// Ends every ``contextUpdates(userID:)`` sequence; later calls throw
    /// ``StateStoreError/closed(directory:)`` with the directory `memory:`.
    public func close() async throws {
        closed = true
        watchers.close()
    }

    // MARK: Helpers

    private func loadStored(_ userID: String) throws(StateStoreError) -> StoredContext? {
        try checkOpen()
        try Self.validate(userID: userID)
        return contexts[ExactString(userID)]
    }

    @discardableResult
    private func store(_ context: CoachContext) -> ContextRevision {
        let key = ExactString(context.userID)
        saves += 1
        let sequence = (contexts[key]?.revision.sequence ?? 0) + 1
        let stored = StoredContext(context: context, revision: ContextRevision(sequence: sequence, hash: RevisionHash.mix(saves)))
        contexts[key] = stored
        watchers.publish(stored, userID: context.userID)
        return stored.revision
    }

    private func checkOpen() throws(StateStoreError) {
        if closed { throw .closed(directory: "memory:") }
    }
}
