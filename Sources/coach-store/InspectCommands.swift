import CoachPersistence
import Foundation

/// The arguments most commands share, and opening the store they name.
enum Store {
    static let directory = ArgumentSpec(name: "DIR", help: "the store's directory")
    static let user = ArgumentSpec(name: "USER", help: "the user's id, as the app saved it")

    /// The store at `path`, opened read-only.
    static func inspector(_ path: String) throws -> StoreInspector {
        try StoreInspector(directory: URL(fileURLWithPath: path))
    }

    /// The store at `url` opened for writing. A lock held only for a moment (a store closing, a
    /// process being spawned that inherited the descriptor) is waited for, up to a second;
    /// a running app's lock is reported.
    static func writable(_ url: URL, options: FileStateStore.Options = .init()) async throws -> FileStateStore {
        let deadline = ContinuousClock.now.advanced(by: .seconds(1))
        while true {
            do {
                return try FileStateStore(directory: url, options: options)
            } catch StateStoreError.locked where ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(20))
            }
        }
    }

    /// The user's summary, or a failure naming the store's users when there is no such user.
    static func summary(_ inspector: StoreInspector, _ userID: String, directory: String) throws -> UserSummary {
        if let summary = try inspector.summary(userID: userID) { return summary }
        throw noSuchUser(inspector, userID, directory: directory)
    }

    static func noSuchUser(_ inspector: StoreInspector, _ userID: String, directory: String) -> CommandFailure {
        let ids = (try? inspector.userIDs()) ?? []
        let known = ids.isEmpty ? "it has no users yet" : "its users are " + ids.prefix(5).map { "'\(Output.id($0))'" }.joined(separator: ", ") + (ids.count > 5 ? " and \(ids.count - 5) more" : "")
        return CommandFailure("The store at \(directory) has no user '\(Output.id(userID))' (\(known))")
    }
}

/// Commands that read one store and print what they find: `ls`, `show`, `history`, `log`.
enum InspectCommands {
    // MARK: ls

    static let ls = Command(
        spec: CommandSpec(
            name: "ls", summary: "list the users: state, messages, last activity, journal and snapshot",
            arguments: [Store.directory],
            details: "Times are UTC. RECORDS counts the journal's records; PENDING those no snapshot covers yet,\nwhich the next compaction folds into snapshot.json."),
        run: { args in
            let directory = args.argument("DIR")!
            let summaries = try Store.inspector(directory).summaries()
            guard !summaries.isEmpty else {
                Output.line("No users in \(directory) yet.")
                return .ok
            }
            var table = Table([
                ("USER", .left), ("STATE", .left), ("MESSAGES", .right), ("LAST ACTIVITY", .left),
                ("RECORDS", .right), ("PENDING", .right), ("JOURNAL", .right), ("SNAPSHOT", .right),
            ])
            for s in summaries {
                table.add([
                    Output.short(Output.id(s.userID), 40), s.problem == nil ? s.state?.rawValue ?? "-" : "UNREADABLE",
                    s.problem == nil ? String(s.messageCount) : "?", s.lastActivity.map { Output.date($0) } ?? "-",
                    String(s.journalRecords), String(s.pendingRecords), Output.bytes(s.journalBytes),
                    s.snapshotBytes.map(Output.bytes) ?? "-",
                ])
            }
            table.print()
            let unreadable = summaries.filter { $0.problem != nil }
            if !unreadable.isEmpty {
                Output.error(
                    "\(Output.count(unreadable.count, "user")) cannot be read; run 'coach-store verify \(Output.shellWord(directory))' for the details.")
            }
            return .ok
        })

    // MARK: show

    static let show = Command(
        spec: CommandSpec(
            name: "show", summary: "show one user's context, readable (or exact JSON with --json)",
            arguments: [Store.directory, Store.user],
            options: [OptionSpec(name: "json", short: "j", help: "print the context's exact JSON, as export writes it")]),
        run: { args in
            let directory = args.argument("DIR")!, userID = args.argument("USER")!
            let inspector = try Store.inspector(directory)
            let summary = try Store.summary(inspector, userID, directory: directory)
            guard let context = try inspector.context(userID: userID) else {
                throw Store.noSuchUser(inspector, userID, directory: directory)
            }
            if args.flag("json") {
                Output.raw(try ContextArchive.encode(context))
            } else {
                printContext(context, summary)
            }
            return .ok
        })

