import Dispatch
import Foundation
@testable import CoachPersistence

/// How far a run of a ``Workload`` got.
struct WorkloadProgress: Equatable, Sendable {
    /// Steps whose effect was acknowledged (their save, delete or compaction returned).
    var acknowledged: Int
    /// Steps begun: the state on disk may be that after any count from ``acknowledged`` to here.
    var started: Int
}

/// How one step went.
enum StepOutcome: Sendable {
    case done
    /// The step threw; `saved` tells whether its save had returned before (a compaction with
    /// a save inside may fail after the save).
    case failed(any Error, saved: Bool)
}

extension Workload {
    /// Opens the store on `fileSystem` and runs the steps until one fails, as a process does
    /// until the power goes. `simulated` is the disk under `fileSystem`.
    func runUntilFailure(
        on fileSystem: any FileSystem, simulated: SimulatedFileSystem, durability: FileStateStore.Durability = .durable
    ) async -> WorkloadProgress {
        guard let store = try? Self.openStore(fileSystem, durability: durability) else { return WorkloadProgress(acknowledged: 0, started: 0) }
        for (index, step) in steps.enumerated() {
            if case .failed(_, let saved) = await Self.perform(step, on: store, simulated: simulated) {
                return WorkloadProgress(acknowledged: saved ? index + 1 : index, started: index + 1)
            }
        }
        return WorkloadProgress(acknowledged: steps.count, started: steps.count)
    }

    /// Runs one step on `store`, whose disk is `simulated`.
    static func perform(_ step: Step, on store: FileStateStore, simulated: SimulatedFileSystem) async -> StepOutcome {
        do {
            switch step {
            case .save(let context): try await store.saveContext(context)
            case .delete(let user): try await store.deleteContext(userID: user)
            case .compact(let user): try await store.compact(userID: user)
            case .compactWhileSaving(let context, let point): return await compact(saving: context, at: point, store, simulated)
            }
            return .done
        } catch {
            return .failed(error, saved: false)
        }
    }

    /// Compacts the context's user, and saves `context` when the compaction reaches `point`:
    /// the save runs on the user's queue while the compaction queue waits for it. (Both
    /// triggers happen only on the compaction queue; one on the user's queue would deadlock.)
    private static func compact(
        saving context: CoachContext, at point: CompactionPoint, _ store: FileStateStore, _ simulated: SimulatedFileSystem
    ) async -> StepOutcome {
        let save = SaveResult()
        simulated.beforeNext(point.trigger.operation, ofPathEndingIn: point.trigger.pathSuffix) {
            let done = DispatchSemaphore(value: 0)
            Task {
                do {
                    try await store.saveContext(context)
                    save.set(nil)
                } catch {
                    save.set(error)
                }
                done.signal()
            }
            if done.wait(timeout: .now() + 60) == .timedOut {
                save.set(WorkloadError.saveInsideCompactionHung)
            }
        }
        let compaction: (any Error)?
        do {
            try await store.compact(userID: context.userID)
            compaction = nil
        } catch {
            compaction = error
        }
        simulated.cancelHook()
        switch save.result {
        case nil:
            // The compaction stopped before its snapshot: the save never ran.
            if let compaction { return .failed(compaction, saved: false) }
            return await perform(.save(context), on: store, simulated: simulated)
        case .some(let error?):
            return .failed(error, saved: false)
        case .some(nil):
            return compaction.map { .failed($0, saved: true) } ?? .done
        }
    }
}

enum WorkloadError: Error {
    /// The save slipped into a compaction did not finish within a minute: a deadlock.
    case saveInsideCompactionHung
}

/// The outcome of a save made from another thread.
private final class SaveResult: @unchecked Sendable {
    private let lock = NSLock()
    private var value: (any Error)??

    /// `nil` until the save ends; then `.some(nil)` for success, or the error.
    var result: (any Error)?? { lock.withLock { value } }

    func set(_ error: (any Error)?) { lock.withLock { value = .some(error) } }
}
