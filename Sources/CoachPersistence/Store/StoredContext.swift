/// A user's stored context together with its revision, for optimistic concurrency:
/// load it, change the context, and save with ``StateStore/saveContext(_:ifRevision:)``.
public struct StoredContext: Hashable, Sendable {
    /// The context as stored.
    public var context: CoachContext
    /// The revision of that context.
    public var revision: ContextRevision

    /// Pairs a context with its revision.
    public init(context: CoachContext, revision: ContextRevision) {
        self.context = context
        self.revision = revision
    }
}
