import Foundation

/// One line of `journal.jsonl`: the changes of one save, under one sequence number.
///
/// ```
/// {"seq":7,"events":[{"type":"messagesAppended","value":[…]}],"crc":"1a2b3c4d"}\n
/// ```
/// The `crc` field is always last and always 8 lower-case hex digits, so a line ends with a
/// fixed 18-byte suffix `,"crc":"XXXXXXXX"}`; the checksum is the CRC-32C of every byte before
/// that suffix. A record is complete only with its newline.
struct JournalRecord: Equatable, Sendable {
    /// The record's sequence number: 1 for a user's first save, then one more per save.
    var sequence: UInt64
    /// What the save changed, applied in order.
    var events: [JournalEvent]

    /// Length of `,"crc":"XXXXXXXX"}`.
    static let checksumSuffixLength = 18
    /// The checksum field up to its digits: written from the literal, checked against the bytes.
    private static let checksumFieldStart: StaticString = #","crc":""#
    private static let checksumSuffixStart = checksumFieldStart.withUTF8Buffer { Array($0) }

    /// The record's line, newline included.
    func encodedLine() throws(JournalJSONWriter.NonFiniteNumber) -> [UInt8] {
        var writer = JournalJSONWriter(capacity: Self.estimatedLineLength(events))
        writer.raw(#"{"seq":"#)
        writer.integer(sequence)
        writer.raw(#","events":"#)
        try writer.array(events) { w, e throws(JournalJSONWriter.NonFiniteNumber) in try w.event(e) }
        let crc = CRC32C.checksum(writer.bytes)
        // Appended in place, to the writer's own buffer: concatenating arrays allocated five
        // temporaries per save, and a second reference to the buffer made the first append copy it.
        writer.raw(Self.checksumFieldStart)
        CRC32C.appendHex(crc, to: &writer.bytes)
        writer.raw("\"}\n")
        return writer.bytes
    }

    /// About how long the line of `events` is, so its buffer is allocated once: the text of
    /// the messages it writes plus room for the JSON around them.
    private static func estimatedLineLength(_ events: [JournalEvent]) -> Int {
        var total = 128
        for event in events {
            switch event {
            case .messagesAppended(let messages), .historyReplaced(let messages): total += JournalJSONWriter.estimatedLength(of: messages)
            case .contextReplaced(let context): total += JournalJSONWriter.estimatedLength(of: context.conversationHistory) + 1024
            default: total += 256
            }
        }
        return total
    }

    /// Why a line is not a record.
    enum LineError: Error, Equatable {
        /// The frame or the checksum is wrong: the bytes are not what was written.
        case damaged(String)
        /// The checksum holds but the content cannot be decoded: a newer or broken writer.
        case undecodable(String)
    }

    /// Decodes one line (without its newline), verifying its checksum first. A carriage return
    /// before the newline (a file converted to CRLF line endings) is not part of the line.
    static func decode(line: ArraySlice<UInt8>, decoder: JSONDecoder) -> Result<JournalRecord, LineError> {
        let line = withoutCarriageReturn(line)
        let n = line.count
        guard n > checksumSuffixLength + 1, line.first == UInt8(ascii: "{") else {
            return .failure(.damaged(n == 0 ? "empty line" : "not a record"))
        }
        let suffix = line.index(line.endIndex, offsetBy: -checksumSuffixLength)
        guard line[suffix..<line.index(suffix, offsetBy: 8)].elementsEqual(checksumSuffixStart),
            line[line.index(line.endIndex, offsetBy: -2)...].elementsEqual(#""}"#.utf8),
            let stored = CRC32C.parseHex(line[line.index(suffix, offsetBy: 8)..<line.index(line.endIndex, offsetBy: -2)])
        else { return .failure(.damaged("no checksum field at the end of the line")) }
        let actual = CRC32C.checksum(line[..<suffix])
        guard actual == stored else {
            return .failure(.damaged("checksum mismatch (stored \(hex(stored)), computed \(hex(actual)))"))
        }
        do {
            return .success(try decodeJSON(line, decoder: decoder))
        } catch {
            return .failure(.undecodable(JSONCoding.reason(error)))
        }
    }

    /// The record a line's JSON holds: by the direct reader, or when it declines, by `decoder`
    /// (which then also says what is wrong).
    private static func decodeJSON(_ line: ArraySlice<UInt8>, decoder: JSONDecoder) throws -> JournalRecord {
        if let record = line.withUnsafeBufferPointer(JournalJSONReader.record) { return record }
        let wire = try decoder.decode(Wire.self, from: Data(line))
        return JournalRecord(sequence: wire.seq, events: wire.events)
    }

    /// The record a line holds, whatever its checksum says: when the line ends with the
    /// checksum suffix (`,"crc":"`, any 8 bytes, `"}`) and its JSON decodes as a record. For a
    /// line whose checksum fails that means the line is whole, so a person or bit rot changed
    /// it after it was written: an interrupted append leaves a line that does not decode.
    static func decodeIgnoringChecksum(line: ArraySlice<UInt8>, decoder: JSONDecoder) -> JournalRecord? {
        let line = withoutCarriageReturn(line)
        guard line.count > checksumSuffixLength, line.first == UInt8(ascii: "{"),
            line.suffix(checksumSuffixLength).prefix(checksumSuffixStart.count).elementsEqual(checksumSuffixStart),
            line.suffix(2).elementsEqual(#""}"#.utf8)
        else { return nil }
        return try? decodeJSON(line, decoder: decoder)
    }

    /// `line` without one carriage return at its end.
    static func withoutCarriageReturn(_ line: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        line.last == UInt8(ascii: "\r") ? line.dropLast() : line
    }

    private static func hex(_ crc: UInt32) -> String { String(decoding: CRC32C.hex(crc), as: UTF8.self) }

    private struct Wire: Decodable {
        var seq: UInt64
        var events: [JournalEvent]
    }
}
