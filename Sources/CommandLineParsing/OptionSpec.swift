/// An option a command accepts: `--tail N` (`-n N`), or a flag such as `--json`.
package struct OptionSpec: Sendable {
    /// The long name without dashes: `tail` for `--tail`.
    package let name: String
    /// A one-letter alias: `n` for `-n`.
    package var short: Character?
    /// The placeholder of the option's value (`N`); `nil` for a flag that takes none.
    package var value: String?
    /// One line of help.
    package let help: String

    /// An option named `name`; with `value`, it takes one (`--tail N`), else it is a flag.
    package init(name: String, short: Character? = nil, value: String? = nil, help: String) {
        self.name = name
        self.short = short
        self.value = value
        self.help = help
    }

    /// `-n, --tail N` or `    --json`: how the option reads in help.
    var label: String {
        (short.map { "-\($0), " } ?? "    ") + "--\(name)" + (value.map { " \($0)" } ?? "")
    }

    /// `-h, --help`, which every command accepts.
    static let help = OptionSpec(name: "help", short: "h", help: "show this help")
}
