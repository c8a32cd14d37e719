import Foundation

/// One user of a store at a glance, as ``StoreInspector`` reads it from disk.
public struct UserSummary: Hashable, Sendable {
    /// The user's id.
    public var userID: String
    /// The user's folder, relative to the store's root (`users/maya`).
    public var folder: String
    /// The coaching state, or `nil` when the user cannot be read (see ``problem``).
    public var state: CoachingState?
    /// How many messages the conversation holds.
    public var messageCount: Int
    /// The timestamp of the newest message, or `nil` when there is none.
    public var lastActivity: Date?
    /// The sequence number of the last record (what the next save builds on).
    public var sequence: UInt64
    /// The sequence number `snapshot.json` covers (0: no snapshot).
    public var snapshotSequence: UInt64
    /// The sound records `journal.jsonl` holds, including those the snapshot already covers.
    public var journalRecords: Int
    /// The size of `journal.jsonl` in bytes, damaged or torn parts included.
    public var journalBytes: Int
    /// The size of `snapshot.json` in bytes, or `nil` when the user has no snapshot.
    public var snapshotBytes: Int?
    /// Records the snapshot does not cover yet: what the next compaction folds in.
    public var pendingRecords: Int { Int(sequence - min(sequence, snapshotSequence)) }
    /// Why the user cannot be read, as one sentence; `nil` when it loads.
    public var problem: String?
}
