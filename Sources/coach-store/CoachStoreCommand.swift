import CoachPersistence
import CommandLineParsing

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
