import Foundation

/// The result of one operation, handed from the user's worker to the caller.
final class ResultBox<T: Sendable>: Sendable {
    private struct State {
        var result: Result<T, any Error>?
        var waiter: CheckedContinuation<T, any Error>?
    }

    private let state = Locked(State())

    /// Delivers the result (once).
    func set(_ result: Result<T, any Error>) {
        let waiter = state.withLock { state in
            state.result = result
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume(with: result)
    }

    /// The result: at once if the worker already delivered it (the caller ran it inline), or
    /// when it does.
    func value() async throws -> T {
        if let result = state.withLock({ $0.result }) { return try result.get() }
        return try await withCheckedThrowingContinuation { continuation in
            let ready = state.withLock { state in
                if state.result == nil { state.waiter = continuation }
                return state.result
            }
            if let ready { continuation.resume(with: ready) }
        }
    }
}
