// libFuzzer target for the journal and snapshot readers; built by `run.sh` together with the
// library sources as one module, so the readers' internal API is in reach.
//
// Each input is read as a journal and as a snapshot twice: as it is, and with its checksums
// recomputed (so mutations reach the JSON decoding behind them). The readers must never crash,
// whatever they return as data must carry a checksum that holds, checked here with an
// independent bit-by-bit CRC-32C, and a torn tail never holds a whole record or ends in lines
// of text (format page, "Recovery rules"). The input, and each of its lines, is also given to
// the direct JSON reader as a snapshot body and as a record: whatever it reads, JSONDecoder
// must read too, to an equal value.
import Foundation

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzReaders(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let snapshotSequence = UInt64(bytes.first ?? 0) % 4
    for input in [bytes, FuzzChecks.resignedJournal(bytes)] {
        FuzzChecks.journal(input, snapshotSequence: snapshotSequence)
    }
    for input in [bytes, FuzzChecks.resignedSnapshot(bytes)] {
        FuzzChecks.snapshot(input)
    }
    FuzzChecks.directReader(bytes)
    for line in bytes.split(separator: UInt8(ascii: "\n")) where line.count < bytes.count {
        FuzzChecks.directReader(Array(line))
    }
    return 0
}

enum FuzzChecks {
    static let decoder = JSONCoding.decoder()
    static let crcSuffix = Array(#","crc":""#.utf8)

    /// The journal reader: lines partition the input, records carry a sound checksum, and a
    /// replay returns only such records, in sequence.
    static func journal(_ bytes: [UInt8], snapshotSequence: UInt64) {
        let lines = JournalReader.scan(bytes, decoder: decoder)
        var offset = 0
        for line in lines {
            require(line.range.lowerBound == offset && line.range.upperBound > offset, "lines partition the input")
            offset = line.range.upperBound
            if line.record != nil {
                require(bytes[line.range].last == UInt8(ascii: "\n"), "a record ends with its newline")
                require(lineChecksumHolds(withoutCR(bytes[line.range].dropLast())), "a record whose checksum fails came back as data")
            }
        }
        require(offset == bytes.count, "lines cover the input")
        guard let replay = try? JournalReplay(lines: lines, snapshotSequence: snapshotSequence) else { return }
        var expected = snapshotSequence + 1
        for record in replay.records {
            require(record.sequence == expected, "replayed records are in sequence")
            require(lines.contains { $0.record == record }, "replayed records are records of the input")
            expected += 1
        }
        require(replay.soundLength <= bytes.count, "the sound part is inside the input")
        let rest = bytes[replay.soundLength...]
        let finalEmptyLine = rest.elementsEqual([0x0A]) || rest.elementsEqual([0x0D, 0x0A])
        require((replay.tornTail == nil) == (rest.isEmpty || finalEmptyLine), "what is not sound is a torn tail or an editor's final newline")
        if let torn = replay.tornTail {
            require(torn.upperBound == bytes.count && torn.lowerBound == replay.soundLength, "a torn tail runs to the end")
            require(replay.tornTailKind != nil, "a torn tail says what it is")
            for line in lines where line.range.lowerBound >= torn.lowerBound {
                require(line.alteredRecord == nil, "a whole record whose checksum fails is never cut as a torn tail")
                require(!line.checksumHolds, "a sound record is never cut as a torn tail")
            }
            let lastLineIsText = bytes.last == 0x0A && !lines.contains { $0.range.lowerBound >= torn.lowerBound && $0.holdsForeignBytes }
            require(!lastLineIsText, "whole lines of text after damage are corruption, not a torn tail")
        }
    }

    /// The snapshot reader: a decoded snapshot's checksum holds, and it encodes and decodes back to itself.
    static func snapshot(_ bytes: [UInt8]) {
        guard let snapshot = try? SnapshotFile.decode(bytes, decoder: decoder) else { return }
        require(snapshotChecksumHolds(bytes), "a snapshot whose checksum fails came back as data")
        guard let encoded = try? snapshot.encoded() else { return }  // e.g. a date outside what JSON numbers keep
        require((try? SnapshotFile.decode(encoded, decoder: decoder)) == snapshot, "a snapshot round-trips")
    }

    /// The direct JSON reader never gives another answer than JSONDecoder: when it reads a
    /// snapshot body or a record, JSONDecoder reads the same bytes to an equal value.
    static func directReader(_ bytes: [UInt8]) {
        if let body = bytes.withUnsafeBufferPointer(JournalJSONReader.snapshotBody) {
            let decoded = try? decoder.decode(SnapshotBodyMirror.self, from: Data(bytes))
            require(decoded.map { JournalJSONReader.SnapshotBody(context: $0.context, format: $0.format, revision: $0.revision, sequence: $0.sequence) } == body,
                "the direct reader read a snapshot body that JSONDecoder reads otherwise or not at all")
        }
        if let record = bytes.withUnsafeBufferPointer(JournalJSONReader.record) {
            let decoded = try? decoder.decode(RecordMirror.self, from: Data(bytes))
            require(decoded.map { JournalRecord(sequence: $0.seq, events: $0.events) } == record,
                "the direct reader read a record that JSONDecoder reads otherwise or not at all")
        }
    }

    /// `SnapshotFile`'s body and `JournalRecord`'s wire form, as their synthesized `Decodable` read them.
    struct SnapshotBodyMirror: Decodable {
        var context: CoachContext
        var format: Int
        var revision: String?
        var sequence: UInt64
    }

    struct RecordMirror: Decodable {
        var seq: UInt64
        var events: [JournalEvent]
    }

    /// `line` (without newline) ends with `,"crc":"xxxxxxxx"}` holding the CRC-32C of what precedes it.
    static func lineChecksumHolds(_ line: ArraySlice<UInt8>) -> Bool {
        let bytes = Array(line)
        guard bytes.count >= 18, Array(bytes[(bytes.count - 18)..<(bytes.count - 10)]) == crcSuffix,
            bytes[bytes.count - 2] == UInt8(ascii: "\""), bytes[bytes.count - 1] == UInt8(ascii: "}"),
            let stored = UInt32(String(decoding: bytes[(bytes.count - 10)..<(bytes.count - 2)], as: UTF8.self), radix: 16)
        else { return false }
        return crc32c(bytes[..<(bytes.count - 18)]) == stored
    }

    /// Bytes 2..<29 are `  "checksum" : "xxxxxxxx",\n`, holding the CRC-32C of the rest without its last newline.
    static func snapshotChecksumHolds(_ crlfBytes: [UInt8]) -> Bool {
        // CR LF pairs read as LF (a file converted by git's autocrlf or a Windows editor).
        var bytes: [UInt8] = []
        for (i, byte) in crlfBytes.enumerated() where !(byte == 0x0D && i + 1 < crlfBytes.count && crlfBytes[i + 1] == 0x0A) {
            bytes.append(byte)
        }
        guard bytes.count > 29, let stored = UInt32(String(decoding: bytes[18..<26], as: UTF8.self), radix: 16) else { return false }
        let end = bytes.last == UInt8(ascii: "\n") ? bytes.count - 1 : bytes.count
        return crc32c(bytes[0..<2] + bytes[29..<end]) == stored
    }

    /// The journal with every line that looks like a record given the checksum of its content.
    static func resignedJournal(_ bytes: [UInt8]) -> [UInt8] {
        let lines = bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).map { slice in
            var line = Array(slice)
            if line.count >= 18, Array(line[(line.count - 18)..<(line.count - 10)]) == crcSuffix {
                line.replaceSubrange((line.count - 10)..<(line.count - 2), with: hex(crc32c(line[..<(line.count - 18)])))
            }
            return line
        }
        return Array(lines.joined(separator: [UInt8(ascii: "\n")]))
    }

    /// The snapshot with its checksum line (if it has one) recomputed.
    static func resignedSnapshot(_ bytes: [UInt8]) -> [UInt8] {
        guard bytes.count > 29 else { return bytes }
        let end = bytes.last == UInt8(ascii: "\n") ? bytes.count - 1 : bytes.count
        var out = bytes
        out.replaceSubrange(18..<26, with: hex(crc32c(bytes[0..<2] + bytes[29..<end])))
        return out
    }

    /// A line without the carriage return a CRLF conversion put before its newline.
    static func withoutCR(_ line: ArraySlice<UInt8>) -> ArraySlice<UInt8> { line.last == 0x0D ? line.dropLast() : line }

    static func hex(_ value: UInt32) -> [UInt8] { Array(String(format: "%08x", value).utf8) }

    /// CRC-32C bit by bit: slow and obviously right, unlike the library's sliced tables.
    static func crc32c<C: Collection<UInt8>>(_ bytes: C) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0x82F6_3B78 : crc >> 1 }
        }
        return ~crc
    }

    static func require(_ condition: Bool, _ message: String) {
        if !condition { fatalError("fuzz invariant broken: \(message)") }
    }
}
