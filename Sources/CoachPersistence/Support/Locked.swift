import Foundation

/// A value that is reached only under a lock: the store's one way to guard mutable state.
///
/// It plays the part of the standard library's `Synchronization.Mutex`, built on `NSLock`
/// (a `pthread_mutex_t`) because ThreadSanitizer sees pthread locks but not `Mutex`, whose Linux
/// implementation is a bare futex: under `--sanitize=thread` every `Mutex` guarded access is
/// reported as a race (checked with a two-thread counter), which would hide real ones.
///
/// `@unchecked Sendable` is sound: `value` is private and only ``withLock(_:)`` touches it,
/// holding `lock` for the whole access; and the conformance requires `Value: Sendable`, so
/// nothing that is unsafe to share can be moved in or out through it.
final class Locked<Value>: @unchecked Sendable where Value: Sendable {
    private var value: Value
    private let lock = NSLock()

    init(_ value: Value) { self.value = value }

    /// Runs `body` with exclusive access to the value.
    func withLock<Result, Failure: Error>(_ body: (inout Value) throws(Failure) -> Result) throws(Failure) -> Result {
        lock.lock()
        defer { lock.unlock() }
        return try body(&value)
    }
}
