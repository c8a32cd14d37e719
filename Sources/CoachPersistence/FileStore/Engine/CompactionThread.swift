import Foundation

/// The store's one background thread for compaction: jobs run one at a time, in order, at the
/// lowest priority the platform offers (see `FileSystem.lowerCurrentThreadIOPriority()`), so
/// that writing and syncing a large snapshot competes as little as possible with saves.
///
/// A thread of its own rather than a Dispatch queue because lowering a thread's priority cannot
/// be undone without privileges, and a Dispatch pool thread runs other work afterwards. The
/// thread starts with the first job and ends once ``stop()`` was called and the jobs queued
/// before it have run.
final class CompactionThread: Sendable {
    private struct State {
        var jobs: [@Sendable () -> Void] = []
        var running = false
        var stopped = false
    }

    private let state = Locked(State())
    private let wakeUp = NSCondition()
    private let prepare: @Sendable () -> Void
    private let label: String

    /// `prepare` runs once on the new thread before any job (it lowers the thread's priority).
    init(label: String, prepare: @escaping @Sendable () -> Void) {
        self.label = label
        self.prepare = prepare
    }

    /// Queues `job`; it runs after every job queued before it.
    func async(_ job: @escaping @Sendable () -> Void) {
        let start = state.withLock { state -> Bool in
            state.jobs.append(job)
            defer { state.running = true }
            return !state.running
        }
        if start { startThread() } else { signal() }
    }

    /// Lets the thread end once its queue is empty.
    func stop() {
        state.withLock { $0.stopped = true }
        signal()
    }

    /// Whether the caller is a compaction thread (for preconditions). Marked in the thread's
    /// dictionary: a thread's name is cut to 15 bytes on Linux and cannot tell it apart.
    var isCurrent: Bool { Thread.current.threadDictionary[Self.marker] as? String == label }

    private static let marker = "coach-persistence.compaction-thread"

    private func signal() {
        wakeUp.lock()
        wakeUp.signal()
        wakeUp.unlock()
    }

    private func startThread() {
        let thread = Thread { [self] in
            Thread.current.threadDictionary[Self.marker] = label
            prepare()
            while let job = next() { job() }
        }
        thread.name = label
        thread.start()
    }

    /// The next job, waiting for one; `nil` once stopped with nothing left.
    private func next() -> (@Sendable () -> Void)? {
        wakeUp.lock()
        defer { wakeUp.unlock() }
        while true {
            let (job, stopped) = state.withLock { state -> ((@Sendable () -> Void)?, Bool) in
                if state.jobs.isEmpty {
                    if state.stopped { state.running = false }
                    return (nil, state.stopped)
                }
                return (state.jobs.removeFirst(), false)
            }
            if let job { return job }
            if stopped { return nil }
            wakeUp.wait()
        }
    }
}
