import Foundation
import Glibc
import Testing
@testable import CoachPersistence

/// I/O error injection: for each kind of file operation and every N, the workload runs with
/// the Nth call failing (EIO or ENOSPC, once or until cleared). Each failure must surface as
/// `StateStoreError.io` with the errno, leave a loadable state, and go away with the fault;
/// no acknowledged step may be lost, neither on reopening nor after a power cut.
@Suite("I/O errors")
struct IOErrorTests {
    @Test("every call of every kind can fail without losing an acknowledged save", arguments: FaultyFileSystem.Operation.allCases)
    func everyCallFails(_ operation: FaultyFileSystem.Operation) async throws {
        let workload = Workload.standard
        let initial = try await workload.makeInitialDisk()
        let calls = try await cleanRunCallCounts(workload, initial)[operation] ?? 0
        var injected = 0
        for occurrence in 1...max(1, calls) {
            for fault in faults(operation, occurrence) {
                injected += await run(workload, from: initial, with: fault)
            }
        }
        #expect(calls == 0 || injected > 0, "no fault was injected")
        print("[fault injection] I/O errors, \(operation): \(calls) calls in the workload, \(injected) injected errors")
    }

    /// The faults tried at one call: EIO and ENOSPC, once and until cleared; for `sync`, also
    /// with the unsynced data forgotten as Linux does after a failed writeback.
    private func faults(_ operation: FaultyFileSystem.Operation, _ occurrence: Int) -> [FaultyFileSystem.Fault] {
        let losses = operation == .sync ? [false, true] : [false]
        return [EIO, ENOSPC].flatMap { errno in
            [false, true].flatMap { persists in
                losses.map { loses in
                    FaultyFileSystem.Fault(
                        operation: operation, occurrence: occurrence, errno: errno, persists: persists, losesUnsyncedData: loses)
                }
            }
        }
    }

    private func cleanRunCallCounts(_ workload: Workload, _ initial: SimulatedDisk) async throws -> [FaultyFileSystem.Operation: Int] {
        let disk = SimulatedFileSystem(disk: initial)
        let counting = FaultyFileSystem(base: disk)
        let progress = await workload.runUntilFailure(on: counting, simulated: disk)
        try #require(progress.acknowledged == workload.steps.count)
        return counting.callCounts
    }

    /// Runs the workload with `fault`, retrying each failed step as an app would; returns how
    /// many errors were injected.
    private func run(_ workload: Workload, from initial: SimulatedDisk, with fault: FaultyFileSystem.Fault) async -> Int {
        let disk = SimulatedFileSystem(disk: initial)
        let faulty = FaultyFileSystem(base: disk, fault: fault)
        let label = "\(fault)"
        guard let store = await open(faulty, fault, workload, disk, label) else { return faulty.injectedFaults }
        for (index, step) in workload.steps.enumerated() {
            var attempts = 0
            while true {
                attempts += 1
                let injectedBefore = faulty.injectedFaults
                guard case .failed(let error, _) = await Workload.perform(step, on: store, simulated: disk) else { break }
                let stepLabel = "\(label), step \(index + 1) (\(step)), attempt \(attempts)"
                guard checkFailure(error, injected: faulty.injectedFaults > injectedBefore, fault, stepLabel) else {
                    return faulty.injectedFaults
                }
                await checkLoadable(disk, workload, candidates: [index, index + 1], stepLabel)
                if attempts >= 2 { faulty.clear() }
            }
            if attempts > 1 {
                await checkDurable(disk, workload, after: index + 1, "\(label), after step \(index + 1) (\(step))")
            }
        }
        await checkFinalState(store, disk, workload, label)
        return faulty.injectedFaults
    }

    /// Opens the store, retrying while the fault lasts.
    private func open(
        _ faulty: FaultyFileSystem, _ fault: FaultyFileSystem.Fault, _ workload: Workload, _ disk: SimulatedFileSystem, _ label: String
    ) async -> FileStateStore? {
        for attempts in 1... {
            let injectedBefore = faulty.injectedFaults
            do {
                return try Workload.openStore(faulty)
            } catch {
                let openLabel = "\(label), opening, attempt \(attempts)"
                guard checkFailure(error, injected: faulty.injectedFaults > injectedBefore, fault, openLabel) else { return nil }
                await checkLoadable(disk, workload, candidates: [0], openLabel)
                if attempts >= 2 { faulty.clear() }
            }
        }
        return nil
    }

    /// A failed attempt must come from the fault, as `.io` with its errno; `false` when it did
    /// not and the run cannot go on.
    private func checkFailure(_ error: any Error, injected: Bool, _ fault: FaultyFileSystem.Fault, _ label: String) -> Bool {
        guard injected else {
            Issue.record("\(label): failed with no fault injected: \(error)")
            return false
        }
        guard let storeError = error as? StateStoreError, case .io(_, _, let code, _) = storeError else {
            Issue.record("\(label): not an I/O error: \(error)")
            return false
        }
        #expect(code == fault.errno, "\(label): \(storeError)")
        #expect(storeError.isDiskFull == (fault.errno == ENOSPC), "\(label): \(storeError)")
        return true
    }

    /// What a reader finds on the disk right after a failure (no fault, read-only): the state
    /// before the step or after it, nothing else.
    private func checkLoadable(_ disk: SimulatedFileSystem, _ workload: Workload, candidates: [Int], _ label: String) async {
        do {
            let reader = try Workload.openStore(disk, readOnly: true)
            let state = try await workload.loadAll(reader)
            let isExpected = candidates.map(workload.expected(after:)).contains(state)
            #expect(isExpected, "\(label): a reader found [\(summary(state))]")
        } catch {
            Issue.record("\(label): the previous state does not load: \(error)")
        }
    }

    /// What survives a power cut now: every step acknowledged so far. Checked right after a
    /// retried step succeeds (a later step could hide a loss by syncing the same folder) and at the end.
    private func checkDurable(_ disk: SimulatedFileSystem, _ workload: Workload, after steps: Int, _ label: String) async {
        do {
            let store = try Workload.openStore(SimulatedFileSystem(disk: disk.disk.afterPowerCut(.strict)))
            let state = try await workload.loadAll(store)
            let expected = workload.expected(after: steps)
            #expect(state == expected, "\(label): a power cut leaves [\(summary(state))], expected [\(summary(expected))]")
        } catch {
            Issue.record("\(label): after a power cut: \(error)")
        }
    }

    /// The end: the store, a clean reopening, and a power cut all show the whole workload.
    private func checkFinalState(_ store: FileStateStore, _ disk: SimulatedFileSystem, _ workload: Workload, _ label: String) async {
        let expected = workload.expected(after: workload.steps.count)
        do {
            let state = try await workload.loadAll(store)
            #expect(state == expected, "\(label): the store ends with [\(summary(state))]")
            try await store.close()
            let reopened = try await workload.loadAll(try Workload.openStore(disk))
            #expect(reopened == expected, "\(label): reopened, the store holds [\(summary(reopened))]")
        } catch {
            Issue.record("\(label): at the end: \(error)")
        }
        await checkDurable(disk, workload, after: workload.steps.count, "\(label), at the end")
    }
}
