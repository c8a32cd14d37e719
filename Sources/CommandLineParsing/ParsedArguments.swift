/// What ``CommandSpec/parse(_:)`` found, with typed accessors that turn a wrong value into a
/// ``UsageError`` naming the option.
package struct ParsedArguments: Sendable {
    /// The command the arguments belong to, for error messages.
    package var command: String
    /// Positional arguments by placeholder name.
    package var arguments: [String: String] = [:]
    /// Options given, by long name (the last occurrence wins); a flag's value is the empty string.
    package var options: [String: String] = [:]
    /// Whether `-h`/`--help` was given.
    package var wantsHelp = false

    /// Empty arguments of `command`.
    package init(command: String) {
        self.command = command
    }

    /// The positional argument `name`, if given.
    package func argument(_ name: String) -> String? { arguments[name] }

    /// The positional argument `name`, which the spec declares required (parsing checked it).
    package func required(_ name: String) -> String {
        guard let value = arguments[name] else { preconditionFailure("\(name) is not a required argument of \(command)") }
        return value
    }

    /// Whether the flag `--name` was given.
    package func flag(_ name: String) -> Bool { options[name] != nil }

    /// The value of `--name`, if given.
    package func value(_ name: String) -> String? { options[name] }

    /// The value of `--name` as a whole number of at least `minimum`; `nil` if not given.
    package func integer(_ name: String, minimum: Int) throws(UsageError) -> Int? {
        guard let text = options[name] else { return nil }
        guard let n = Int(text), n >= minimum else {
            throw UsageError("--\(name) needs a whole number of at least \(minimum), not '\(text)'", command: command)
        }
        return n
    }

    /// The value of `--name`, which must be one of `choices`; `nil` if not given.
    package func choice(_ name: String, among choices: [String]) throws(UsageError) -> String? {
        guard let text = options[name] else { return nil }
        guard choices.contains(text) else {
            throw UsageError("--\(name) is one of \(choices.joined(separator: ", ")), not '\(text)'", command: command)
        }
        return text
    }
}
