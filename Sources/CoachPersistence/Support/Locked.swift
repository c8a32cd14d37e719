/// A value that is reached only under a lock: the store's one way to guard mutable state.
///
/// It plays the part of the standard library's `Synchronization.Mutex`, built on a
/// `pthread_mutex_t` because ThreadSanitizer sees pthread locks but not `Mutex`, whose Linux
/// implementation is a bare futex: under `--sanitize=thread` every `Mutex` guarded access is
/// reported as a race (checked with a two-thread counter), which would hide real ones.
///
/// The value and its mutex live in one heap object (``LockedStorage``, a `ManagedBuffer`, as
/// swift-nio's `NIOLockedValueBox` does it): one allocation per lock, where `NSLock` took four,
/// and a save creates two locks.
///
/// `@unchecked Sendable` is sound: the storage is private and only ``withLock(_:)`` touches the
/// value, holding the mutex for the whole access; and the conformance requires `Value: Sendable`,
/// so nothing that is unsafe to share can be moved in or out through it. Copies of a `Locked`
/// share one storage, like references to a class.
struct Locked<Value>: @unchecked Sendable where Value: Sendable {
    private let storage: LockedStorage<Value>

    init(_ value: Value) {
        let buffer = LockedStorage<Value>.create(minimumCapacity: 1) { buffer in
            buffer.withUnsafeMutablePointerToElements { Platform.initializeMutex($0) }
            return value
        }
        storage = unsafeDowncast(buffer, to: LockedStorage<Value>.self)  // `create` makes the subclass it is called on
    }

    /// Runs `body` with exclusive access to the value.
    func withLock<Result, Failure: Error>(_ body: (inout Value) throws(Failure) -> Result) throws(Failure) -> Result {
        // The pointers stay valid while `storage` is alive, which `withExtendedLifetime` ensures.
        let (value, mutex) = storage.withUnsafeMutablePointers { ($0, $1) }
        return try withExtendedLifetime(storage) { () throws(Failure) -> Result in
            Platform.lockMutex(mutex)
            defer { Platform.unlockMutex(mutex) }
            return try body(&value.pointee)
        }
    }
}

/// The heap object under ``Locked``: the value as the header and one mutex as the element.
final class LockedStorage<Value>: ManagedBuffer<Value, Platform.MutexPrimitive> {
    deinit {
        withUnsafeMutablePointerToElements { Platform.destroyMutex($0) }
    }
}
