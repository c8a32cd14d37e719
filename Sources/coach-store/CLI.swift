import CoachPersistence
import CommandLineParsing
import Foundation

/// The tool: dispatches to a command and turns every failure into one sentence on standard error.
enum CoachStoreTool {
    static let commands: [any CoachStoreCommand.Type] = [
        DemoCommand.self,
        LsCommand.self, ShowCommand.self, HistoryCommand.self, LogCommand.self,
        VerifyCommand.self, RepairCommand.self, SealCommand.self,
        EditCommand.self, DeleteCommand.self, CompactCommand.self,
        ExportCommand.self, ImportCommand.self,
        StatsCommand.self,
    ]

    static var help: String {
        let width = commands.map { $0.spec.usageTail.count }.max()! + 2
        var lines = [
            "coach-store: look at and look after a coach-persistence store by hand.",
            "",
            "Usage: coach-store COMMAND [ARGUMENTS] [OPTIONS]",
            "",
            "Commands:",
        ]
        for command in commands { lines.append("  " + command.spec.usageTail.padded(to: width) + command.spec.summary) }
        lines += [
            "",
            "DIR is the store's directory. Commands that only look (ls, show, history, log, verify,",
            "export, stats) open it read-only: they work while an app has it open and change no byte.",
            "repair, seal, delete, compact and import take the store's write lock, so the app must be",
            "stopped first; edit takes it only to save, and refuses if the app saved meanwhile.",
            "Times are ISO 8601 in UTC (2026-11-20T18:42Z).",
            "",
            "Run 'coach-store COMMAND --help' for a command's options. Put -- before a USER that",
            "starts with '-': coach-store show DIR -- -odd-id.",
            "Exit status: 0 done, 1 problems found or the command failed, 2 the command line is wrong.",
        ]
        return lines.joined(separator: "\n")
    }

    /// Runs the command line (without the program name) and returns the exit status.
    static func main(_ arguments: [String]) async -> Int32 {
        guard let name = arguments.first else {
            Output.error("coach-store: missing a command; see 'coach-store --help'.")
            return ExitStatus.usage.rawValue
        }
        if name == "--help" || name == "-h" || name == "help" {
            guard arguments.count > 1 else {
                Output.line(help)
                return ExitStatus.ok.rawValue
            }
            guard let command = commands.first(where: { $0.spec.name == arguments[1] }) else {
                Output.error("coach-store: unknown command '\(arguments[1])'; see 'coach-store --help'.")
                return ExitStatus.usage.rawValue
            }
            Output.line(command.spec.help)
            return ExitStatus.ok.rawValue
        }
        guard let type = commands.first(where: { $0.spec.name == name }) else {
            let kind = name.hasPrefix("-") ? "option" : "command"
            Output.error("coach-store: unknown \(kind) '\(name)'; see 'coach-store --help'.")
            return ExitStatus.usage.rawValue
        }
        do {
            guard let command = try type.parse(Array(arguments.dropFirst())) else {
                Output.line(type.spec.help)
                return ExitStatus.ok.rawValue
            }
            return try await command.run().rawValue
        } catch let error as UsageError {
            let topic = error.command.map { "coach-store \($0) --help" } ?? "coach-store --help"
            Output.error("coach-store \(name): \(error.message); see '\(topic)'.")
            return ExitStatus.usage.rawValue
        } catch {
            Output.error("coach-store \(name): \(sentence(error))")
            return ExitStatus.problems.rawValue
        }
    }

    /// An error as one sentence.
    static func sentence(_ error: any Error) -> String {
        var text: String
        switch error {
        case let error as CommandFailure: text = error.message
        case StateStoreError.locked(let directory):
            text = "The store at \(directory) is open for writing by another process (a running app?); stop it first. Commands that only look (ls, show, verify, export…) work meanwhile"
        case let error as StateStoreError: text = error.description
        default: text = (error as NSError).localizedDescription
        }
        if let last = text.last, !".!?".contains(last) { text += "." }
        // After "coach-store CMD: " a sentence goes on in lower case ("the store at …").
        let letters = Array(text.prefix(2))
        if letters.count == 2, letters[0].isUppercase, letters[1].isLowercase {
            text = text.prefix(1).lowercased() + text.dropFirst()
        }
        return text
    }
}
