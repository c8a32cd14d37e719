/// A positional argument a command takes (`DIR`, `USER`).
package struct ArgumentSpec: Sendable {
    /// The placeholder shown in usage, and the key of its value in ``ParsedArguments``.
    package let name: String
    /// Whether it may be left out.
    package var optional: Bool
    /// One line of help.
    package let help: String

    /// A positional argument; `optional` ones come last.
    package init(name: String, optional: Bool = false, help: String) {
        self.name = name
        self.optional = optional
        self.help = help
    }
}
