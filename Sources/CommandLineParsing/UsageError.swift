/// A command line that does not fit its command. Tools exit with status 2 and print
/// ``message`` as one sentence, pointing at the command's `--help`.
package struct UsageError: Error, Sendable, CustomStringConvertible {
    /// What is wrong, as a phrase: `missing DIR (the store's directory)`.
    package let message: String
    /// The command whose `--help` explains the right form; `nil` for the tool's own help.
    package var command: String?

    /// A usage error about `command`.
    package init(_ message: String, command: String? = nil) {
        self.message = message
        self.command = command
    }

    /// The message.
    package var description: String { message }
}
