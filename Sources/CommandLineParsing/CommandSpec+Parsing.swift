extension CommandSpec {
    /// Reads the tokens that follow the command's name (or the program's, for a program without
    /// commands) against this spec.
    ///
    /// - Throws: ``UsageError`` for an unknown option, a missing or unexpected value, a missing
    ///   or extra positional argument, or an empty one.
    package func parse(_ tokens: [String]) throws(UsageError) -> ParsedArguments {
        var parsed = ParsedArguments(command: topic)
        var positionals: [String] = []
        var index = 0
        var optionsEnded = false
        while index < tokens.count {
            let token = tokens[index]
            index += 1
            if optionsEnded || token == "-" || !token.hasPrefix("-") {
                positionals.append(token)
            } else if token == "--" {
                optionsEnded = true
            } else if token == "--help" || token == "-h" {
                parsed.wantsHelp = true
            } else {
                let (option, inlineValue) = try lookUp(token)
                if option.value == nil {
                    guard inlineValue == nil else { throw UsageError("the option --\(option.name) takes no value", command: topic) }
                    parsed.options[option.name] = ""
                } else if let inlineValue {
                    parsed.options[option.name] = inlineValue
                } else {
                    guard index < tokens.count else {
                        throw UsageError("the option --\(option.name) needs a value \(option.value ?? "")", command: topic)
                    }
                    parsed.options[option.name] = tokens[index]
                    index += 1
                }
            }
        }
        // Help wins over every other mistake: `cmd --help` with missing arguments still helps.
        if parsed.wantsHelp { return parsed }
        try assign(positionals, to: &parsed)
        return parsed
    }

    /// The option a token names (`--name`, `--name=value`, `-x`) and its inline value.
    private func lookUp(_ token: String) throws(UsageError) -> (OptionSpec, String?) {
        if token.hasPrefix("--") {
            let body = token.dropFirst(2)
            let name = body.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? ""
            let inlineValue = body.firstIndex(of: "=").map { String(body[body.index(after: $0)...]) }
            guard let found = options.first(where: { $0.name == name }) else {
                throw UsageError("unknown option '--\(name)'", command: topic)
            }
            return (found, inlineValue)
        }
        guard token.count == 2, let found = options.first(where: { $0.short == token.last }) else {
            throw UsageError("unknown option '\(token)'", command: topic)
        }
        return (found, nil)
    }

    private func assign(_ positionals: [String], to parsed: inout ParsedArguments) throws(UsageError) {
        let required = arguments.filter { !$0.optional }.count
        guard positionals.count >= required else {
            let missing = arguments[positionals.count]
            throw UsageError("missing \(missing.name) (\(missing.help))", command: topic)
        }
        guard positionals.count <= arguments.count else {
            throw UsageError("unexpected argument '\(positionals[arguments.count])'", command: topic)
        }
        for (spec, value) in zip(arguments, positionals) {
            guard !value.isEmpty else { throw UsageError("\(spec.name) must not be empty", command: topic) }
            parsed.arguments[spec.name] = value
        }
    }
}
