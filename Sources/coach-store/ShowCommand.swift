import CoachPersistence
import CommandLineParsing
import Foundation

/// `show`: one user's context, readable or as JSON; `--follow` shows each new save.
struct ShowCommand: CoachStoreCommand {
    static let spec = CommandSpec(
        name: "show", summary: "show one user's context, readable (or exact JSON with --json)",
        arguments: [Store.directory, Store.user],
        options: [
            .json("print the context's exact JSON, as export writes it"),
            OptionSpec(name: "follow", short: "f", help: "keep running and show the context again after each save, until Ctrl-C"),
        ],
        details: "--follow is read-only, like tail -f: it watches the user's files and changes no byte.")

    let directory: String
    let userID: String
    let json: Bool
    let follow: Bool

    init(parsing arguments: ParsedArguments) {
        directory = arguments.required("DIR")
        userID = arguments.required("USER")
        json = arguments.flag("json")
        follow = arguments.flag("follow")
    }

    func run() async throws -> ExitStatus {
        let inspector = try Store.inspector(directory)
        try printOnce(inspector)
        guard follow else { return .ok }
        try await Follower(inspector: inspector, userID: userID).run { _ in
            Output.line()
            Output.line("--- saved at \(Output.date(Date(), seconds: true))")
            try printOnce(inspector)
        }
    }

    private func printOnce(_ inspector: StoreInspector) throws {
        let summary = try Store.summary(inspector, userID, directory: directory)
        guard let context = try inspector.context(userID: userID) else {
            throw Store.noSuchUser(inspector, userID, directory: directory)
        }
        if json {
            Output.raw(try ContextArchive.encode(context))
        } else {
            Self.printContext(context, summary)
        }
    }

    private static func printContext(_ c: CoachContext, _ s: UserSummary) {
        var rows: [(String, String)] = [("User", Output.id(c.userID)), ("State", c.currentState.rawValue)]
        let last = s.lastActivity.map { ", last \(Output.date($0))" } ?? ""
        rows.append(("Messages", "\(c.conversationHistory.count)\(last)"))
        if let summary = c.consolidatedSummary { rows.append(("Summary", summary)) }
        let p = c.userProfile
        let profile = [p.preferredName, p.timeZone, p.locale].compactMap { $0 }
        if !profile.isEmpty { rows.append(("Profile", profile.joined(separator: " · "))) }
        for (i, goal) in p.goals.enumerated() { rows.append((i == 0 ? "Goals" : "", "- " + goal)) }
        if !p.values.isEmpty { rows.append(("Values", p.values.joined(separator: ", "))) }
        for key in p.attributes.keys.sorted() { rows.append(("", "\(key) = \(json(p.attributes[key]!))")) }
        for (i, identity) in c.identities.enumerated() {
            rows.append((i == 0 ? "Identities" : "", "[\(identity.status.rawValue)] \(identity.statement)"))
            for action in identity.supportingActions { rows.append(("", "    · \(action)")) }
        }
        for (i, key) in c.metadata.keys.sorted().enumerated() {
            rows.append((i == 0 ? "Metadata" : "", "\(key) = \(json(c.metadata[key]!))"))
        }
        var storage = "\(s.folder): journal \(Output.count(s.journalRecords, "record")) (\(Output.bytes(s.journalBytes)))"
        if let bytes = s.snapshotBytes { storage += ", snapshot \(Output.bytes(bytes)) at sequence \(s.snapshotSequence)" }
        storage += s.pendingRecords > 0 ? ", \(s.pendingRecords) not compacted yet" : ", all compacted"
        rows.append(("Storage", storage))

        let width = rows.map(\.0.count).max()! + 2
        for (label, value) in rows {
            for (i, line) in Output.wrap(value, width: max(40, 96 - width)).enumerated() {
                Output.line(((i == 0 ? label : "").padded(to: width) + line).trimmingTrailingSpaces)
            }
        }
    }

    private static func json(_ value: JSONValue) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(value)).map { String(decoding: $0, as: UTF8.self) } ?? "?"
    }

}
