/// What ``StoreRepair/repair(userID:in:lockWait:)`` did to a user's journal.
public struct RepairReport: Hashable, Sendable {
    /// The user repaired.
    public var userID: String
    /// The journal, absolute.
    public var journal: String
    /// The file holding the bytes that were cut, absolute; `nil` when the journal was sound and
    /// nothing was changed.
    public var backup: String?
    /// The line where the damage starts; `nil` when there was none.
    public var damagedLine: Int?
    /// What was wrong at ``damagedLine``.
    public var reason: String?
    /// The records the journal still holds, all of them before the damage.
    public var keptRecords: Int
    /// The journal's length now, in bytes.
    public var keptBytes: Int
    /// The sequence number the user is at now: the last kept record's, or the snapshot's.
    public var lastKeptSequence: UInt64
    /// How many lines were cut, the damaged one included.
    public var cutLines: Int
    /// How many bytes were cut (and copied to ``backup``).
    public var cutBytes: Int
    /// The sequence numbers of records after the damage whose checksums held: saves that were
    /// made but could not be replayed past the damage. They are in ``backup`` only now.
    public var cutSequences: [UInt64]
    /// Whether the journal was changed.
    public var changed: Bool { backup != nil }
}
