import Foundation

/// Splits a journal's bytes into lines and decodes each, without judging the whole.
/// ``JournalReplay`` decides what the lines mean (a torn tail, corruption, what to replay).
enum JournalReader {
    /// One line of a journal.
    struct Line: Sendable {
        /// 1-based line number, as an editor shows it.
        var number: Int
        /// The line's bytes in the file, newline included when there is one.
        var range: Range<Int>
        /// The record, or why the line is not one.
        var result: Result<JournalRecord, JournalRecord.LineError>

        var record: JournalRecord? { try? result.get() }
        /// Whether the checksum held (a decoded record, or an undecodable one).
        var checksumHolds: Bool {
            if case .failure(.damaged) = result { return false }
            return true
        }
        /// For a damaged line: whether a sound record is embedded in it after its start, as when
        /// the newline between two records was damaged and they read as one line. A torn append
        /// is a prefix of one record and never holds a whole other one.
        var embedsSoundRecord = false
        /// For a damaged line: the record its JSON holds when it decodes although its checksum
        /// fails. The line is then complete: an edit or bit rot, never an interrupted append.
        var alteredRecord: JournalRecord?
        /// Whether the line has its newline.
        var hasNewline = true

        /// Whether the line is empty apart from its newline (`\n` or `\r\n`): an editor's final newline.
        var isBlank = false
        /// For a damaged line: whether it holds a byte that neither the writer nor a text editor
        /// writes: NUL or another control byte but tab and carriage return (a record escapes
        /// them all), or invalid UTF-8. Such bytes are what a file system leaves in space it gave
        /// a file but never filled after a crash.
        var holdsForeignBytes = false
    }

    /// Whether a record whose checksum holds starts somewhere after the first byte of `line`.
    private static func embedsSoundRecord(_ line: ArraySlice<UInt8>, decoder: JSONDecoder) -> Bool {
        let marker = Array(#"{"seq":"#.utf8)
        var index = line.startIndex + 1
        while index + marker.count <= line.endIndex {
            if line[index] == marker[0], line[index..<(index + marker.count)].elementsEqual(marker) {
                switch JournalRecord.decode(line: line[index...], decoder: decoder) {
                case .success, .failure(.undecodable): return true
                case .failure(.damaged): break
                }
            }
            index += 1
        }
        return false
    }

    /// Whether `bytes` could be text in an editor: valid UTF-8 without control bytes other than
    /// tab and carriage return.
    private static func isText(_ bytes: ArraySlice<UInt8>) -> Bool {
        if bytes.contains(where: { $0 < 0x20 && $0 != 0x09 && $0 != 0x0D }) { return false }
        var decoder = UTF8()
        var iterator = bytes.makeIterator()
        while true {
            switch decoder.decode(&iterator) {
            case .scalarValue: continue
            case .emptyInput: return true
            case .error: return false
            }
        }
    }

    /// Whether a line's checksum holds (for a last line without its newline).
    private static func checksumHolds(_ content: ArraySlice<UInt8>, _ decoder: JSONDecoder) -> Bool {
        if case .failure(.damaged) = JournalRecord.decode(line: content, decoder: decoder) { return false }
        return true
    }

    /// Every line of `bytes`; a last line without its newline is reported as damaged.
    static func scan(_ bytes: [UInt8], decoder: JSONDecoder = JSONCoding.decoder()) -> [Line] {
        var lines: [Line] = []
        var start = 0
        while start < bytes.count {
            let newline = bytes[start...].firstIndex(of: UInt8(ascii: "\n"))
            let end = newline.map { $0 + 1 } ?? bytes.count
            let result: Result<JournalRecord, JournalRecord.LineError> =
                newline == nil
                ? .failure(.damaged("incomplete last line (\(end - start) bytes, no newline)"))
                : JournalRecord.decode(line: bytes[start..<(end - 1)], decoder: decoder)
            var line = Line(number: lines.count + 1, range: start..<end, result: result)
            line.hasNewline = newline != nil
            if !line.checksumHolds {
                let content = bytes[start..<(newline ?? end)]
                line.isBlank = newline != nil && JournalRecord.withoutCarriageReturn(content).isEmpty
                line.embedsSoundRecord = embedsSoundRecord(content, decoder: decoder)
                line.holdsForeignBytes = !isText(content)
                if newline != nil || !checksumHolds(content, decoder) {
                    line.alteredRecord = JournalRecord.decodeIgnoringChecksum(line: content, decoder: decoder)
                }
            }
            lines.append(line)
            start = end
        }
        return lines
    }
}
