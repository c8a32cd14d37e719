import Foundation
import Testing
@testable import CoachPersistence

/// Simulated power loss: the workload is cut at every mutating file operation, each cut is
/// turned into a post-crash disk in every way ``PowerCut`` knows, and a new store recovers it.
@Suite("Simulated power loss")
struct PowerLossTests {
    /// Rounds of ten power cuts per crash point, each round with new seeds: 1, or
    /// `COACH_POWER_CUT_ROUNDS` for a longer soak.
    static let rounds = max(1, ProcessInfo.processInfo.environment["COACH_POWER_CUT_ROUNDS"].flatMap { Int($0) } ?? 1)

    @Test("after a power cut at any point, every acknowledged save is there and the store goes on")
    func everyCrashPoint() async throws {
        let workload = Workload.standard
        let initial = try await workload.makeInitialDisk()
        let cleanRun = SimulatedFileSystem(disk: initial)
        let full = await workload.runUntilFailure(on: cleanRun, simulated: cleanRun)
        try #require(full == WorkloadProgress(acknowledged: workload.steps.count, started: workload.steps.count))
        let crashPoints = cleanRun.mutationCount
        var recoveries = 0
        for point in 1...crashPoints {
            let fileSystem = SimulatedFileSystem(disk: initial, crashAt: point)
            let progress = await workload.runUntilFailure(on: fileSystem, simulated: fileSystem)
            #expect(fileSystem.hasCrashed)
            let cuts = (0..<Self.rounds).flatMap { PowerCut.variety(seed: UInt64(point * 1000 + $0)) }
            for cut in cuts {
                let label = "crash point \(point) of \(crashPoints) (\(progress.acknowledged) steps acknowledged), \(cut)"
                await checkRecovery(of: fileSystem.disk.afterPowerCut(cut), workload, progress, label)
                recoveries += 1
            }
        }
        print("[fault injection] power loss: \(crashPoints) crash points, \(recoveries) recoveries")
    }

    /// Opens a store on `disk` and checks it holds one state the workload could have left,
    /// with every acknowledged step in it; then that it takes new saves, durably.
    private func checkRecovery(
        of disk: SimulatedDisk, _ workload: Workload, _ progress: WorkloadProgress, _ label: String
    ) async {
        let candidates = (progress.acknowledged...progress.started).map(workload.expected(after:))
        let fileSystem = SimulatedFileSystem(disk: disk)
        do {
            let store = try Workload.openStore(fileSystem)
            let recovered = try await workload.loadAll(store)
            let isExpected = candidates.contains(recovered)
            #expect(
                isExpected,
                "\(label): recovered [\(summary(recovered))], expected [\(candidates.map(summary).joined(separator: "] or ["))]")
            #expect(Set(try await store.userIDs()) == Set(recovered.keys), "\(label)")

            var next = recovered
            for user in workload.users {
                var context = recovered[user] ?? CoachContext(userID: user)
                context.conversationHistory.append(Workload.message(99, "after the power cut"))
                try await store.saveContext(context)
                next[user] = context
            }
            try await store.compact(userID: workload.users[0])
            let afterSecondCut = try Workload.openStore(SimulatedFileSystem(disk: fileSystem.disk.afterPowerCut(.strict)))
            let reloaded = try await workload.loadAll(afterSecondCut)
            let savesSurvived = reloaded == next
            #expect(savesSurvived, "\(label): saves after recovery: [\(summary(reloaded))], expected [\(summary(next))]")
        } catch {
            Issue.record("\(label): \(error)")
        }
    }

    /// `.batched` and `.unsynced` promise less: a power cut may lose acknowledged saves. What
    /// they still promise is that recovery needs no one: every user loads on its own, as one
    /// of the states it went through, and the store takes new saves.
    @Test("after a power cut under .batched or .unsynced, every user recovers on its own to a state it went through", arguments: ["batched", "unsynced"])
    func nonDurableModes(_ mode: String) async throws {
        let durability: FileStateStore.Durability = mode == "batched" ? .batched(interval: .milliseconds(2)) : .unsynced
        // A save slipped into a compaction waits for the compaction's file operation; under
        // .batched that can stall until the hook's timeout, so these modes run them one after the other.
        let workload = Workload.standard.withoutSavesInsideCompactions
        let initial = try await workload.makeInitialDisk()
        let cleanRun = SimulatedFileSystem(disk: initial)
        _ = await workload.runUntilFailure(on: cleanRun, simulated: cleanRun, durability: durability)
        let crashPoints = cleanRun.mutationCount
        var recoveries = 0
        for point in 1...crashPoints {
            let fileSystem = SimulatedFileSystem(disk: initial, crashAt: point)
            let progress = await workload.runUntilFailure(on: fileSystem, simulated: fileSystem, durability: durability)
            for cut in PowerCut.variety(seed: UInt64(point * 1000 + 7)) {
                let label = "\(mode), crash point \(point) of \(crashPoints), \(cut)"
                let disk = SimulatedFileSystem(disk: fileSystem.disk.afterPowerCut(cut))
                do {
                    let store = try Workload.openStore(disk, durability: durability)
                    let recovered = try await workload.loadAll(store)
                    for user in workload.users {
                        let known = workload.userStates(user, upTo: progress.started).contains(recovered[user])
                        #expect(known, "\(label): \(user) recovered to a state it never had")
                    }
                    var next = recovered
                    for user in workload.users {
                        var context = recovered[user] ?? CoachContext(userID: user)
                        context.conversationHistory.append(Workload.message(99, "after the power cut"))
                        try await store.saveContext(context)
                        next[user] = context
                    }
                    try await store.close()
                    let reloaded = try await workload.loadAll(try Workload.openStore(disk, readOnly: true))
                    let savesLoad = reloaded == next
                    #expect(savesLoad, "\(label): saves after recovery")
                } catch {
                    Issue.record("\(label): recovery was not automatic: \(error)")
                }
                recoveries += 1
            }
        }
        print("[fault injection] power loss, \(mode): \(crashPoints) crash points, \(recoveries) recoveries")
    }
}
