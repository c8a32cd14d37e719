/// The shape of one command: the program it belongs to, its positional arguments, its options
/// and its help text. ``parse(_:)`` reads a command line against it (`CommandSpec+Parsing.swift`).
///
/// The conventions are GNU's: `--tail 5` and `--tail=5`, one-letter aliases (`-n 5`), `--` ends
/// the options (so a USER may start with `-`), a lone `-` is a positional (standard input), and
/// `-h`/`--help` works on every command.
package struct CommandSpec: Sendable {
    /// The program: `coach-store`, `coach-store-bench`, `CrashWriter`.
    package let program: String
    /// The command's name after the program (`history`); empty for a program without commands.
    package let name: String
    /// One line for a command list.
    package let summary: String
    /// The positional arguments, required ones first.
    package let arguments: [ArgumentSpec]
    /// The options, `--help` left out (every command has it).
    package var options: [OptionSpec]
    /// A paragraph for `--help`, after the summary.
    package var details: String?

    /// A command of `program`.
    package init(
        program: String, name: String, summary: String, arguments: [ArgumentSpec] = [],
        options: [OptionSpec] = [], details: String? = nil
    ) {
        self.program = program
        self.name = name
        self.summary = summary
        self.arguments = arguments
        self.options = options
        self.details = details
    }

    /// The name usage errors point at: the command, or the program when it has no commands.
    package var topic: String { name.isEmpty ? program : name }

    /// `history DIR USER [--tail N]`: the usage without the program's name.
    package var usageTail: String {
        var parts = name.isEmpty ? [] : [name]
        for argument in arguments { parts.append(argument.optional ? "[\(argument.name)]" : argument.name) }
        for option in options { parts.append("[--\(option.name)\(option.value.map { " \($0)" } ?? "")]") }
        return parts.joined(separator: " ")
    }

    /// `coach-store history DIR USER [--tail N]`.
    package var usage: String { usageTail.isEmpty ? program : program + " " + usageTail }

    /// The full `--help` text.
    package var help: String {
        var lines = ["Usage: \(usage)", "", summary.prefix(1).uppercased() + summary.dropFirst() + "."]
        if let details { lines += ["", details] }
        let all = options + [OptionSpec.help]
        let width = max(arguments.map(\.name.count).max() ?? 0, all.map(\.label.count).max() ?? 0) + 2
        if !arguments.isEmpty {
            lines += ["", "Arguments:"]
            for argument in arguments { lines.append("  " + argument.name.padded(to: width) + argument.help) }
        }
        lines += ["", "Options:"]
        for option in all { lines.append("  " + option.label.padded(to: width) + option.help) }
        return lines.joined(separator: "\n")
    }
}

extension String {
    /// The string padded with spaces to `width` characters (unchanged when longer).
    package func padded(to width: Int) -> String {
        count >= width ? self : self + String(repeating: " ", count: width - count)
    }
}
