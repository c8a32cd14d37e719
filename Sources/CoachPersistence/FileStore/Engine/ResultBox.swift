/// The result of one operation, handed from the user's worker to the caller.
final class ResultBox<T: Sendable>: Sendable {
    private let state = Locked(ResultBoxState())

    /// Delivers the result (once).
    func set(_ result: Result<T, any Error>) {
        let erased = result.map { $0 as any Sendable }
        let waiter = state.withLock { state in
            state.result = erased
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume(with: erased)
    }

    /// The result: at once if the worker already delivered it (the caller ran it inline), or
    /// when it does.
    func value() async throws -> T {
        if let result = state.withLock({ $0.result }) { return try Self.unwrap(result) }
        // An unsafe continuation: a checked one allocates a canary per call, on every save that
        // waits for a worker. Exactly one resume is structural here: the waiter is stored only
        // while no result is, and `set(_:)` takes it out under the same lock.
        let result = try await withUnsafeThrowingContinuation { continuation in
            let ready = state.withLock { state in
                if state.result == nil { state.waiter = continuation }
                return state.result
            }
            if let ready { continuation.resume(with: ready) }
        }
        return try Self.unwrap(.success(result))
    }

    /// The typed value of an erased result; only ``set(_:)`` erases, so the cast cannot fail.
    private static func unwrap(_ result: Result<any Sendable, any Error>) throws -> T {
        try result.get() as! T
    }
}

/// A ``ResultBox``'s state, with the value's type erased. Not nested in the generic box, and not
/// generic itself: copying and destroying a generic state cost a runtime metadata lookup per
/// field, several times per save.
private struct ResultBoxState: Sendable {
    var result: Result<any Sendable, any Error>?
    var waiter: UnsafeContinuation<any Sendable, any Error>?
}
