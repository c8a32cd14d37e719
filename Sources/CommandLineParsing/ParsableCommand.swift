/// A command as a type, in the manner of swift-argument-parser (written small here): a
/// ``spec`` that declares its arguments and options, an initializer that reads them into typed
/// properties, and a ``validate()`` step for what the types alone cannot say.
package protocol ParsableCommand: Sendable {
    /// The command's arguments, options and help.
    static var spec: CommandSpec { get }
    /// Reads typed properties from arguments that already fit ``spec``.
    init(parsing arguments: ParsedArguments) throws(UsageError)
    /// Checks the values together (ranges, combinations); a ``UsageError`` otherwise.
    func validate() throws(UsageError)
}

extension ParsableCommand {
    /// Nothing to check beyond the types.
    package func validate() throws(UsageError) {}

    /// Parses, reads and validates `tokens`; `nil` when `--help` was asked for instead.
    package static func parse(_ tokens: [String]) throws(UsageError) -> Self? {
        let parsed = try spec.parse(tokens)
        if parsed.wantsHelp { return nil }
        let command = try Self(parsing: parsed)
        try command.validate()
        return command
    }
}
