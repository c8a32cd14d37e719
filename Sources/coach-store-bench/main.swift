import Dispatch
import Foundation
import Synchronization

// coach-store-bench: every figure of issue 7 as a ratio against a baseline measured in the
// same run, in interleaved blocks. `--help` lists the options.

/// Runs `body` on the global executor and blocks the main thread until it finishes. A
/// synchronous main (no top-level `await`) never parks the main thread in `dispatch_main`,
/// which valgrind cannot follow; the profiling runs need that.
func runBlocking(_ body: @escaping @Sendable () async -> Int32) -> Int32 {
    let status = Mutex<Int32>(0)
    let done = DispatchSemaphore(value: 0)
    Task.detached {
        let result = await body()
        status.withLock { $0 = result }
        done.signal()
    }
    done.wait()
    return status.withLock { $0 }
}

let arguments = Array(CommandLine.arguments.dropFirst())
exit(
    runBlocking {
        switch arguments.first {
        case ManyUsersScenario.childFlag: return await ManyUsersScenario.childMain(Array(arguments.dropFirst()))
        case ProfileDriver.flag: return await ProfileDriver.main(Array(arguments.dropFirst()))
        default:
            do {
                return await Bench.run(try BenchSettings(arguments: arguments), arguments: arguments)
            } catch {
                Log.line("\(error)")
                return 2
            }
        }
    })
