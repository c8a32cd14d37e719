/// The values of one user's context as they change: what ``StateStore/contextUpdates(userID:)``
/// returns.
///
/// The first element is the stored context when iteration starts (`nil` if there is none), then
/// one element per saved revision (`nil` after a delete). Elements are never queued without
/// bound: a consumer slower than the saves skips to the latest value. The sequence ends when the
/// store closes, or when the task iterating it is cancelled.
public struct ContextUpdates: AsyncSequence, Sendable {
    public typealias Element = StoredContext?

    let stream: AsyncStream<StoredContext?>

    init(_ stream: AsyncStream<StoredContext?>) { self.stream = stream }

    /// Makes the iterator.
    public func makeAsyncIterator() -> Iterator { Iterator(base: stream.makeAsyncIterator()) }

    /// Iterates the values.
    public struct Iterator: AsyncIteratorProtocol {
        var base: AsyncStream<StoredContext?>.Iterator

        /// The next value, or `nil` once the sequence has ended. (The element itself is optional:
        /// `.some(nil)` means the user has no stored context.)
        public mutating func next() async -> StoredContext?? { await base.next() }
    }
}
