/// A small, conventional command-line parser: positional arguments, GNU-style long options
/// (`--tail 5`, `--tail=5`), a few short ones (`-n 5`), `--` to end options, and `-h`/`--help`
/// on every command.

/// An option a command accepts.
struct OptionSpec: Sendable {
    /// The long name without dashes: `tail` for `--tail`.
    let name: String
    /// A one-letter alias: `n` for `-n`.
    var short: Character? = nil
    /// The placeholder of the option's value (`N`); `nil` for a flag that takes none.
    var value: String? = nil
    /// One line of help.
    let help: String
}

/// A positional argument a command takes.
struct ArgumentSpec: Sendable {
    /// The placeholder shown in usage (`DIR`, `USER`).
    let name: String
    /// Whether it may be left out.
    var optional = false
    /// One line of help.
    let help: String
}

/// The shape of one command: what it takes, and its help text.
struct CommandSpec: Sendable {
    let name: String
    /// One line for the command list.
    let summary: String
    let arguments: [ArgumentSpec]
    var options: [OptionSpec] = []
    /// A paragraph for `--help`, after the summary.
    var details: String? = nil

    /// `coach-store history DIR USER [--tail N]`.
    var usage: String {
        var parts = ["coach-store", name]
        for argument in arguments { parts.append(argument.optional ? "[\(argument.name)]" : argument.name) }
        for option in options { parts.append("[--\(option.name)\(option.value.map { " \($0)" } ?? "")]") }
        return parts.joined(separator: " ")
    }

    /// The full `--help` text.
    var help: String {
        var lines = ["Usage: \(usage)", "", summary.prefix(1).uppercased() + summary.dropFirst() + "."]
        if let details { lines += ["", details] }
        let helpOption = OptionSpec(name: "help", short: "h", help: "show this help")
        let optionLabels = (options + [helpOption]).map { option in
            (option.short.map { "-\($0), " } ?? "    ") + "--\(option.name)" + (option.value.map { " \($0)" } ?? "")
        }
        let width = max(arguments.map(\.name.count).max() ?? 0, optionLabels.map(\.count).max() ?? 0) + 2
        if !arguments.isEmpty {
            lines += ["", "Arguments:"]
            for argument in arguments { lines.append("  " + argument.name.padding(width) + argument.help) }
        }
        lines += ["", "Options:"]
        for (label, option) in zip(optionLabels, options + [helpOption]) {
            lines.append("  " + label.padding(width) + option.help)
        }
        return lines.joined(separator: "\n")
    }
}

/// A command line that does not fit its command: exit status 2.
struct UsageError: Error {
    let message: String
    /// The command whose `--help` explains the right form; `nil` for the tool's own help.
    var command: String? = nil
}

/// What the parser found.
struct ParsedArguments {
    /// Positional arguments by placeholder name.
    var arguments: [String: String] = [:]
    /// Options given, by long name; a flag's value is the empty string.
    var options: [String: String] = [:]
    /// Whether `-h`/`--help` was given.
    var wantsHelp = false

    func argument(_ name: String) -> String? { arguments[name] }
    func flag(_ name: String) -> Bool { options[name] != nil }
    func value(_ name: String) -> String? { options[name] }

    /// The option's value as a whole number of at least `minimum`; a usage error otherwise.
    func integer(_ name: String, minimum: Int, command: String) throws -> Int? {
        guard let text = options[name] else { return nil }
        guard let n = Int(text), n >= minimum else {
            throw UsageError(message: "--\(name) needs a whole number of at least \(minimum), not '\(text)'", command: command)
        }
        return n
    }
}

extension CommandSpec {
    /// Parses the arguments that follow the command's name.
    func parse(_ tokens: [String]) throws -> ParsedArguments {
        var parsed = ParsedArguments()
        var positionals: [String] = []
        var index = 0
        var optionsEnded = false
        while index < tokens.count {
            let token = tokens[index]
            index += 1
            if optionsEnded || token == "-" || !token.hasPrefix("-") {
                positionals.append(token)
                continue
            }
            if token == "--" {
                optionsEnded = true
                continue
            }
            if token == "--help" || token == "-h" {
                parsed.wantsHelp = true
                continue
            }
            // --name, --name=value, -x
            let option: OptionSpec
            var inlineValue: String?
            if token.hasPrefix("--") {
                let body = token.dropFirst(2)
                let name = body.split(separator: "=", maxSplits: 1).first.map(String.init) ?? ""
                if let equals = body.firstIndex(of: "=") { inlineValue = String(body[body.index(after: equals)...]) }
                guard let found = options.first(where: { $0.name == name }) else {
                    throw UsageError(message: "unknown option '--\(name)'", command: self.name)
                }
                option = found
            } else {
                guard token.count == 2, let found = options.first(where: { $0.short == token.last }) else {
                    throw UsageError(message: "unknown option '\(token)'", command: self.name)
                }
                option = found
            }
            if option.value == nil {
                if inlineValue != nil {
                    throw UsageError(message: "the option --\(option.name) takes no value", command: name)
                }
                parsed.options[option.name] = ""
            } else if let inlineValue {
                parsed.options[option.name] = inlineValue
            } else {
                guard index < tokens.count else {
                    throw UsageError(message: "the option --\(option.name) needs a value \(option.value!)", command: name)
                }
                parsed.options[option.name] = tokens[index]
                index += 1
            }
        }
        if parsed.wantsHelp { return parsed }
        let required = arguments.filter { !$0.optional }.count
        guard positionals.count >= required else {
            let missing = arguments[positionals.count]
            throw UsageError(message: "missing \(missing.name) (\(missing.help))", command: name)
        }
        guard positionals.count <= arguments.count else {
            throw UsageError(message: "unexpected argument '\(positionals[arguments.count])'", command: name)
        }
        for (spec, value) in zip(arguments, positionals) {
            guard !value.isEmpty else { throw UsageError(message: "\(spec.name) must not be empty", command: name) }
            parsed.arguments[spec.name] = value
        }
        return parsed
    }
}

extension String {
    /// The string padded with spaces to `width` characters (unchanged when longer).
    func padding(_ width: Int) -> String {
        count >= width ? self : self + String(repeating: " ", count: width - count)
    }
}
