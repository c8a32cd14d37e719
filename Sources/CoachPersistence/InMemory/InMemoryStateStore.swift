/// A ``StateStore`` that keeps contexts in memory: for tests, previews and development.
///
/// It keeps the same contract as ``FileStateStore`` except durability: everything is gone when
/// the store is.
public actor InMemoryStateStore: StateStore {
    private var contexts: [ExactString: CoachContext] = [:]

    /// Creates an empty store.
    public init() {}

    public func loadContext(userID: String) async throws -> CoachContext? {
        try Self.validate(userID: userID)
        return contexts[ExactString(userID)]
    }

    public func saveContext(_ context: CoachContext) async throws {
        try Self.validate(userID: context.userID)
        contexts[ExactString(context.userID)] = context
    }

    public func deleteContext(userID: String) async throws {
        try Self.validate(userID: userID)
        contexts[ExactString(userID)] = nil
    }

    public func userIDs() async throws -> [String] {
        sortedUserIDs(contexts.keys.map(\.value))
    }
}
