/// What ``StoreSeal/seal(userID:in:dryRun:lockWait:)`` changed (or, in a dry run, would change).
public struct SealReport: Hashable, Sendable {
    /// One file or line whose checksum was recomputed.
    public struct Change: Hashable, Sendable, CustomStringConvertible {
        /// The user the file belongs to.
        public var userID: String
        /// The file, relative to the store's root (`users/maya/journal.jsonl`).
        public var file: String
        /// The 1-based line of a journal record; `nil` for a snapshot.
        public var line: Int?
        /// What was done, as a phrase: `checksum recomputed (stored 1a2b3c4d)`.
        public var action: String

        /// `users/maya/journal.jsonl:3: checksum recomputed`.
        public var description: String { "\(file)\(line.map { ":\($0)" } ?? ""): \(action)" }
    }

    /// How many users were looked at.
    public var users: Int
    /// Every change, by user, then file, then line.
    public var changes: [Change]
    /// The backups of the original files, relative to the store's root (nothing in a dry run).
    public var backups: [String]
    /// Whether the run wrote nothing (a dry run).
    public var dryRun: Bool
    /// Whether every file was sealed already.
    public var isClean: Bool { changes.isEmpty }
}
