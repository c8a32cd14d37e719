import Foundation

/// Everything that can go wrong in a ``StateStore``. Each case carries what a person needs in
/// order to act on it, and ``description`` reads as one sentence.
public enum StateStoreError: Error, Hashable, Sendable, CustomStringConvertible, LocalizedError {
    /// The user id is not allowed (today: only the empty string is refused).
    case invalidUserID(String, reason: String)
    /// The store was opened read-only and was asked to change something.
    case readOnly(directory: String)
    /// Another writer (this process or another) holds the store's lock.
    case locked(directory: String)
    /// The store was closed; open a new one.
    case closed(directory: String)
    /// The directory is not a store this version can open (missing, or not a store at all).
    case notAStore(directory: String, reason: String)
    /// A file was written by a newer version of the format than this code knows.
    case unsupportedFormat(file: String, found: Int, supported: Int)
    /// A journal record is damaged and valid records follow it, or the sequence has a gap.
    case corruptJournal(userID: String, file: String, line: Int, reason: String)
    /// A snapshot cannot be read back.
    case corruptSnapshot(userID: String, file: String, reason: String)
    /// Two user ids share one folder (only possible for very long ids whose names are hashed).
    case folderConflict(userID: String, folder: String, storedUserID: String)
    /// A context could not be encoded as JSON (for example a `JSONValue.number(.nan)`).
    case encodingFailed(userID: String, reason: String)
    /// A file operation failed; `errno` is the POSIX error code, `path` the file it concerned.
    case io(operation: String, path: String, errno: Int32, reason: String)
    /// A store configuration string could not be parsed.
    case invalidConfiguration(String, reason: String)
    /// A maintenance operation named a user the store has no data for.
    case noSuchUser(userID: String, directory: String)
    /// A user's files are damaged in a way that cutting the journal back cannot fix.
    case notRepairable(userID: String, reason: String)
    /// Bytes given to ``ContextArchive/decode(_:)`` are not an export.
    case notAnExport(reason: String)
    /// A conditional save found another revision stored than the one it was based on
    /// (`nil`: no stored context); nothing was written. Load again, reapply, save again.
    case conflict(userID: String, expected: ContextRevision?, actual: ContextRevision?)

    public var description: String {
        switch self {
        case .invalidUserID(let id, let reason):
            return "The user id \(quoted(id)) is not valid: \(reason)."
        case .readOnly(let directory):
            return "The store at \(directory) is open read-only, so nothing can be saved, deleted or compacted."
        case .locked(let directory):
            return "The store at \(directory) is already open for writing by another store (in this or another process); close it first or open this one read-only."
        case .closed(let directory):
            return "The store at \(directory) has been closed; open it again to use it."
        case .notAStore(let directory, let reason):
            return "\(directory) is not a coach store: \(reason)."
        case .unsupportedFormat(let file, let found, let supported):
            return "\(file) uses format version \(found), but this code reads only up to version \(supported); upgrade coach-persistence to open it."
        case .corruptJournal(let userID, let file, let line, let reason):
            return "The journal of user \(quoted(userID)) is corrupt at \(file) line \(line): \(reason); run `coach-store verify` and `coach-store repair` on the store."
        case .corruptSnapshot(let userID, let file, let reason):
            return "The snapshot of user \(quoted(userID)) at \(file) cannot be read: \(reason)."
        case .folderConflict(let userID, let folder, let storedUserID):
            return "The user id \(quoted(userID)) maps to folder \(folder), which already holds user \(quoted(storedUserID))."
        case .encodingFailed(let userID, let reason):
            return "The context of user \(quoted(userID)) cannot be encoded as JSON: \(reason)."
        case .io(let operation, let path, _, let reason):
            return "Could not \(operation) \(path): \(reason)."
        case .invalidConfiguration(let text, let reason):
            return "The store configuration \(quoted(text)) is not valid: \(reason)."
        case .noSuchUser(let userID, let directory):
            return "The store at \(directory) has no user \(quoted(userID))."
        case .notRepairable(let userID, let reason):
            return "The files of user \(quoted(userID)) cannot be repaired by cutting the journal back: \(reason)."
        case .notAnExport(let reason):
            return "The input is not a coach-store export: \(reason)."
        case .conflict(let userID, let expected, let actual):
            return "The context of user \(quoted(userID)) was not saved: it was based on \(revisionText(expected)), but the store has \(revisionText(actual)); load it again and reapply the change."
        }
    }

    public var errorDescription: String? { description }

    /// True when the failure came from a full disk or quota (`ENOSPC`, `EDQUOT`).
    public var isDiskFull: Bool {
        if case .io(_, _, let code, _) = self { return code == ENOSPC || code == EDQUOT }
        return false
    }
}

/// A revision as it appears in messages.
private func revisionText(_ revision: ContextRevision?) -> String {
    revision.map { "revision \($0)" } ?? "no stored context"
}

/// A user id as it appears in messages: quoted, with control characters escaped, and cut short.
private func quoted(_ id: String) -> String {
    var text = ""
    for scalar in id.unicodeScalars.prefix(120) {
        text += scalar.properties.generalCategory == .control ? scalar.escaped(asASCII: true) : String(scalar)
    }
    if id.unicodeScalars.count > 120 { text += "…" }
    return "'\(text)'"
}