    private static func printContext(_ c: CoachContext, _ s: UserSummary) {
        var rows: [(String, String)] = [("User", Output.id(c.userID)), ("State", c.currentState.rawValue)]
        let last = s.lastActivity.map { ", last \(Output.date($0)) UTC" } ?? ""
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
                Output.line(((i == 0 ? label : "").padding(width) + line).trimmingTrailingSpaces)
            }
        }
    }

    private static func json(_ value: JSONValue) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(value)).map { String(decoding: $0, as: UTF8.self) } ?? "?"
    }

    // MARK: history

    static let history = Command(
        spec: CommandSpec(
            name: "history", summary: "print a user's conversation, one block per message",
            arguments: [Store.directory, Store.user],
            options: [OptionSpec(name: "tail", short: "n", value: "N", help: "only the last N messages")],
            details: "Each block starts with the message's time (UTC) and role; the text follows, indented."),
        run: { args in
            let directory = args.argument("DIR")!, userID = args.argument("USER")!
            let tail = try args.integer("tail", minimum: 1, command: "history")
            let inspector = try Store.inspector(directory)
            guard let context = try inspector.context(userID: userID) else {
                throw Store.noSuchUser(inspector, userID, directory: directory)
            }
            let messages = context.conversationHistory
            guard !messages.isEmpty else {
                Output.line("'\(Output.id(userID))' has no messages yet.")
                return .ok
            }
            let shown = tail.map { messages.suffix($0) } ?? messages[...]
            if shown.count < messages.count {
                Output.line("… \(Output.count(messages.count - shown.count, "earlier message")) (all \(messages.count) without --tail)")
                Output.line()
            }
            for (i, message) in shown.enumerated() {
                if i > 0 { Output.line() }
                Output.line("[\(Output.date(message.timestamp, seconds: true))] \(message.role.rawValue)")
                for line in message.content.split(separator: "\n", omittingEmptySubsequences: false) {
                    Output.line(("  " + line).trimmingTrailingSpaces)
                }
            }
            return .ok
        })

    // MARK: log

    static let log = Command(
        spec: CommandSpec(
            name: "log", summary: "list a user's journal records as stored, with checksum status",
            arguments: [Store.directory, Store.user],
            details: """
                One row per event; a record with several events takes several rows. SNAPSHOT marks records
                that snapshot.json already covers (replay skips them; compaction drops them). A damaged line
                shows its reason and first bytes instead of events.
                """),
        run: { args in
            let directory = args.argument("DIR")!, userID = args.argument("USER")!
            let inspector = try Store.inspector(directory)
            let summary = try Store.summary(inspector, userID, directory: directory)
            let entries = try inspector.journal(userID: userID) ?? []
            let journalPath = summary.folder + "/journal.jsonl"
            var header = "\(journalPath): \(Output.count(entries.count, "line")), \(Output.bytes(summary.journalBytes))"
            if summary.snapshotBytes != nil { header += "; snapshot.json covers sequence \(summary.snapshotSequence)" }
            Output.line(header)
            guard !entries.isEmpty else {
                Output.line("The journal is empty: everything is in snapshot.json.")
                return .ok
            }
            Output.line()
            var table = Table([
                ("LINE", .right), ("SEQ", .right), ("CHECKSUM", .left), ("SNAPSHOT", .left), ("EVENT", .left), ("PAYLOAD", .left),
            ])
            var damaged = 0
            for entry in entries {
                let sequence = entry.sequence.map(String.init) ?? "?"
                switch entry.status {
                case .ok:
                    for (i, event) in entry.events.enumerated() {
                        let first = i == 0
                        table.add([
                            first ? String(entry.line) : "", first ? sequence : "", first ? "ok" : "",
                            first && entry.coveredBySnapshot ? "covered" : "", event.type, Output.short(event.summary, 64),
                        ])
                    }
                    if entry.events.isEmpty { table.add([String(entry.line), sequence, "ok", "", "(no events)", ""]) }
                case .damaged(let reason):
                    damaged += 1
                    table.add([String(entry.line), sequence, "BAD", "", "(damaged)", Output.short(reason, 64)])
                    table.add(["", "", "", "", "", Output.short(entry.excerpt ?? "", 64)])
                case .undecodable(let reason):
                    damaged += 1
                    table.add([String(entry.line), sequence, "ok", "", "(undecodable)", Output.short(reason, 64)])
                }
            }
            table.print()
            if damaged > 0 {
                Output.line()
                Output.line("\(Output.count(damaged, "line")) cannot be read; 'coach-store verify \(Output.shellWord(directory)) \(Output.shellWord(userID))' says what it means.")
            }
            return .ok
        })
}

extension String {
    var trimmingTrailingSpaces: String {
        var text = self
        while text.hasSuffix(" ") { text.removeLast() }
        return text
    }
}

extension Substring {
    var trimmingTrailingSpaces: String { String(self).trimmingTrailingSpaces }
}
