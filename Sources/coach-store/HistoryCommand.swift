import CoachPersistence
import CommandLineParsing
import Foundation

/// `history`: a user's conversation; `--follow` prints new messages as they are saved.
struct HistoryCommand: CoachStoreCommand {
    static let spec = CommandSpec(
        name: "history", summary: "print a user's conversation, one block per message",
        arguments: [Store.directory, Store.user],
        options: [
            OptionSpec(name: "tail", short: "n", value: "N", help: "only the last N messages"),
            OptionSpec(name: "follow", short: "f", help: "keep running and print new messages as they are saved, until Ctrl-C"),
        ],
        details: """
            Each block starts with the message's time (ISO 8601, UTC) and role; the text follows, indented.
            --follow is read-only, like tail -f: it watches the user's files and changes no byte, so it
            can run beside the app that saves.
            """)

    let directory: String
    let userID: String
    let tail: Int?
    let follow: Bool

    init(parsing arguments: ParsedArguments) throws(UsageError) {
        directory = arguments.required("DIR")
        userID = arguments.required("USER")
        tail = try arguments.integer("tail", minimum: 1)
        follow = arguments.flag("follow")
    }

    func run() async throws -> ExitStatus {
        let inspector = try Store.inspector(directory)
        guard let context = try inspector.context(userID: userID) else {
            throw Store.noSuchUser(inspector, userID, directory: directory)
        }
        var printed = context.conversationHistory
        printInitial(printed)
        guard follow else { return .ok }
        try await Follower(inspector: inspector, userID: userID).run { inspector in
            let messages = try inspector.context(userID: userID)?.conversationHistory ?? []
            if messages.count >= printed.count && messages.starts(with: printed) {
                for message in messages.dropFirst(printed.count) { Self.print(message, first: false) }
            } else {
                // Not an append (a deletion, a condensed history): say so and start over.
                Output.line()
                Output.line("--- the conversation was replaced; it now holds \(Output.count(messages.count, "message"))")
                for (i, message) in messages.enumerated() { Self.print(message, first: i == 0) }
            }
            printed = messages
        }
    }

    private func printInitial(_ messages: [ChatMessage]) {
        guard !messages.isEmpty else {
            Output.line("'\(Output.id(userID))' has no messages yet.")
            return
        }
        let shown = tail.map { messages.suffix($0) } ?? messages[...]
        if shown.count < messages.count {
            Output.line("… \(Output.count(messages.count - shown.count, "earlier message")) (all \(messages.count) without --tail)")
            Output.line()
        }
        for (i, message) in shown.enumerated() { Self.print(message, first: i == 0) }
    }

    /// One message block: `[2026-11-20T18:42:05Z] user`, then the text indented.
    private static func print(_ message: ChatMessage, first: Bool) {
        if !first { Output.line() }
        Output.line("[\(Output.date(message.timestamp, seconds: true))] \(message.role.rawValue)")
        for line in message.content.split(separator: "\n", omittingEmptySubsequences: false) {
            Output.line(("  " + line).trimmingTrailingSpaces)
        }
    }
}
