import CoachPersistence
import CommandLineParsing
import Foundation

/// `edit`: a user's context in `$VISUAL`/`$EDITOR`, saved as one revision-checked update, as
/// `kubectl edit` and `crontab -e` do it.
struct EditCommand: CoachStoreCommand {
    static let spec = CommandSpec(
        name: "edit", summary: "edit one user's context as JSON in $VISUAL or $EDITOR, then save it",
        arguments: [Store.directory, Store.user],
        details: """
            Opens the context as pretty JSON in $VISUAL, else $EDITOR, else vi. When the editor exits, the
            file is checked: invalid JSON or an invalid context (another userID, a bad timestamp) opens the
            editor again with the error in a comment block on top; leave the file unchanged to give up
            (exit status 1). An unchanged context writes nothing. The edit is saved as one update on top
            of the revision you started from: if the app saved USER meanwhile, nothing is written, the
            edit is kept in its temporary file, and the exit status is 1. The store's write lock is taken
            only to save (waiting up to a second), so stop the app or retry if it holds the store.
            """)

    let directory: String
    let userID: String

    init(parsing arguments: ParsedArguments) {
        directory = arguments.required("DIR")
        userID = arguments.required("USER")
    }

    /// What the first line of an error block starts with; every line of it starts with `#`,
    /// which no JSON document does, so the block is stripped before parsing.
    static let commentMark = "#"

    func run() async throws -> ExitStatus {
        let inspector = try Store.inspector(directory)
        _ = try Store.summary(inspector, userID, directory: directory)
        let loaded = try await loadWithRevision(inspector.directory)
        let original = try ContextArchive.encode(loaded.context)
        let session = try EditSession(original: original, userID: userID)

        var shown = original
        while true {
            try session.write(shown)
            try session.runEditor()
            let edited = try session.read()
            let body = Self.strippingComments(edited)
            if body == original { return session.unchanged() }
            switch check(body) {
            case .valid(let context):
                if context == loaded.context { return session.unchanged() }
                return try await save(context, over: loaded, session)
            case .invalid(let problem):
                guard edited != shown else {
                    throw CommandFailure("Nothing was saved: \(problem) (the editor left the file unchanged). Your edit is kept in \(session.file.path)")
                }
                shown = Self.commentBlock(problem) + body
            }
        }
    }

    /// The stored context and its revision, through a read-only store: no lock, no write.
    private func loadWithRevision(_ url: URL) async throws -> StoredContext {
        let store = try FileStateStore(directory: url, options: .init(readOnly: true))
        let stored: StoredContext?
        do {
            stored = try await store.loadStoredContext(userID: userID)
            try await store.close()
        } catch {
            try? await store.close()
            throw error
        }
        guard let stored else { throw CommandFailure("The store at \(directory) has no user '\(Output.id(userID))'") }
        return stored
    }

    /// What the editor left: a context to save, or why it cannot be saved.
    private enum Checked {
        case valid(CoachContext)
        case invalid(String)
    }

    private func check(_ body: Data) -> Checked {
        let contexts: [CoachContext]
        do {
            contexts = try ContextArchive.decode(body)
        } catch let error as StateStoreError {
            if case .notAnExport(let reason) = error { return .invalid("the file is not a valid context: \(reason)") }
            return .invalid(error.description)
        } catch {
            return .invalid("\(error)")
        }
        guard contexts.count == 1, body.first(where: { !Set(" \t\r\n".utf8).contains($0) }) == UInt8(ascii: "{") else {
            return .invalid("the file must hold one context object, not an array")
        }
        guard contexts[0].userID == userID else {
            return .invalid("userID is '\(Output.id(contexts[0].userID))', but this is the context of '\(Output.id(userID))'; edit one user at a time")
        }
        return .valid(contexts[0])
    }

    /// Saves `context` on top of the revision the edit started from.
    private func save(_ context: CoachContext, over loaded: StoredContext, _ session: EditSession) async throws -> ExitStatus {
        let store = try await Store.writable(URL(fileURLWithPath: directory))
        do {
            let revision = try await store.saveContext(context, ifRevision: loaded.revision)
            try await store.close()
            session.remove()
            Output.line("Saved the edit of '\(Output.id(userID))' (revision \(revision)).")
            return .ok
        } catch StateStoreError.conflict(_, _, let actual) {
            try? await store.close()
            let now = actual.map { "revision \($0)" } ?? "deleted"
            throw CommandFailure(
                "'\(Output.id(userID))' was saved by another process while you edited (you started from revision \(loaded.revision), it is now \(now)); nothing was written. Your edit is kept in \(session.file.path): run edit again and re-apply it")
        } catch {
            try? await store.close()
            throw error
        }
    }

    /// The error as comment lines above the JSON.
    static func commentBlock(_ problem: String) -> Data {
        var lines = ["\(commentMark) coach-store edit: this was not saved:"]
        lines += Output.wrap(problem, width: 90).map { "\(commentMark)   " + $0 }
        lines += [
            "\(commentMark) Fix it and save; leave the file unchanged to give up. Lines starting with \(commentMark) are ignored.",
            commentMark,
        ]
        return Data((lines.joined(separator: "\n") + "\n").utf8)
    }

    /// `data` without its leading comment lines.
    static func strippingComments(_ data: Data) -> Data {
        var rest = data[...]
        while rest.first == UInt8(ascii: "#") {
            guard let newline = rest.firstIndex(of: UInt8(ascii: "\n")) else { return Data() }
            rest = rest[rest.index(after: newline)...]
        }
        return Data(rest)
    }
}
