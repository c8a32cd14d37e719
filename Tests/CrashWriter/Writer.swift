import CoachPersistence
import CoachTestSupport
import Foundation

/// The writer process: resumes every user from what is on disk, then saves step after step
/// (one task per user), acknowledging each save once it returned, compacting along the way.
///
/// Lines on stdout: `ready <step of user 0> <step of user 1> …` once resumed, `ack <user> <step>`
/// after each save, `compaction-start <user>` / `compaction-end <user>` as the store reports them,
/// and `done` when every user reached `--steps`.
struct Writer {
    let options: WriterOptions

    func run() async {
        let store: FileStateStore
        do {
            store = try FileStateStore(directory: options.directory, options: options.storeOptions)
        } catch {
            Output.fail("cannot open the store: \(error)", code: 4)
        }
        let reporter = Task { await reportCompactions(store.events) }
        var resumed: [Int] = []
        for user in 0..<options.users { resumed.append(await resume(user, store)) }
        let steps = resumed
        Output.line("ready " + steps.map(String.init).joined(separator: " "))
        await withTaskGroup(of: Void.self) { group in
            for user in 0..<options.users {
                group.addTask { await write(user, from: steps[user], store) }
            }
        }
        do { try await store.close() } catch { Output.fail("close failed: \(error)", code: 4) }
        reporter.cancel()
        Output.line("done")
    }

    /// The step the user's stored context is at, after checking it is exactly that step's context.
    private func resume(_ user: Int, _ store: FileStateStore) async -> Int {
        let stored: CoachContext?
        do {
            stored = try await store.loadContext(userID: CrashScript.userID(user))
        } catch {
            Output.fail("cannot load user \(user): \(error)", code: 4)
        }
        let step = CrashScript.step(of: stored)
        guard stored == CrashScript.context(user: user, step: step, seed: options.seed) else {
            Output.fail("user \(user) on disk is not the context of step \(step)", code: 3)
        }
        return step
    }

    private func write(_ user: Int, from start: Int, _ store: FileStateStore) async {
        var context = CrashScript.context(user: user, step: start, seed: options.seed)
        var step = start
        var rng = SeededRandom(seed: options.seed &+ UInt64(start), user: user, step: -1)
        while step < options.steps {
            step += 1
            context = CrashScript.next(after: context, user: user, step: step, seed: options.seed)
            do {
                try await store.saveContext(context!)
                Output.line("ack \(user) \(step)")
                if rng.below(6) == 0 { try await store.compact(userID: CrashScript.userID(user)) }
                if rng.below(40) == 0 { try await store.compactAll() }
            } catch {
                Output.fail("user \(user) step \(step) failed: \(error)", code: 4)
            }
        }
    }

    private func reportCompactions(_ events: AsyncStream<FileStateStore.Event>) async {
        for await event in events {
            switch event {
            case .compactionStarted(let id, _): Output.line("compaction-start \(id)")
            case .compactionFinished(let id, _, _, _, _): Output.line("compaction-end \(id)")
            case .compactionFailed(let id, let error): Output.fail("compaction of \(id) failed: \(error)", code: 4)
            default: break
            }
        }
    }
}
