/// What a journal's lines mean, given the sequence number its snapshot covers: the recovery
/// rules of the format page, in one place.
///
/// - A damaged line with no record whose checksum holds after it is a **torn tail**: everything
///   from its first byte on is what a crash left half-written.
/// - A damaged line with a sound record after it (or inside it, after a damaged newline), a
///   record that cannot be decoded, or a sequence out of order is **corruption**: nothing is
///   guessed, the load fails.
/// - Records at or below the snapshot's sequence are already in the snapshot and are skipped;
///   the first record above it must be exactly one more, and each later one one more again.
struct JournalReplay: Sendable {
    /// The records above the snapshot, in order.
    var records: [JournalRecord]
    /// The sequence number of the last sound record, or the snapshot's if none is above it.
    var lastSequence: UInt64
    /// How many sound records the journal holds, including those the snapshot covers.
    var recordCount: Int
    /// The byte length of the sound part; the journal continues here.
    var soundLength: Int
    /// The bytes of a torn tail, if any.
    var tornTail: Range<Int>?
    /// The line number where the torn tail starts.
    var tornTailLine: Int?

    /// A line that makes the journal corrupt, with the reason.
    struct Corruption: Error, Equatable, Sendable {
        var line: Int
        var reason: String
    }

    /// Interprets `lines` (from ``JournalReader/scan(_:decoder:)``) over a snapshot at `snapshotSequence`.
    init(lines: [JournalReader.Line], snapshotSequence: UInt64) throws(Corruption) {
        let firstBad = lines.firstIndex { $0.record == nil }
        if let firstBad {
            let line = lines[firstBad]
            if case .failure(.undecodable(let reason)) = line.result {
                throw Corruption(line: line.number, reason: "record cannot be decoded: \(reason)")
            }
            if case .failure(.damaged(let reason)) = line.result {
                if let later = lines[(firstBad + 1)...].first(where: \.checksumHolds) {
                    throw Corruption(line: line.number, reason: "\(reason), and line \(later.number) after it is a sound record")
                }
                if line.embedsSoundRecord {
                    throw Corruption(line: line.number, reason: "\(reason), and a sound record follows within the line (a damaged newline?)")
                }
            }
        }
        let sound = lines[..<(firstBad ?? lines.count)]
        var expected: UInt64? = nil
        var previous: UInt64 = 0
        records = []
        for line in sound {
            let record = line.record!
            if record.sequence == 0 || (record.sequence <= previous && line.number > 1) {
                throw Corruption(line: line.number, reason: "sequence \(record.sequence) does not follow \(previous)")
            }
            previous = record.sequence
            guard record.sequence > snapshotSequence else { continue }
            let want = expected ?? snapshotSequence + 1
            guard record.sequence == want else {
                throw Corruption(line: line.number, reason: "sequence gap: expected \(want), found \(record.sequence)")
            }
            expected = want + 1
            records.append(record)
        }
        lastSequence = max(snapshotSequence, records.last?.sequence ?? 0)
        recordCount = sound.count
        soundLength = sound.last?.range.upperBound ?? 0
        if let firstBad {
            tornTail = lines[firstBad].range.lowerBound..<lines.last!.range.upperBound
            tornTailLine = lines[firstBad].number
        }
    }
}
