import Foundation

// coach-store-bench: every figure of issue 7 as a ratio against a baseline measured in the
// same run, in interleaved blocks. `--help` lists the options.

let arguments = Array(CommandLine.arguments.dropFirst())
if arguments.first == ManyUsersScenario.childFlag {
    exit(await ManyUsersScenario.childMain(Array(arguments.dropFirst())))
}
do {
    let settings = try BenchSettings(arguments: arguments)
    exit(await Bench.run(settings, arguments: arguments))
} catch {
    Log.line("\(error)")
    exit(2)
}
