import Foundation

/// One user's journal descriptor, opened and closed by the ``DescriptorPool``.
final class JournalHandle: Sendable {
    private struct State {
        var file: (any OpenFile)?
        var leased = false
        var lastUse: UInt64 = 0
        var closeOnRelease = false
    }

    private let state = Locked(State())

    /// The open file, now leased; `nil` if the pool closed it (or never opened it).
    /// (Called by the ``DescriptorPool`` only.)
    func leaseIfOpen(_ stamp: UInt64) -> (any OpenFile)? {
        state.withLock { state in
            guard let file = state.file else { return nil }
            state.leased = true
            state.lastUse = stamp
            return file
        }
    }

    /// (Called by the ``DescriptorPool`` only.)
    func install(_ file: any OpenFile, _ stamp: UInt64) {
        state.withLock { state in
            state.file = file
            state.leased = true
            state.lastUse = stamp
        }
    }

    /// Ends the lease taken by ``DescriptorPool/lease(_:open:)``.
    func release() {
        state.withLock { state in
            state.leased = false
            if state.closeOnRelease {
                state.file?.close()
                state.file = nil
            }
        }
    }

    /// (Called by the ``DescriptorPool`` only.)
    var isOpen: Bool { state.withLock { $0.file != nil } }
    /// (Called by the ``DescriptorPool`` only.)
    var lastUse: UInt64 { state.withLock { $0.lastUse } }

    /// (Called by the ``DescriptorPool`` only.)
    func close() {
        state.withLock { state in
            state.file?.close()
            state.file = nil
        }
    }

    /// Closes the file unless it is leased; whether it is closed now.
    /// (Called by the ``DescriptorPool`` only.)
    func closeIfIdle() -> Bool {
        state.withLock { state in
            guard !state.leased else { return false }
            state.file?.close()
            state.file = nil
            return true
        }
    }

    /// (Called by the ``DescriptorPool`` only.)
    func closeWhenReleased() { state.withLock { $0.closeOnRelease = true } }
}
