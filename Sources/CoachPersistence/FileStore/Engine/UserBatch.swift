/// What one round of a user's worker stages before it writes: the records of every save in the
/// round, written with one `pwrite` and covered by one `fdatasync` (group commit), and the
/// revisions to tell watchers about once they are on disk.
struct UserBatch {
    /// The staged records' lines, in order.
    var lines: [[UInt8]] = []
    /// The journal's length before the first staged record: where the batch is written, and
    /// where the journal is cut back to if writing it fails.
    var startLength = 0
    /// The values watchers are told about after the write.
    var published: [(userID: String, value: StoredContext?)] = []

    /// Whether a save has staged a record.
    var hasStaged: Bool { !lines.isEmpty }

    /// The staged bytes as one buffer.
    var bytes: [UInt8] { lines.count == 1 ? lines[0] : Array(lines.joined()) }
}
