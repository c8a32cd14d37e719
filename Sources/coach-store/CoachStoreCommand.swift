import CoachPersistence
import CommandLineParsing

/// How a command ends: the process's exit status.
enum ExitStatus: Int32 {
    /// It did what was asked.
    case ok = 0
    /// A check found problems, or the command failed (the reason is on standard error).
    case problems = 1
    /// The command line was wrong.
    case usage = 2
}

/// A command that failed for a reason a person can act on: one sentence, exit status 1.
struct CommandFailure: Error {
    let message: String
    init(_ message: String) { self.message = message }
}

/// One `coach-store` command: a type whose properties are its typed arguments (read and
/// validated by ``ParsableCommand``), and what it does with them.
protocol CoachStoreCommand: ParsableCommand {
    /// Does the work; a thrown error becomes one sentence on standard error and exit status 1.
    func run() async throws -> ExitStatus
}

extension CommandSpec {
    /// A `coach-store` command.
    init(name: String, summary: String, arguments: [ArgumentSpec] = [], options: [OptionSpec] = [], details: String? = nil) {
        self.init(program: "coach-store", name: name, summary: summary, arguments: arguments, options: options, details: details)
    }
}

/// The `--json` flag of the commands that can print JSON.
extension OptionSpec {
    static func json(_ help: String) -> OptionSpec { OptionSpec(name: "json", short: "j", help: help) }
}
