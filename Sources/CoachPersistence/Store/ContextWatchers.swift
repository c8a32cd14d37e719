/// The watchers of a store's users: each one a stream that keeps only the newest value.
///
/// Saves call ``publish(_:userID:)``; it costs one dictionary look-up under a lock when nobody
/// watches the user.
final class ContextWatchers: Sendable {
    private struct Watcher {
        var continuation: AsyncStream<StoredContext?>.Continuation
        /// Whether a save was already published to it (then the first value is stale).
        var delivered = false
    }

    private struct State {
        var streams: [ExactString: [Int: Watcher]] = [:]
        var nextID = 0
        var closed = false
    }

    private let state = Locked(State())

    /// A new stream for `userID`, or one that has already ended if the store is closed. The
    /// caller yields the current value into it with `register`.
    func watch(userID: String, current: @escaping @Sendable () async -> StoredContext??) -> ContextUpdates {
        let (stream, continuation) = AsyncStream.makeStream(of: StoredContext?.self, bufferingPolicy: .bufferingNewest(1))
        let key = ExactString(userID)
        let id: Int? = state.withLock { state in
            guard !state.closed else { return nil }
            state.nextID += 1
            state.streams[key, default: [:]][state.nextID] = Watcher(continuation: continuation)
            return state.nextID
        }
        guard let id else {
            continuation.finish()
            return ContextUpdates(stream)
        }
        continuation.onTermination = { [weak self] _ in
            self?.state.withLock { state in
                state.streams[key]?[id] = nil
                if state.streams[key]?.isEmpty == true { state.streams[key] = nil }
            }
        }
        // The current value goes first, unless a save was published to this watcher while it
        // was being read: then that newer value stands, and the older one is not yielded after it.
        Task {
            guard let value = await current() else {
                continuation.finish()
                return
            }
            self.yieldFirst(value, to: continuation, key: key, id: id)
        }
        return ContextUpdates(stream)
    }

    private func yieldFirst(_ value: StoredContext?, to continuation: AsyncStream<StoredContext?>.Continuation, key: ExactString, id: Int) {
        state.withLock { state in
            guard let watcher = state.streams[key]?[id], !watcher.delivered else { return }
            continuation.yield(value)
        }
    }

    /// Whether anyone watches `userID`: saves skip building values nobody reads.
    func isWatching(_ userID: String) -> Bool {
        state.withLock { $0.streams[ExactString(userID)] != nil }
    }

    /// Tells the user's watchers about a new value.
    func publish(_ value: StoredContext?, userID: String) {
        state.withLock { state in
            let key = ExactString(userID)
            guard let watchers = state.streams[key] else { return }
            for (id, watcher) in watchers {
                watcher.continuation.yield(value)
                state.streams[key]?[id]?.delivered = true
            }
        }
    }

    /// Ends every stream.
    func close() {
        let all = state.withLock { state in
            state.closed = true
            defer { state.streams = [:] }
            return state.streams.values.flatMap { $0.values.map(\.continuation) }
        }
        for continuation in all { continuation.finish() }
    }
}
