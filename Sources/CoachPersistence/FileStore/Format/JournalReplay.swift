/// What a journal's lines mean, given the sequence number its snapshot covers: the recovery
/// rules of the format page, in one place.
///
/// - A final empty line (an editor's newline) is not damage: it is left where it is, and the
///   next append writes over it.
/// - A damaged line is a **torn tail** only when everything from its first byte on is what an
///   interrupted append can leave (see ``TornTailKind``): no line in it has a checksum that
///   holds or decodes as a whole record, none embeds a sound record, and it either holds no
///   newline at all or holds bytes that neither the writer nor a text editor writes.
/// - Anything else after the last sound record is **corruption**: a record that cannot be
///   decoded, a whole record whose checksum fails (an edit or bit rot), damage with a sound
///   record after it (or inside it, after a damaged newline), damage that ends in whole lines
///   of text, or a sequence out of order. Nothing is guessed, the load fails.
/// - Records at or below the snapshot's sequence are already in the snapshot and are skipped;
///   the first record above it must be exactly one more, and each later one one more again.
struct JournalReplay: Sendable {
    /// The records above the snapshot, in order.
    var records: [JournalRecord]
    /// The sequence number of the last sound record, or the snapshot's if none is above it.
    var lastSequence: UInt64
    /// How many sound records the journal holds, including those the snapshot covers.
    var recordCount: Int
    /// The byte length of the sound part; the journal continues here (over a final empty line).
    var soundLength: Int
    /// The bytes of a torn tail, if any.
    var tornTail: Range<Int>?
    /// The line number where the torn tail starts.
    var tornTailLine: Int?
    /// What the torn tail looks like, when there is one.
    var tornTailKind: TornTailKind?
    /// Whether the journal ends in an empty line (an editor's final newline), which is neither
    /// a record nor damage. It lies past ``soundLength`` (when there is no torn tail), so the
    /// next append writes over it.
    var endsInEmptyLine: Bool

    /// The two shapes of tail an interrupted append leaves, and so the only ones recovery cuts
    /// on its own.
    enum TornTailKind: Equatable, Sendable {
        /// The journal stops in the middle of its last line, with no newline after the last
        /// sound record: an append was interrupted (kill -9, a crash). Under
        /// `.durable` that save was never acknowledged; under `.batched` or `.unsynced` it may
        /// have been, as those modes allow.
        case incompleteLine
        /// The tail holds bytes no writer or editor writes (NUL, other control bytes, invalid
        /// UTF-8): space the file system gave the file but never filled, or filled with
        /// garbage, after a crash. Bit rot of the same kind in the last record looks alike, so
        /// whether the save was acknowledged cannot be proved.
        case unwrittenSpace
    }

    /// A line that makes the journal corrupt, with the reason.
    struct Corruption: Error, Equatable, Sendable {
        var line: Int
        var reason: String
    }

    /// What the reason of an altered record says about accepting a deliberate edit.
    static let sealAdvice = "if the change was deliberate, `coach-store seal` accepts it; otherwise `coach-store repair` cuts the journal there"

    /// Interprets `lines` (from ``JournalReader/scan(_:decoder:)``) over a snapshot at `snapshotSequence`.
    init(lines allLines: [JournalReader.Line], snapshotSequence: UInt64) throws(Corruption) {
        // An editor's final newline is not part of any record, nor damage.
        endsInEmptyLine = allLines.last?.isBlank == true
        let lines = endsInEmptyLine ? Array(allLines.dropLast()) : allLines
        let firstBad = lines.firstIndex { $0.record == nil }
        if let firstBad { try Self.checkTail(lines[firstBad...]) }
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
            tornTail = lines[firstBad].range.lowerBound..<allLines.last!.range.upperBound
            tornTailLine = lines[firstBad].number
            tornTailKind = lines[firstBad...].contains(where: \.holdsForeignBytes) ? .unwrittenSpace : .incompleteLine
        }
    }

    /// Throws unless `tail` (from the first line that is not sound to the end, without a final
    /// empty line) is what an interrupted append can leave.
    private static func checkTail(_ tail: ArraySlice<JournalReader.Line>) throws(Corruption) {
        let line = tail.first!
        if case .failure(.undecodable(let reason)) = line.result {
            throw Corruption(line: line.number, reason: "record cannot be decoded: \(reason)")
        }
        guard case .failure(.damaged(let reason)) = line.result else { return }
        if let altered = tail.first(where: { $0.alteredRecord != nil }) {
            // The damage comes first, as for any damaged line; then what it means.
            var damage = reason
            if case .failure(.damaged(let own)) = altered.result { damage = own }
            let later = tail.first { $0.number > altered.number && $0.checksumHolds }
            throw Corruption(
                line: altered.number,
                reason: "\(damage): record \(altered.alteredRecord!.sequence) is whole, so it was changed after it was written "
                    + "(an edit by hand, or bit rot; never an interrupted append)"
                    + (later.map { ", and line \($0.number) after it is a sound record" } ?? "") + "; \(sealAdvice)")
        }
        if let later = tail.dropFirst().first(where: \.checksumHolds) {
            throw Corruption(line: line.number, reason: "\(reason), and line \(later.number) after it is a sound record")
        }
        if let joined = tail.first(where: \.embedsSoundRecord) {
            let within = joined.number == line.number ? "within the line" : "within line \(joined.number)"
            throw Corruption(line: line.number, reason: "\(reason), and a sound record follows \(within) (a damaged newline?)")
        }
        if tail.contains(where: \.hasNewline) && !tail.contains(where: \.holdsForeignBytes) {
            throw Corruption(
                line: line.number,
                reason: "\(reason), and the journal ends in whole lines of text after it, which an interrupted append "
                    + "cannot leave (edited by hand?); `coach-store repair` cuts the journal there")
        }
    }
}
